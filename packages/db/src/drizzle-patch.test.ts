import * as drizzle from "drizzle-orm";
import { asc, eq, inArray, sql } from "drizzle-orm";
import { NodePgPreparedQuery } from "drizzle-orm/node-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { avatars, users } from "./schema/index.ts";
import { createTestDb, type TestDb } from "./testing/index.ts";

/** The patched drizzle-orm (patches/README.md) must map rows and run queries exactly as the original did. */
let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.close());

describe("drizzle's patched row mapping and node-postgres queries", () => {
  it("maps flat, nested and left-joined selections as drizzle does, prepared or not, row after row", async () => {
    const { db } = testDb;
    const [withAvatar, without] = await db.insert(users).values([{ deviceId: "patch-a" }, { deviceId: "patch-b" }]).returning();
    const [avatar] = await db.insert(avatars).values({ userId: withAvatar!.id, name: "Портрет" }).returning();
    const ids = [withAvatar!.id, without!.id];

    const nested = () =>
      db
        .select({ id: users.id, device: users.deviceId, shout: sql<string>`upper(${users.deviceId})`, avatar: { id: avatars.id, name: avatars.name } })
        .from(users)
        .leftJoin(avatars, eq(avatars.userId, users.id))
        .where(inArray(users.id, ids))
        .orderBy(asc(users.id));
    const expected = [
      { id: withAvatar!.id, device: "patch-a", shout: "PATCH-A", avatar: { id: avatar!.id, name: "Портрет" } },
      // A left join that found nothing: the joined table's object is null, not an object of nulls.
      { id: without!.id, device: "patch-b", shout: "PATCH-B", avatar: null },
    ];
    expect(await nested()).toEqual(expected);
    const prepared = nested().prepare("test_patched_mapping");
    expect(await prepared.execute()).toEqual(expected);
    expect(await prepared.execute()).toEqual(expected);

    // Whole tables, as photos.list selects them: decoded columns (dates) in nested objects.
    const tables = await db.select({ user: users, avatar: avatars }).from(users).leftJoin(avatars, eq(avatars.userId, users.id)).where(inArray(users.id, ids)).orderBy(asc(users.id));
    expect(tables.map((row) => [row.user.id, row.user.createdAt instanceof Date, row.avatar?.id ?? null, row.avatar?.createdAt instanceof Date])).toEqual([
      [withAvatar!.id, true, avatar!.id, true],
      [without!.id, true, null, false],
    ]);
  });

  it("is in effect: rows are mapped by a plan made once per field list, and node-postgres queries run without the tracer's closures", () => {
    // Exported at run time, left out of drizzle's types (internal).
    const { mapResultRow } = drizzle as unknown as { mapResultRow: (...args: never[]) => unknown };
    expect(mapResultRow.toString()).toContain("planOf(columns)");
    expect(NodePgPreparedQuery.prototype.execute.toString()).not.toContain("startActiveSpan");
  });
});
