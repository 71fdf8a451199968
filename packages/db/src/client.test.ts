import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "./rows.ts";
import { createTestDb, type TestDb } from "./testing/index.ts";

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.close());

describe("a database handle", () => {
  it("keeps answering after the server ends its other connections (a restart or failover), without crashing the process", async () => {
    // Two statements at once, so a pool (node-postgres, Neon) holds two connections, one of them idle afterwards.
    await Promise.all([testDb.db.execute(sql`SELECT pg_sleep(0.05)`), testDb.db.execute(sql`SELECT pg_sleep(0.05)`)]);
    const ended = testDb.driver === "pglite" ? [] : rowsOf<{ ended: boolean }>(await testDb.db.execute(sql`SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`));
    if (testDb.driver !== "pglite") expect(ended.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 3; i++) expect(rowsOf<{ one: number }>(await testDb.db.execute(sql`SELECT 1 AS one`))[0]?.one).toBe(1);
  });
});
