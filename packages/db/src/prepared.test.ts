import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "./schema/index.ts";
import { preparedPerDb } from "./prepared.ts";
import { createTestDb, type TestDb } from "./testing/index.ts";

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.close());

describe("preparedPerDb", () => {
  it("builds a query once per database handle and variant, and runs it with each call's values", async () => {
    let builds = 0;
    const byDevice = preparedPerDb((db, variant: "id" | "device") => {
      builds++;
      return db
        .select({ id: users.id, deviceId: users.deviceId })
        .from(users)
        .where(variant === "id" ? eq(users.id, sql.placeholder("value")) : eq(users.deviceId, sql.placeholder("value")))
        .prepare(`test_user_by_${variant}`);
    });
    const [a, b] = await testDb.db.insert(users).values([{ deviceId: "device-a" }, { deviceId: "device-b" }]).returning();
    expect(await byDevice(testDb.db, "device").execute({ value: "device-b" })).toEqual([{ id: b!.id, deviceId: "device-b" }]);
    expect(await byDevice(testDb.db, "device").execute({ value: "device-a" })).toEqual([{ id: a!.id, deviceId: "device-a" }]);
    expect(await byDevice(testDb.db, "id").execute({ value: b!.id })).toEqual([{ id: b!.id, deviceId: "device-b" }]);
    expect(builds).toBe(2);
    // A transaction is another handle: the query is built for it (a prepared query runs on the handle it was built on).
    await testDb.db.transaction(async (tx) => {
      expect(await byDevice(tx, "id").execute({ value: a!.id })).toEqual([{ id: a!.id, deviceId: "device-a" }]);
    });
    expect(builds).toBe(3);
  });
});
