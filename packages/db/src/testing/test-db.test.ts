import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../migrate.ts";
import { rowsOf } from "../rows.ts";
import { users } from "../schema/index.ts";
import { createTestDb, type TestDb } from "./index.ts";

/** Every column, constraint and index of the public schema, and the migrations drizzle recorded. */
async function describeDatabase(t: TestDb) {
  const query = async (sql: string) => rowsOf<Record<string, unknown>>(await t.db.execute(sql));
  return {
    columns: await query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    ),
    constraints: await query(
      `SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY conname`,
    ),
    indexes: await query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`),
    migrations: await query(`SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id`),
  };
}

/**
 * Test files start from a migrated image (a PGlite tarball, a PostgreSQL template) instead of
 * migrating: the image must be exactly what this driver's own migrator makes of an empty database.
 */
describe("the test database", () => {
  let fromImage: TestDb;
  let migrated: TestDb;
  beforeAll(async () => {
    fromImage = await createTestDb();
    migrated = await createTestDb({ empty: true });
    await migrate(migrated.handle);
  });
  afterAll(async () => {
    await fromImage?.close();
    await migrated?.close();
  });

  it("starts as the driver's own migrator leaves an empty database", async () => {
    const expected = await describeDatabase(migrated);
    expect(expected.columns.length).toBeGreaterThan(0);
    expect(expected.migrations.length).toBeGreaterThan(0);
    expect(await describeDatabase(fromImage)).toEqual(expected);
  });

  it("has nothing left to migrate, and starts with no rows", async () => {
    const before = await describeDatabase(fromImage);
    await migrate(fromImage.handle);
    expect(await describeDatabase(fromImage)).toEqual(before);
    expect(await fromImage.db.select().from(users)).toEqual([]);
  });

  it("gives each file a database of its own", async () => {
    const other = await createTestDb();
    try {
      await fromImage.db.insert(users).values({ deviceId: "only-in-this-file" });
      expect(await other.db.select().from(users)).toEqual([]);
    } finally {
      await fromImage.reset();
      await other.close();
    }
  });
});
