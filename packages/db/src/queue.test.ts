import { asc, eq, inArray, sql } from "drizzle-orm";
import { integer, pgTable, serial, timestamp, varchar } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { backoffSchedule, claimRows, type ExpiringLease, type LeasedTable, maxRetryDelayMs, released, renewLease, retryDelayMs, retryLater, type StampedLease, updateHeld } from "./queue.ts";
import { createTestDb, type TestDb } from "./testing/index.ts";

/** A queue table of this test's own, in the shape a new queue should have, plus a stamp for the stamped lease. */
const items = pgTable("queue_test_items", {
  id: serial("id").primaryKey(),
  status: varchar("status", { length: 20 }).notNull().default("pending"),
  attempts: integer("attempts").notNull().default(0),
  availableAt: timestamp("available_at").notNull().defaultNow(),
  leaseExpiresAt: timestamp("lease_expires_at"),
  claimToken: varchar("claim_token", { length: 36 }),
  touchedAt: timestamp("touched_at").notNull().defaultNow(),
});

const common = { table: items, key: items.id, attempts: items.attempts };
const withToken: LeasedTable<typeof items, ExpiringLease> = { ...common, lease: { availableAt: items.availableAt, expiresAt: items.leaseExpiresAt, token: items.claimToken } };
const leaseFenced: LeasedTable<typeof items, ExpiringLease> = { ...common, lease: { availableAt: items.availableAt, expiresAt: items.leaseExpiresAt } };
const stamped: LeasedTable<typeof items, StampedLease> = { ...common, lease: { stampedAt: items.touchedAt } };

const t0 = new Date("2026-11-25T12:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const leaseMs = 60_000;
const pending = eq(items.status, "pending");

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
  await testDb.db.execute(`CREATE TABLE queue_test_items (
    id serial PRIMARY KEY, status varchar(20) NOT NULL DEFAULT 'pending', attempts integer NOT NULL DEFAULT 0,
    available_at timestamp NOT NULL DEFAULT now(), lease_expires_at timestamp, claim_token varchar(36), touched_at timestamp NOT NULL DEFAULT now())`);
});
afterAll(() => testDb.close());
beforeEach(() => testDb.reset());

const addItems = async (n: number, values: Partial<typeof items.$inferInsert> = {}) =>
  testDb.db
    .insert(items)
    .values(Array.from({ length: n }, () => ({ availableAt: t0, ...values })))
    .returning();
const row = async (id: number) => (await testDb.db.select().from(items).where(eq(items.id, id)))[0]!;

