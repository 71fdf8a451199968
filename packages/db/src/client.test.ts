import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "./rows.ts";
import { PGlite } from "@electric-sql/pglite";
import { TurnTakingPGlite } from "./client.ts";
import { createTestDb, type TestDb } from "./testing/index.ts";

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.close());

describe("a database handle", () => {
  it("keeps answering after the server ends its other connections (a restart or failover), without crashing the process", async () => {
    // Two statements at once, so a pool (node-postgres, Neon) holds two connections, one of them idle afterwards.
    await Promise.all([testDb.db.execute(sql`SELECT pg_sleep(0.05)`), testDb.db.execute(sql`SELECT pg_sleep(0.05)`)]);
    const ended = testDb.driver === "pglite" ? [] : rowsOf<{ ended: boolean }>(await testDb.db.execute(sql`SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`));
    if (testDb.driver !== "pglite") expect(ended.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 3; i++) expect(rowsOf<{ one: number }>(await testDb.db.execute(sql`SELECT 1 AS one`))[0]?.one).toBe(1);
  });
});

describe("embedded PGlite under a queue of statements", () => {
  /** How many of `count` statements sent at once had finished when a timer set at the same moment fired. */
  async function finishedBeforeTimer(client: PGlite, count: number): Promise<number> {
    await client.waitReady;
    let finished = 0;
    const timer = new Promise<number>((resolve) => setTimeout(() => resolve(finished), 0));
    await Promise.all(Array.from({ length: count }, () => client.query("SELECT 1").then(() => finished++)));
    const seen = await timer;
    await client.close();
    return seen;
  }

  it("lets the event loop run between statements, where plain PGlite drains the whole queue first", async () => {
    // Plain PGlite: the timer (like a new connection or /healthz) waits for all 200.
    expect(await finishedBeforeTimer(new PGlite(), 200)).toBe(200);
    // One statement per turn: the timer runs long before the queue is done.
    expect(await finishedBeforeTimer(new TurnTakingPGlite(), 200)).toBeLessThan(10);
  });
});
