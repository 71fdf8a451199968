import { avatars, users } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.close());

/** A logger that writes its lines to an array, as the server's does to stdout. */
function capturedLogger() {
  const lines: string[] = [];
  return { logger: createLogger({ level: "info", service: "test" }, { write: (line: string) => void lines.push(line) }), lines };
}

const failureOf = (query: PromiseLike<unknown>) => Promise.resolve(query).then(() => expect.unreachable("the query should fail"), (error: unknown) => error);

describe("the log", () => {
  it("carries a failed query's SQL but none of its parameter values, also where PostgreSQL repeats them", async () => {
    const { db } = testDb;
    const [user] = await db.insert(users).values({ deviceId: "device-of-receipt@example.com" }).returning();
    const failures = [
      // drizzle puts the parameters in its message and in `params`
      { secret: "Secret Avatar Name", error: await failureOf(db.insert(avatars).values({ userId: user!.id, name: "Secret Avatar Name\u0000" })) },
      // PostgreSQL quotes the offending value in its message
      { secret: "2147483648", error: await failureOf(db.select().from(users).where(eq(users.id, 2_147_483_648))) },
      // … and a duplicate key's value in `detail`
      { secret: "device-of-receipt@example.com", error: await failureOf(db.insert(users).values({ deviceId: "device-of-receipt@example.com" })) },
    ];
    for (const { secret, error } of failures) {
      const { logger, lines } = capturedLogger();
      logger.error({ err: error, path: "avatars.create" }, "tRPC procedure failed");
      const line = lines.join("");
      expect(line).toContain("Failed query: ");
      expect(line).toContain('"path":"avatars.create"');
      expect(line).not.toContain(secret);
      expect(line).not.toContain("params");
    }
    // What names the failure stays: the SQLSTATE code and the constraint.
    const { logger, lines } = capturedLogger();
    logger.error({ err: failures[2]!.error }, "failed");
    expect(JSON.parse(lines[0]!).err.database).toEqual({ code: "23505", table: "users", constraint: expect.stringMatching(/device_id/) });
  });

  it("keeps everything of errors that carry no query", () => {
    const { logger, lines } = capturedLogger();
    logger.warn({ err: new Error("the bank did not answer", { cause: new Error("ECONNRESET") }) }, "retrying");
    const logged = JSON.parse(lines[0]!) as { err: { message: string; stack: string } };
    expect(logged.err.message).toBe("the bank did not answer: ECONNRESET");
    expect(logged.err.stack).toContain("logger.test.ts");
  });
});
