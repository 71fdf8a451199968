import { migrate as migrateNeon } from "drizzle-orm/neon-serverless/migrator";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { DbHandle } from "./client.ts";
import { migrationsFolder } from "./paths.ts";

/** Applies the committed migrations in drizzle/ with the driver's own migrator. */
export async function migrate(handle: DbHandle): Promise<void> {
  const config = { migrationsFolder };
  // Each migrator takes its own driver's database type; the handle knows which one it holds.
  switch (handle.driver) {
    case "pglite":
      return migratePglite(handle.db as never, config);
    case "node-postgres":
      return migrateNodePg(handle.db as never, config);
    case "neon":
      return migrateNeon(handle.db as never, config);
  }
}
