import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { TurnTakingPGlite } from "./client.ts";

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

  it("closes after the statements already waiting for their turn, as plain PGlite does", async () => {
    const client = new TurnTakingPGlite();
    await client.waitReady;
    const waiting = Array.from({ length: 20 }, (_, i) => client.query<{ n: number }>(`SELECT ${i} AS n`));
    await client.close();
    expect((await Promise.all(waiting)).map((result) => result.rows[0]!.n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
