import { createSessionTokens } from "@pinglass/accounts";
import type { ApiDeps } from "@pinglass/api";
import { systemClock } from "@pinglass/core";
import { createDb, type DbHandle, migrate } from "@pinglass/db";
import type { Logger } from "pino";
import type { Config } from "./config.ts";

/**
 * Builds the real parts from configuration: the database (migrated), and each external service's
 * real client, or its embedded default when it is not configured.
 */
export async function buildParts(config: Config, logger: Logger): Promise<{ deps: ApiDeps; db: DbHandle; close(): Promise<void> }> {
  const db = await createDb(config.databaseUrl, { driver: config.databaseDriver });
  logger.info({ database: db.location, driver: db.driver }, db.driver === "pglite" ? "database: embedded PGlite" : "database connected");
  await migrate(db);
  const deps: ApiDeps = {
    db: db.db,
    clock: systemClock,
    sessions: createSessionTokens({ secret: config.sessionSecret, ttlSeconds: config.sessionTtlSeconds, clock: systemClock }),
  };
  return { deps, db, close: () => db.close() };
}
