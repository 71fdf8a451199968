import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import { createDb, type Db, type DbHandle, TurnTakingPGlite } from "../client.ts";
import { migrate } from "../migrate.ts";
import { migrationsFolder } from "../paths.ts";
import { rowsOf } from "../rows.ts";
import * as schema from "../schema/index.ts";
import { startNeonRelay } from "./neon-relay.ts";

export { startNeonRelay } from "./neon-relay.ts";

export type TestDriver = "pglite" | "postgres" | "neon";

export interface TestDb {
  db: Db;
  handle: DbHandle;
  driver: TestDriver;
  /** Where other processes (a server or workers the test spawns) open it too; null for in-memory PGlite, which only this one can. */
  url: string | null;
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
 * What a migrated test database is made from: the committed migrations and packages/db's
 * package.json (it pins PGlite and drizzle-orm). A change to any of them makes a new image.
 */
function migrationsKey(): string {
  const hash = createHash("sha256").update(readFileSync(new URL("../../package.json", import.meta.url)));
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));
  for (const file of files(migrationsFolder)) hash.update(file.slice(migrationsFolder.length)).update(readFileSync(file));
  return hash.digest("hex").slice(0, 16);
}

/**
 * A database for one test file, on the driver of the current run: in-memory PGlite, or a new
 * database on the TEST_POSTGRES_URL server reached through node-postgres or through the Neon
 * driver and a loopback WebSocket relay.
 *
 * It starts migrated, copied from an image built once per set of migrations (creating and
 * migrating a PGlite per file was most of the suite's time): PGlite loads a data-dir tarball
 * kept in the temp dir, PostgreSQL copies a template database. `{ empty: true }` gives a
 * database nothing has touched, for tests of the migrations themselves.
 */
export async function createTestDb(options: { empty?: boolean } = {}): Promise<TestDb> {
  const driver = testDriver();
  if (driver === "pglite") {
    const handle = options.empty ? await createDb("memory://") : await pgliteFromImage();
    return wrap(handle, driver, null, () => handle.close());
  }

  const adminUrl = process.env.TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error(`TEST_DB=${driver} needs TEST_POSTGRES_URL`);
  const name = `pinglass_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const template = options.empty ? undefined : await templateDatabase(adminUrl);
  await onServer(adminUrl, (admin) => admin.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`));

  const relay = driver === "neon" ? await startNeonRelay() : undefined;
  const url = databaseUrl(adminUrl, name);
  const handle = await createDb(url, relay ? { driver: "neon", neonWsProxy: relay.url, poolSize: 5 } : { poolSize: 5 });
  return wrap(handle, driver, url, async () => {
    await handle.close();
    await relay?.close();
    await onServer(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });
}

const imageDir = join(tmpdir(), "pinglass-test-db");

/**
 * An in-memory PGlite loaded from the migrated image, which the first caller builds. Processes
 * that build it at the same moment each write a whole file and rename it into place, so a
 * reader never sees half an image.
 */
async function pgliteFromImage(): Promise<DbHandle> {
  const image = join(imageDir, `pglite-${migrationsKey()}.tar`);
  let tarball: Buffer | undefined;
  try {
    tarball = readFileSync(image);
    utimesSync(image, new Date(), new Date());
  } catch {}
  if (tarball) return pgliteHandle(new TurnTakingPGlite({ loadDataDir: new Blob([new Uint8Array(tarball)]) }));

  const handle = await createDb("memory://");
  await migrate(handle);
  const client = (handle.db as unknown as { $client: PGlite }).$client;
  // A checkpoint first, so loading the image replays no WAL.
  await client.exec("CHECKPOINT");
  const dump = Buffer.from(await (await client.dumpDataDir("none")).arrayBuffer());
  mkdirSync(imageDir, { recursive: true });
  const partial = `${image}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(partial, dump);
  renameSync(partial, image);
  removeStaleImages(image);
  return handle;
}

/** Images of other migrations nobody has used for a day (each is some 40 MB). */
function removeStaleImages(current: string) {
  const dayAgo = Date.now() - 86_400_000;
  for (const file of readdirSync(imageDir)) {
    const path = join(imageDir, file);
    try {
      if (path !== current && statSync(path).mtimeMs < dayAgo) unlinkSync(path);
    } catch {}
  }
}

function pgliteHandle(client: PGlite): DbHandle {
  return { db: drizzlePglite({ client, schema }) as unknown as Db, driver: "pglite", location: "pglite:memory", close: () => client.close() };
}

/**
 * The migrated template on the TEST_POSTGRES_URL server, made by the first test file that needs
 * it. An advisory lock makes the others wait for it; it is built under another name and renamed
 * when complete, so an interrupted build leaves no half-migrated template behind.
 */
async function templateDatabase(adminUrl: string): Promise<string> {
  const template = `pinglass_template_${migrationsKey()}`;
  await onServer(adminUrl, async (admin) => {
    await admin.query("SELECT pg_advisory_lock(hashtext($1))", [template]);
    const existing = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [template]);
    if (existing.rowCount) return;
    const building = `${template}_building`;
    await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${building}`);
    const handle = await createDb(databaseUrl(adminUrl, building), { poolSize: 1 });
    try {
      await migrate(handle);
    } finally {
      await handle.close();
    }
    await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
  }); // Ending the session releases the lock.
  return template;
}

async function onServer<T>(adminUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function wrap(handle: DbHandle, driver: TestDriver, url: string | null, close: () => Promise<void>): TestDb {
  return {
    db: handle.db,
    handle,
    driver,
    url,
    async reset() {
      const tables = rowsOf<{ tablename: string }>(
        await handle.db.execute(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`),
      );
      await handle.db.execute(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(", ")} RESTART IDENTITY CASCADE`);
    },
    close,
  };
}
