import { randomUUID } from "node:crypto";
import { DomainError } from "@pinglass/core";
import { type DbOrTx, preparedPerDb, rowsOf, users } from "@pinglass/db";
import { eq, sql } from "drizzle-orm";

export type User = typeof users.$inferSelect;

/**
 * The spec's "Get or Create User". INSERT … ON CONFLICT DO NOTHING makes concurrent first calls
 * with one device id end with exactly one user: the losers read the winner's row.
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
