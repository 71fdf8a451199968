import type { DbOrTx } from "./client.ts";

/**
 * A query drizzle builds once per database handle (and per variant) instead of on every call: on
 * the hottest reads, building the query costs more than running it (measured by `pnpm bench`).
 * Give it a name with `.prepare(name)`: PostgreSQL then also parses and plans it once per connection.
 */
export function preparedPerDb<T, Variant extends string = "">(build: (db: DbOrTx, variant: Variant) => T): (db: DbOrTx, variant?: Variant) => T {
  const built = new WeakMap<DbOrTx, Map<Variant, T>>();
  return (db, variant = "" as Variant) => {
    let variants = built.get(db);
    if (!variants) built.set(db, (variants = new Map()));
    let query = variants.get(variant);
    if (query === undefined) variants.set(variant, (query = build(db, variant)));
    return query;
  };
}
