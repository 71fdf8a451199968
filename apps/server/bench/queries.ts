import { type ApiDeps, createCaller, createContext } from "@pinglass/api";
import * as schema from "@pinglass/db";
import type { Db } from "@pinglass/db";
import { drizzle } from "drizzle-orm/node-postgres";
import type pg from "pg";

export interface Statement {
  sql: string;
  params: unknown[];
  /** Set when the procedure runs it as a named prepared statement; the bare handler then does too. */
  name?: string;
}

/** The endpoints the benchmark loads, as the web app calls them. */
export const endpoints = {
  "photos.list": { input: { limit: 30 }, call: (caller: ReturnType<typeof createCaller>) => caller.photos.list({ limit: 30 }) },
  "session.me": { input: undefined, call: (caller: ReturnType<typeof createCaller>) => caller.session.me() },
} as const;
export type EndpointName = keyof typeof endpoints;

/**
 * The SQL each procedure really sends, recorded by running the procedure once through the real
 * router on a drizzle instance over a pool whose query() writes down each statement (its text,
 * parameters and prepared-statement name): the bare handler then runs exactly these statements the
 * same way, so any change to the domain queries is measured on both sides.
 */
export async function recordStatements(pool: pg.Pool, deps: ApiDeps, token: string): Promise<Record<EndpointName, Statement[]>> {
  let recorded: Statement[] = [];
  const query = pool.query.bind(pool) as (config: string | pg.QueryConfig, values?: unknown[]) => Promise<unknown>;
  const recording = Object.assign(Object.create(pool) as pg.Pool, {
    query: (config: string | pg.QueryConfig, values?: unknown[]) => {
      const text = typeof config === "string" ? config : config.text;
      recorded.push({ sql: text, params: values ?? (typeof config === "string" ? [] : (config.values ?? [])), name: typeof config === "string" ? undefined : config.name });
      return query(config, values);
    },
  });
  const db = drizzle({ client: recording, schema }) as unknown as Db;
  const caller = createCaller(createContext({ ...deps, db }, { authorization: `Bearer ${token}` }));
  const result = {} as Record<EndpointName, Statement[]>;
  for (const name of Object.keys(endpoints) as EndpointName[]) {
    recorded = [];
    await endpoints[name].call(caller);
    result[name] = recorded;
  }
  return result;
}
