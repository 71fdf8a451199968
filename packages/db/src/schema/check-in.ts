import { sql } from "drizzle-orm";

/** The body of a named CHECK constraint that limits a status column to its TypeScript union. */
export const inList = (column: string, values: readonly string[]) =>
  sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(", ")})`);
