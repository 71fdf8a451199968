import { payments, users } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountOverview } from "./overview.ts";

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.close());

describe("accountOverview (session.me in one statement)", () => {
  it("speaks of the user's own payments only, every unused paid photoset of them", async () => {
    const [never, buyer] = await testDb.db.insert(users).values([{ deviceId: "never-paid" }, { deviceId: "buyer" }]).returning();
    // Payment ids 1 and 2 both belong to user 2: a subquery that compared payments.user_id with its own id would count them for anyone.
    await testDb.db.insert(payments).values([
      { userId: buyer!.id, status: "succeeded", tierId: "starter", photoCount: 7, orderId: "o-1" },
      { userId: buyer!.id, status: "succeeded", tierId: "standard", photoCount: 15, orderId: "o-2" },
      { userId: buyer!.id, status: "succeeded", tierId: "premium", photoCount: 23, orderId: "o-3", consumedAt: new Date() },
    ]);
    expect(await accountOverview(testDb.db, never!.id)).toMatchObject({ hasPaid: false, paidPhotosets: [] });
    expect((await accountOverview(testDb.db, buyer!.id))?.paidPhotosets.map((p) => p.tierId)).toEqual(["starter", "standard"]);
    expect(await accountOverview(testDb.db, buyer!.id)).toMatchObject({ hasPaid: true });
    expect(await accountOverview(testDb.db, 999)).toBeNull();
  });
});
