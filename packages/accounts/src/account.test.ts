import { rowsOf } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userOwnedColumns } from "./account.ts";

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.close());

describe("what belongs to a user", () => {
  it("is every column with a foreign key to users, so merging and deleting accounts miss nothing", async () => {
    const result = await testDb.db.execute(`
      SELECT tc.table_name || '.' || kcu.column_name AS owned
      FROM information_schema.table_constraints tc
      JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
      JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
      WHERE tc.constraint_type = 'FOREIGN KEY' AND ccu.table_name = 'users' AND tc.table_schema = current_schema()
      ORDER BY 1`);
    expect(rowsOf<{ owned: string }>(result).map((r) => r.owned)).toEqual([...userOwnedColumns].sort());
  });
});
