import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type Db, type DbHandle } from "../client.ts";
import { migrate } from "../migrate.ts";
import { rowsOf } from "../rows.ts";
import { startNeonRelay } from "./neon-relay.ts";

export { startNeonRelay } from "./neon-relay.ts";

export type TestDriver = "pglite" | "postgres" | "neon";

export interface TestDb {
  db: Db;
  handle: DbHandle;
  driver: TestDriver;
  /** Empties every table and restarts the id sequences: call between tests. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The driver this test run is for, set per vitest project (see vitest.drivers.ts). */
export function testDriver(): TestDriver {
  const driver = process.env.TEST_DB ?? "pglite";
  if (driver !== "pglite" && driver !== "postgres" && driver !== "neon") throw new Error(`unknown TEST_DB=${driver}`);
  return driver;
}

/**
 * A fresh, migrated database for one test file, on the driver of the current run:
 * in-memory PGlite, or a new database on the TEST_POSTGRES_URL server reached through
 * node-postgres or through the Neon driver and a loopback WebSocket relay.
 */
export async function createTestDb(): Promise<TestDb> {
  const driver = testDriver();
  if (driver === "pglite") {
    const handle = await createDb("memory://");
    await migrate(handle);
    return wrap(handle, driver, () => handle.close());
  }

  const adminUrl = process.env.TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error(`TEST_DB=${driver} needs TEST_POSTGRES_URL`);
  const name = `pinglass_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;

  const relay = driver === "neon" ? await startNeonRelay() : undefined;
  const handle = await createDb(url.toString(), relay ? { driver: "neon", neonWsProxy: relay.url, poolSize: 5 } : { poolSize: 5 });
  await migrate(handle);
  return wrap(handle, driver, async () => {
    await handle.close();
    await relay?.close();
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  });
}

function wrap(handle: DbHandle, driver: TestDriver, close: () => Promise<void>): TestDb {
  return {
    db: handle.db,
    handle,
    driver,
    async reset() {
      const tables = rowsOf<{ tablename: string }>(
        await handle.db.execute(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`),
      );
      await handle.db.execute(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(", ")} RESTART IDENTITY CASCADE`);
    },
    close,
  };
}
