import { type Clock, DomainError } from "@pinglass/core";
import { avatars, type Db, generationJobs, paymentEvents, paymentRefunds, payments, telegramLinkCodes, type Tx, users } from "@pinglass/db";
import { paymentSessionLifetimeMs } from "@pinglass/payments";
import { and, eq, gt, inArray } from "drizzle-orm";
import { deleteAvatarsWithin } from "./avatars.ts";

/**
 * What belongs to a user, stated once: avatars (and through them photos, references, jobs,
 * slots, deliveries, refunds), payments (and through them payment events and refunds) and
 * Telegram link codes. Merging and deleting accounts both follow this list; a test compares it
 * with every foreign key that points at users.
 */
export const userOwnedColumns = ["avatars.user_id", "payments.user_id", "telegram_link_codes.user_id"] as const;

/**
 * Moves everything of `absorbedId` to `survivorId` and removes the absorbed user row, inside the
 * caller's transaction. Both user rows are locked in id order first, so two merges (or a merge
 * and a deletion) touching the same users wait for each other instead of deadlocking. Returns
 * the absorbed user as it was, or null when it no longer exists.
 */
export async function mergeUsersWithin(tx: Tx, clock: Clock, survivorId: number, absorbedId: number) {
  if (survivorId === absorbedId) throw new Error("a user cannot be merged into itself");
  const locked = await tx.select().from(users).where(inArray(users.id, [survivorId, absorbedId])).orderBy(users.id).for("update");
  const absorbed = locked.find((u) => u.id === absorbedId);
  if (!locked.some((u) => u.id === survivorId)) throw new DomainError("UNAUTHORIZED", "errors.unauthorized");
  if (!absorbed) return null;
  await tx.update(avatars).set({ userId: survivorId }).where(eq(avatars.userId, absorbedId));
  await tx.update(payments).set({ userId: survivorId }).where(eq(payments.userId, absorbedId));
  await tx.update(telegramLinkCodes).set({ userId: survivorId }).where(eq(telegramLinkCodes.userId, absorbedId));
  await tx.delete(users).where(eq(users.id, absorbedId));
  await tx
    .update(users)
    .set({ updatedAt: clock.now(), ...(absorbed.languageCode ? { languageCode: absorbed.languageCode } : {}) })
    .where(eq(users.id, survivorId));
  return absorbed;
}

/**
 * "Delete all my data": every row of the user in one transaction, then the caller removes the
 * returned storage keys. Refused while one of the user's avatars is generating (the worker is
 * still writing paid photos for it) and while a payment could still be completed at the bank
 * (the money would arrive for an order that no longer exists).
 */
export async function deleteAccountRows(db: Db, clock: Clock, userId: number): Promise<{ fileRefs: string[] }> {
  return db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
    if (!user) throw new DomainError("UNAUTHORIZED", "errors.unauthorized");
    const owned = await tx.select({ id: avatars.id, status: avatars.status }).from(avatars).where(eq(avatars.userId, userId)).for("update");
    const avatarIds = owned.map((a) => a.id);
    const [running] =
      avatarIds.length === 0
        ? []
        : await tx.select({ id: generationJobs.id }).from(generationJobs).where(and(inArray(generationJobs.avatarId, avatarIds), eq(generationJobs.status, "processing"))).limit(1);
    if (running || owned.some((a) => a.status === "processing")) throw new DomainError("CONFLICT", "errors.account.busy");
    const [paying] = await tx
      .select({ id: payments.id })
      .from(payments)
      .where(and(eq(payments.userId, userId), eq(payments.status, "pending"), gt(payments.createdAt, new Date(clock.now().getTime() - paymentSessionLifetimeMs))))
      .limit(1);
    if (paying) throw new DomainError("CONFLICT", "errors.account.paymentPending");
    const fileRefs = await deleteAvatarsWithin(tx, avatarIds);
    const paymentIds = (await tx.select({ id: payments.id }).from(payments).where(eq(payments.userId, userId))).map((p) => p.id);
    if (paymentIds.length > 0) {
      await tx.delete(paymentRefunds).where(inArray(paymentRefunds.paymentId, paymentIds));
      await tx.delete(paymentEvents).where(inArray(paymentEvents.paymentId, paymentIds));
      await tx.delete(payments).where(inArray(payments.id, paymentIds));
    }
    await tx.delete(telegramLinkCodes).where(eq(telegramLinkCodes.userId, userId));
    await tx.delete(users).where(eq(users.id, userId));
    return { fileRefs };
  });
}
