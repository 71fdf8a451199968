/**
 * Rows as a work queue that any number of processes share through Postgres (generation slots,
 * Telegram deliveries, refunds, developer webhooks). A claim takes due rows with FOR UPDATE SKIP
 * LOCKED and leases them; every later write of that claim is fenced: it lands only while the
 * claim still holds the row, so a worker whose lease ran out cannot overwrite the one that took
 * over. Attempts are counted, and a failed attempt waits the one backoff (`retryDelayMs`), or a
 * schedule of the queue's own (`backoffSchedule`: developer webhooks promise one).
 */
import { and, type AnyColumn, eq, getTableColumns, inArray, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable, PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { DbOrTx } from "./client.ts";

const firstRetryDelayMs = 5_000;
export const maxRetryDelayMs = 60 * 60_000;

/**
 * The one backoff: how long a row waits after its `attempt`-th failed attempt. 5 s, 20 s, 80 s,
 * 320 s, … (×4 each time), never more than an hour. Deterministic, without jitter: the claims
 * already meter a crowd of rows that come due together (a claim's limit, generation's provider
 * cap), and a fixed schedule is one that the README and the tests can state.
 */
export function retryDelayMs(attempt: number): number {
  return Math.min(firstRetryDelayMs * 4 ** Math.max(attempt - 1, 0), maxRetryDelayMs);
}

/** `retryDelayMs` of a column, in SQL, built from the function itself (for a table that keeps no due time). */
function retryDelaySql(attempts: AnyColumn): SQL {
  const steps: SQL[] = [];
  for (let attempt = 1; retryDelayMs(attempt) < maxRetryDelayMs; attempt++) steps.push(sql`WHEN ${attempts} <= ${attempt}::int THEN ${retryDelayMs(attempt)}::bigint`);
  return sql`(CASE ${sql.join(steps, sql` `)} ELSE ${maxRetryDelayMs}::bigint END)`;
}

/**
 * The lease every queue table should have: when a row is due, until when a claim holds it, and
 * the claim's token.
 */
export interface ExpiringLease {
  /** When a row that nobody holds is due: new work, a retry after its backoff, a poll. */
  availableAt: PgColumn;
  /** Until when the claim holds the row; null while nobody does. */
  expiresAt: PgColumn;
  /**
   * A fresh uuid per claim, kept by renewals: it fences the claim's writes. Without this column
   * the lease's own value fences (telegram_deliveries): a renewal moves it, and `renewLease`
   * returns the row with the new one.
   */
  token?: PgColumn;
}

/**
 * The lease of a table with no lease columns (payment_refunds, until it gets them): a claim
 * stamps `stampedAt` with its time and holds the row for its lease from then. A row cannot tell a
 * live claim from a failed attempt, so after either it waits the longer of the lease and the
 * backoff from its last stamp; a row with no attempt yet is due at once (its stamp is the
 * database's insert time, not the clock's). Every claim counts an attempt.
 */
export interface StampedLease {
  stampedAt: PgColumn;
}

export interface LeasedTable<T extends PgTable = PgTable, L extends ExpiringLease | StampedLease = ExpiringLease | StampedLease> {
  table: T;
  /** The row's primary key. */
  key: PgColumn;
  /** Attempts made so far. */
  attempts: PgColumn;
  lease: L;
}

export type Row<T extends PgTable> = T["$inferSelect"];
/** What a write of a held row sets: column values, or SQL. */
export type Values<T extends PgTable> = PgUpdateSetSource<T>;

const isStamped = (lease: ExpiringLease | StampedLease): lease is StampedLease => "stampedAt" in lease;

/** The property a column has in its table's rows (drizzle's update values and results use it). */
function propertyOf(table: PgTable, column: PgColumn): string {
  const found = Object.entries(getTableColumns(table)).find(([, candidate]) => candidate === column);
  if (!found) throw new Error(`column ${column.name} is not a column of this table`);
  return found[0];
}

const timestamp = (date: Date) => sql`${date.toISOString()}::timestamp`;

/** Rows that a claim may take now. `early`: before their available_at too (an event says they are ready). */
export function isClaimable(queue: LeasedTable, now: Date, options: { leaseMs: number; early?: boolean }): SQL {
  const { lease, attempts } = queue;
  if (isStamped(lease)) {
    const wait = sql`greatest(${options.leaseMs}::bigint, ${retryDelaySql(attempts)}) * interval '1 millisecond'`;
    return or(eq(attempts, 0), sql`${lease.stampedAt} + ${wait} <= ${timestamp(now)}`)!;
  }
  if (options.early) return or(isNull(lease.expiresAt), lte(lease.expiresAt, now))!;
  // A lease that ran out frees its row at once: its holder vanished in the middle of the work.
  return or(and(isNull(lease.expiresAt), lte(lease.availableAt, now)), lte(lease.expiresAt, now))!;
}

export interface ClaimOptions<T extends PgTable> {
  now: Date;
  leaseMs: number;
  limit: number;
  /** The caller's own conditions (a status, ids it chose under its own caps, …), ANDed with being claimable. */
  where?: SQL;
  orderBy?: (PgColumn | SQL)[];
  /** Other columns the claim writes (a status, updated_at, …). */
  set?: Values<T>;
  /** Whether this claim is an attempt: always, or for the rows where the condition holds. A stamped lease counts every claim. */
  countAttempt?: boolean | SQL;
  /** Take rows before their available_at (an event says they are ready); a live lease still keeps them. */
  early?: boolean;
}

/**
 * Takes up to `limit` claimable rows that nobody else is taking right now (FOR UPDATE SKIP LOCKED:
 * concurrent claimers get different rows and never wait for each other) and leases them, in one
 * statement. Returns the rows as claimed; hand them back to `updateHeld` and `renewLease`.
 * RETURNING keeps no order: sort the result if its order matters.
 */
export async function claimRows<T extends PgTable>(db: DbOrTx, queue: LeasedTable<T>, options: ClaimOptions<T>): Promise<Row<T>[]> {
  const { table, key, attempts, lease } = queue;
  const { now, leaseMs } = options;
  const chosen = db
    .select({ key })
    .from(table as PgTable)
    .where(and(isClaimable(queue, now, options), options.where))
    .orderBy(...(options.orderBy ?? []))
    .limit(options.limit)
    .for("update", { skipLocked: true });
  const counted = isStamped(lease) ? true : (options.countAttempt ?? false);
  const values: Record<string, unknown> = { ...options.set };
  if (isStamped(lease)) values[propertyOf(table, lease.stampedAt)] = now;
  else {
    values[propertyOf(table, lease.expiresAt)] = new Date(now.getTime() + leaseMs);
    if (lease.token) values[propertyOf(table, lease.token)] = sql`gen_random_uuid()::text`;
  }
  if (counted !== false) values[propertyOf(table, attempts)] = counted === true ? sql`${attempts} + 1` : sql`${attempts} + CASE WHEN ${counted} THEN 1 ELSE 0 END`;
  return (await db
    .update(table)
    .set(values as Values<T>)
    .where(inArray(key, chosen))
    .returning()) as Row<T>[];
}

/** The condition that the claim that produced `held` still holds its row. */
function heldBy(queue: LeasedTable, held: Row<PgTable>): SQL {
  const { table, key, lease } = queue;
  const fence = isStamped(lease) ? lease.stampedAt : (lease.token ?? lease.expiresAt);
  const value = (held as Record<string, unknown>)[propertyOf(table, fence)];
  const keyValue = (held as Record<string, unknown>)[propertyOf(table, key)];
  return value === null || value === undefined ? sql`false` : and(eq(key, keyValue), eq(fence, value))!;
}

/** Writes `values` to a held row, only while the claim still holds it: false when the claim was lost. */
export async function updateHeld<T extends PgTable>(db: DbOrTx, queue: LeasedTable<T>, held: Row<T>, values: Values<T>): Promise<boolean> {
  const written = await db
    .update(queue.table)
    .set(values)
    .where(heldBy(queue, held))
    .returning({ key: queue.key });
  return (written as unknown[]).length === 1;
}

/**
 * Extends the claim's lease to `leaseMs` after `now` (writing `values` with it), only while the
 * claim still holds the row. Returns the row as it is now held (without a token column, the new
 * lease is the new fence), or null when the claim was lost.
 */
export async function renewLease<T extends PgTable>(db: DbOrTx, queue: LeasedTable<T>, held: Row<T>, now: Date, leaseMs: number, values?: Values<T>): Promise<Row<T> | null> {
  const { table, lease } = queue;
  const renewal: Record<string, unknown> = { ...values };
  if (isStamped(lease)) renewal[propertyOf(table, lease.stampedAt)] = now;
  else renewal[propertyOf(table, lease.expiresAt)] = new Date(now.getTime() + leaseMs);
  const [row] = (await db
    .update(table)
    .set(renewal as Values<T>)
    .where(heldBy(queue, held))
    .returning()) as Row<T>[];
  return row ?? null;
}

/** The values that give a claim up with a write: nobody holds the row until its next claim. */
export function released<T extends PgTable>(queue: LeasedTable<T, ExpiringLease>): Values<T> {
  const { table, lease } = queue;
  const values: Record<string, null> = { [propertyOf(table, lease.expiresAt)]: null };
  if (lease.token) values[propertyOf(table, lease.token)] = null;
  return values as Values<T>;
}

/**
 * A backoff of fixed steps: the wait after the n-th failed attempt is `stepsMs[n − 1]`, the last
 * step after that. For a queue whose callers were promised a schedule (developer webhooks: the
 * one Standard Webhooks receivers expect) instead of the one backoff.
 */
export const backoffSchedule =
  (stepsMs: readonly number[]) =>
  (attempt: number): number =>
    stepsMs[Math.min(Math.max(attempt, 1), stepsMs.length) - 1]!;

/**
 * The values of a failed attempt that will be tried again: the claim is given up, `attempts` is
 * recorded, and the row is due after the backoff of that attempt (the one backoff, or the
 * queue's own `backoff`: see backoffSchedule), or after `atLeastMs` when that is longer (a Retry-After).
 */
export function retryLater<T extends PgTable>(
  queue: LeasedTable<T, ExpiringLease>,
  options: { attempts: number; now: Date; atLeastMs?: number; backoff?: (attempt: number) => number },
): Values<T> {
  const { table, attempts, lease } = queue;
  const delay = Math.max((options.backoff ?? retryDelayMs)(options.attempts), options.atLeastMs ?? 0);
  return {
    ...released(queue),
    [propertyOf(table, attempts)]: options.attempts,
    [propertyOf(table, lease.availableAt)]: new Date(options.now.getTime() + delay),
  } as Values<T>;
}
