import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Pool as NeonPool, neonConfig } from "@neondatabase/serverless";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import { drizzle as drizzleNeon } from "drizzle-orm/neon-serverless";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import { WebSocket } from "ws";
import { embeddedDataDir } from "./paths.ts";
import * as schema from "./schema/index.ts";

export type Schema = typeof schema;
/** One database type whatever the driver: PGlite, node-postgres and Neon all speak the same pg-core API. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Code that works inside or outside a transaction takes this. */
export type DbOrTx = Db | Tx;

export type Driver = "pglite" | "node-postgres" | "neon";

export interface DbHandle {
  db: Db;
  driver: Driver;
  /** A human-readable place, without credentials, for logs. */
  location: string;
  /** The connection pool of node-postgres or Neon (Neon's Pool is pg's API), for libraries that want one; absent on PGlite. */
  pool?: pg.Pool | NeonPool;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /** Force the Neon driver for a URL that does not look like Neon (DATABASE_DRIVER=neon). */
  driver?: "neon";
  /** Neon over a plain WebSocket relay on loopback (tests, or a local Neon proxy). */
  neonWsProxy?: string;
  /** Connection pool size for node-postgres and Neon. */
  poolSize?: number;
}

/**
 * PGlite with one statement per turn of the event loop. PGlite runs each statement synchronously on
 * the thread that serves HTTP and hands its lock to the next waiting statement in a microtask, so
 * under load a queue of hundreds of statements drains without the event loop ever running: no
 * new connection is taken and /healthz waits seconds (measured by `pnpm bench:edges`). Here each
 * statement (and each transaction, as a whole) waits for the previous one and then for one
 * setImmediate, so network I/O is read in between. Inside a transaction its own client is used,
 * which is not gated, as PGlite's own lock already requires.
 */
export class TurnTakingPGlite extends PGlite {
  #previous: Promise<unknown> = Promise.resolve();

  #inTurn<T>(work: () => Promise<T>): Promise<T> {
    // Until it is ready PGlite runs its own set-up statements through these methods: they go straight through.
    if (!this.ready) return work();
    const turn = this.#previous.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(work);
    this.#previous = turn.catch(() => undefined);
    return turn;
  }

  override query: PGlite["query"] = (...args) => this.#inTurn(() => super.query(...args));
  override exec: PGlite["exec"] = (...args) => this.#inTurn(() => super.exec(...args));
  override transaction: PGlite["transaction"] = (callback) => this.#inTurn(() => super.transaction(callback));
  /** Closes after the statements already waiting for their turn, as PGlite closes after those waiting for its lock. */
  override close: PGlite["close"] = async () => {
    await this.#previous;
    return super.close();
  };
}

const isNeonHost = (url: URL) => url.hostname.endsWith(".neon.tech") || url.hostname.endsWith(".neon.build");

/**
 * Opens a database from a URL and picks the driver from it:
 * - undefined or empty: file-backed PGlite in .data/pglite at the repo root (the embedded default)
 * - memory://: in-memory PGlite
 * - a Neon host, or options.driver "neon": @neondatabase/serverless Pool over WebSockets
 * - any other postgres:// or postgresql:// URL: node-postgres
 */
export async function createDb(url: string | undefined, options: CreateDbOptions = {}): Promise<DbHandle> {
  if (!url) {
    const dir = join(embeddedDataDir, "pglite");
    mkdirSync(dir, { recursive: true });
    return pgliteHandle(new TurnTakingPGlite(dir), `pglite:${dir}`);
  }
  if (url.startsWith("memory://")) return pgliteHandle(new TurnTakingPGlite(), "pglite:memory");

  const parsed = new URL(url);
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new Error(`DATABASE_URL must start with postgres://, postgresql:// or memory:// (got ${parsed.protocol}//)`);
  }
  const location = `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  const max = options.poolSize ?? 10;

  if (options.driver === "neon" || isNeonHost(parsed)) {
    neonConfig.webSocketConstructor = WebSocket;
    if (options.neonWsProxy) {
      const proxy = options.neonWsProxy;
      neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
      neonConfig.useSecureWebSocket = false;
      neonConfig.pipelineTLS = false;
      neonConfig.pipelineConnect = false;
    }
    const pool = new NeonPool({ connectionString: url, max });
    pool.on("error", dropIdleClient);
    const db = drizzleNeon({ client: pool, schema }) as unknown as Db;
    return { db, driver: "neon", location: `neon:${location}`, pool, close: () => pool.end() };
  }

  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("error", dropIdleClient);
  const db = drizzleNodePg({ client: pool, schema }) as unknown as Db;
  return { db, driver: "node-postgres", location: `postgres:${location}`, pool, close: () => pool.end() };
}

/**
 * An idle pooled connection that the server ended (a restart, a failover, a dropped database):
 * the pool has already discarded it and opens a new one on demand. Without a listener the pool's
 * 'error' event would end the whole process.
 */
const dropIdleClient = () => undefined;

function pgliteHandle(client: PGlite, location: string): DbHandle {
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return { db, driver: "pglite", location, close: () => client.close() };
}