describe("claiming", () => {
  it("gives concurrent claimers different rows: every due row is claimed exactly once", async () => {
    await addItems(60);
    const claimedBy = async () => {
      const ids: number[] = [];
      for (;;) {
        const batch = await claimRows(testDb.db, withToken, { now: t0, leaseMs, limit: 3, where: pending });
        if (batch.length === 0) return ids;
        ids.push(...batch.map((r) => r.id));
      }
    };
    const results = await Promise.all(Array.from({ length: 4 }, claimedBy));
    const all = results.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const rows = await testDb.db.select().from(items);
    expect(new Set(rows.map((r) => r.claimToken)).size).toBe(60);
  });

  it("takes only due rows under the caller's conditions, in its order, and leases each with a fresh token", async () => {
    const [first, second] = await addItems(2);
    const [notYet] = await addItems(1, { availableAt: at(1) });
    const [done] = await addItems(1, { status: "done" });
    const claimed = await claimRows(testDb.db, withToken, { now: t0, leaseMs, limit: 10, where: pending, orderBy: [sql`${items.id} DESC`], countAttempt: true, set: { status: "running" } });
    expect(claimed.map((r) => r.id).sort()).toEqual([first!.id, second!.id]);
    for (const r of claimed) {
      expect(r).toMatchObject({ status: "running", attempts: 1, leaseExpiresAt: at(leaseMs) });
      expect(r.claimToken).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(await row(notYet!.id)).toMatchObject({ attempts: 0, leaseExpiresAt: null, claimToken: null });
    expect(await row(done!.id)).toMatchObject({ status: "done", leaseExpiresAt: null });
    // The order decides which rows a limited claim takes.
    await testDb.db.update(items).set({ status: "pending", leaseExpiresAt: null, claimToken: null });
    const [last] = await claimRows(testDb.db, withToken, { now: at(1), leaseMs, limit: 1, where: pending, orderBy: [sql`${items.id} DESC`] });
    expect(last!.id).toBe(done!.id);
  });

  it("counts an attempt only where the caller's condition holds", async () => {
    const [counted, free] = await addItems(2);
    await claimRows(testDb.db, withToken, { now: t0, leaseMs, limit: 2, countAttempt: eq(items.id, counted!.id) });
    expect((await row(counted!.id)).attempts).toBe(1);
    expect((await row(free!.id)).attempts).toBe(0);
  });

  it("takes a row early when asked, but never one whose lease still holds", async () => {
    const [later] = await addItems(1, { availableAt: at(60_000) });
    const [held] = await addItems(1, { availableAt: at(60_000), leaseExpiresAt: at(1000) });
    expect(await claimRows(testDb.db, withToken, { now: t0, leaseMs, limit: 5 })).toEqual([]);
    const early = await claimRows(testDb.db, withToken, { now: t0, leaseMs, limit: 5, early: true });
    expect(early.map((r) => r.id)).toEqual([later!.id]);
    // A lease that ran out frees its row at once, whatever its available_at says.
    expect((await claimRows(testDb.db, withToken, { now: at(1000), leaseMs, limit: 5 })).map((r) => r.id)).toEqual([held!.id]);
  });
});

describe("leases and fenced writes", () => {
  it("lets another claimer take a row over once its lease runs out; from then on the first claim's writes are refused", async () => {
    const [item] = await addItems(1);
    const [mine] = await claimRows(testDb.db, withToken, { now: t0, leaseMs, limit: 1 });
    expect(await claimRows(testDb.db, withToken, { now: at(leaseMs - 1), leaseMs, limit: 1 })).toEqual([]);
    const [theirs] = await claimRows(testDb.db, withToken, { now: at(leaseMs), leaseMs, limit: 1 });
    expect(theirs!.id).toBe(item!.id);
    expect(theirs!.claimToken).not.toBe(mine!.claimToken);

    expect(await updateHeld(testDb.db, withToken, mine!, { status: "done" })).toBe(false);
    expect(await renewLease(testDb.db, withToken, mine!, at(leaseMs), leaseMs)).toBeNull();
    expect(await row(item!.id)).toMatchObject({ status: "pending", leaseExpiresAt: at(2 * leaseMs) });
    expect(await updateHeld(testDb.db, withToken, theirs!, { status: "done", ...released(withToken) })).toBe(true);
    expect(await row(item!.id)).toMatchObject({ status: "done", leaseExpiresAt: null, claimToken: null });
    // Given up: the token is gone, so even the last holder cannot write again.
    expect(await updateHeld(testDb.db, withToken, theirs!, { status: "pending" })).toBe(false);
  });

  it("keeps a renewed row its claim's, and a renewal keeps the token", async () => {
    await addItems(1);
    const [mine] = await claimRows(testDb.db, withToken, { now: t0, leaseMs, limit: 1 });
    const renewed = await renewLease(testDb.db, withToken, mine!, at(leaseMs - 1), leaseMs);
    expect(renewed).toMatchObject({ claimToken: mine!.claimToken, leaseExpiresAt: at(2 * leaseMs - 1) });
    expect(await claimRows(testDb.db, withToken, { now: at(leaseMs), leaseMs, limit: 1 })).toEqual([]);
    expect(await updateHeld(testDb.db, withToken, mine!, { status: "done" })).toBe(true);
  });

  it("fences by the lease itself on a table without a token: a renewal moves the fence, and a takeover is refused to the old claim", async () => {
    await addItems(1);
    const [mine] = await claimRows(testDb.db, leaseFenced, { now: t0, leaseMs, limit: 1 });
    const renewed = await renewLease(testDb.db, leaseFenced, mine!, at(1000), leaseMs, { status: "running" });
    expect(renewed).toMatchObject({ status: "running", leaseExpiresAt: at(1000 + leaseMs) });
    expect(await updateHeld(testDb.db, leaseFenced, mine!, { status: "stale write" })).toBe(false);
    const [theirs] = await claimRows(testDb.db, leaseFenced, { now: at(1000 + leaseMs), leaseMs, limit: 1 });
    expect(await updateHeld(testDb.db, leaseFenced, renewed!, { status: "done" })).toBe(false);
    expect(await updateHeld(testDb.db, leaseFenced, theirs!, { status: "done" })).toBe(true);
  });
});

describe("attempts and the backoff", () => {
  it("is 5 s, then four times longer each attempt, never more than an hour", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(retryDelayMs)).toEqual([5_000, 20_000, 80_000, 320_000, 1_280_000, maxRetryDelayMs, maxRetryDelayMs, maxRetryDelayMs]);
    expect(maxRetryDelayMs).toBe(3_600_000);
    expect(retryDelayMs(0)).toBe(5_000);
  });

  it("makes a failed row due again exactly after its backoff, or after a longer wait it was told", async () => {
    const [a, b] = await addItems(2);
    const claimed = await claimRows(testDb.db, withToken, { now: t0, leaseMs, limit: 2, countAttempt: true });
    const held = (id: number) => claimed.find((r) => r.id === id)!;
    expect(await updateHeld(testDb.db, withToken, held(a!.id), retryLater(withToken, { attempts: 3, now: t0 }))).toBe(true);
    expect(await updateHeld(testDb.db, withToken, held(b!.id), retryLater(withToken, { attempts: 1, now: t0, atLeastMs: 30_000 }))).toBe(true);
    expect(await row(a!.id)).toMatchObject({ attempts: 3, availableAt: at(80_000), leaseExpiresAt: null, claimToken: null });
    expect(await row(b!.id)).toMatchObject({ attempts: 1, availableAt: at(30_000) });
    expect(await claimRows(testDb.db, withToken, { now: at(29_999), leaseMs, limit: 2 })).toEqual([]);
    expect((await claimRows(testDb.db, withToken, { now: at(30_000), leaseMs, limit: 2 })).map((r) => r.id)).toEqual([b!.id]);
    expect((await claimRows(testDb.db, withToken, { now: at(80_000), leaseMs, limit: 2 })).map((r) => r.id)).toEqual([a!.id]);
  });

  it("follows a queue's own schedule instead, its last step repeated", async () => {
    const schedule = backoffSchedule([5_000, 30_000, 300_000]);
    expect([0, 1, 2, 3, 4, 9].map(schedule)).toEqual([5_000, 5_000, 30_000, 300_000, 300_000, 300_000]);
    const [a] = await addItems(1);
    const [held] = await claimRows(testDb.db, withToken, { now: t0, leaseMs, limit: 1, countAttempt: true });
    expect(await updateHeld(testDb.db, withToken, held!, retryLater(withToken, { attempts: 2, now: t0, backoff: schedule }))).toBe(true);
    expect(await row(a!.id)).toMatchObject({ attempts: 2, availableAt: at(30_000), leaseExpiresAt: null, claimToken: null });
  });
});

