import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { afterAll, beforeAll, beforeEach } from "vitest";

/** The test database of a file's tests: made before them (the object is filled in then), emptied before each, closed after. */
export function useTestDb(): TestDb {
  const testDb = {} as TestDb;
  beforeAll(async () => void Object.assign(testDb, await createTestDb()));
  afterAll(() => testDb.close());
  beforeEach(() => testDb.reset());
  return testDb;
}
