import { randomUUID } from "node:crypto";
import { type Clock, DomainError } from "@pinglass/core";
import { type DbOrTx, preparedPerDb, rowsOf, users } from "@pinglass/db";
import { and, desc, eq, gt, sql } from "drizzle-orm";

export type User = typeof users.$inferSelect;

/**
 * How long a device id that was just replaced still signs in (to the same user, handing out the
 * current id): two tabs that start a session at once both send the old id.
 */
export const previousDeviceIdGraceMs = 60_000;

/** The first key of the advisory lock that serialises sign-ins with one device id (the second is the id's hash). */
const deviceSignInLockSpace = 7_270_002;

/**
 * Signs a browser in by its device id and rotates that credential, so that a device id copied out
 * of a browser (one XSS) stops working once its owner signs in again:
 * - the user whose current device id it is gets a fresh random one, in one UPDATE that also keeps
 *   the old one as previous_device_id with the time;
 * - the previous id within `previousDeviceIdGraceMs` finds the same user, without rotating again;
 * - anything else, a previous id after the grace included, is an unknown device: a new user.
 * The returned row's deviceId is the one the browser must keep from now on.
 *
 * Sign-ins with one id take turns (a transaction-scoped advisory lock on the id): without it a
 * start could miss both the current and the previous id while a parallel one created the user
 * and another rotated it, and create a second user with the id that had just moved.
 */
export async function signInWithDevice(db: DbOrTx, clock: Clock, deviceId: string): Promise<User> {
  const now = clock.now();
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${deviceSignInLockSpace}, hashtext(${deviceId}))`);
    const [rotated] = await tx
      .update(users)
      .set({ deviceId: randomUUID(), previousDeviceId: sql`${users.deviceId}`, deviceRotatedAt: now, updatedAt: now })
      .where(eq(users.deviceId, deviceId))
      .returning();
    if (rotated) return rotated;
    const [replaced] = await tx
      .select()
      .from(users)
      .where(and(eq(users.previousDeviceId, deviceId), gt(users.deviceRotatedAt, new Date(now.getTime() - previousDeviceIdGraceMs))))
      // An id can have been replaced twice (an owner's long ago, then the new user's who came with it after the grace): the latest counts.
      .orderBy(desc(users.deviceRotatedAt))
      .limit(1);
    if (replaced) return replaced;
    const [created] = await tx.insert(users).values({ deviceId }).returning();
    return created!;
  });
}

/**
 * The spec's "Get or Create User", without rotation: tests and benchmarks make users with it;
 * browsers sign in through `signInWithDevice`. INSERT … ON CONFLICT DO NOTHING makes concurrent
 * first calls with one device id end with exactly one user: the losers read the winner's row.
 */
export async function getOrCreateUserByDevice(db: DbOrTx, deviceId: string): Promise<User> {
  const [existing] = await db.select().from(users).where(eq(users.deviceId, deviceId));
  if (existing) return existing;
  const [created] = await db.insert(users).values({ deviceId }).onConflictDoNothing({ target: users.deviceId }).returning();
  if (created) return created;
  const [winner] = await db.select().from(users).where(eq(users.deviceId, deviceId));
  if (!winner) throw new Error(`user for device ${deviceId} vanished during creation`);
  return winner;
}

/** A user that exists only through Telegram still needs the device id the spec requires. */
export const newDeviceId = () => randomUUID();

const userById = preparedPerDb((db) =>
  db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder("userId")))
    .prepare("user_by_id"),
);

export async function getUser(db: DbOrTx, userId: number): Promise<User> {
  const [user] = await userById(db).execute({ userId });
  if (!user) throw new DomainError("UNAUTHORIZED", "errors.unauthorized");
  return user;
}

/** The spec's "Check Payment Status" query, unchanged. */
export async function hasPaid(db: DbOrTx, userId: number): Promise<boolean> {
  const [row] = rowsOf<{ has_paid: boolean }>(
    await db.execute(sql`SELECT EXISTS (SELECT 1 FROM payments WHERE user_id = ${userId} AND status = 'succeeded') AS has_paid`),
  );
  return row?.has_paid === true;
}