describe("a stamped lease (a table without lease columns)", () => {
  it("takes a row never tried at once, stamps and counts each claim, and waits the longer of the lease and the backoff after it", async () => {
    // The stamp of a new row is the database's insert time, which may be ahead of the clock.
    const [item] = await addItems(1, { touchedAt: at(3_600_000) });
    const [first] = await claimRows(testDb.db, stamped, { now: t0, leaseMs, limit: 1, where: pending });
    expect(first).toMatchObject({ id: item!.id, attempts: 1, touchedAt: t0 });
    expect(await claimRows(testDb.db, stamped, { now: at(leaseMs - 1), leaseMs, limit: 1 })).toEqual([]);
    const [second] = await claimRows(testDb.db, stamped, { now: at(leaseMs), leaseMs, limit: 1 });
    expect(second).toMatchObject({ attempts: 2, touchedAt: at(leaseMs) });
    // The first claim lost the row with its stamp.
    expect(await updateHeld(testDb.db, stamped, first!, { status: "done" })).toBe(false);
    expect(await updateHeld(testDb.db, stamped, second!, { touchedAt: at(leaseMs) })).toBe(true);

    // After four attempts the backoff (320 s) outlasts the lease.
    await testDb.db.update(items).set({ attempts: 4, touchedAt: t0 }).where(inArray(items.id, [item!.id]));
    expect(await claimRows(testDb.db, stamped, { now: at(retryDelayMs(4) - 1), leaseMs, limit: 1 })).toEqual([]);
    expect(await claimRows(testDb.db, stamped, { now: at(retryDelayMs(4)), leaseMs, limit: 1, orderBy: [asc(items.id)] })).toMatchObject([{ attempts: 5 }]);
  });
});
