import { DomainError } from "@pinglass/core";
import { payments, type Tx } from "@pinglass/db";
import { and, asc, eq, isNull, type SQL } from "drizzle-orm";
import { requireOwnedPayment } from "./payments.ts";

/**
 * The one rule for a paid photoset that is still to be used: the payment succeeded and no
 * generation job has taken it (`consumed_at` stays set even after that job's avatar is deleted).
 */
export const unusedPaidPhotoset = (): SQL => and(eq(payments.status, "succeeded"), isNull(payments.consumedAt))!;

/**
 * Takes one paid photoset of this user for a generation job, inside the caller's transaction: the
 * given payment, or the oldest unused one. The row lock (SKIP LOCKED, so a parallel start takes the
 * next payment instead of waiting) and `consumed_at` make a payment feed exactly one job.
 */
export async function takePaidPhotoset(tx: Tx, now: Date, userId: number, paymentId?: number) {
  const conditions = [eq(payments.userId, userId), unusedPaidPhotoset()];
  if (paymentId !== undefined) conditions.push(eq(payments.id, paymentId));
  const [payment] = await tx
    .select()
    .from(payments)
    .where(and(...conditions))
    .orderBy(asc(payments.createdAt), asc(payments.id))
    .limit(1)
    .for("update", { skipLocked: true });
  if (!payment && paymentId === undefined) throw new DomainError("PRECONDITION_FAILED", "errors.generation.noPaidPhotoset");
  if (!payment) {
    // Someone else's payment is reported as missing; one's own as used up (or not paid).
    await requireOwnedPayment(tx, userId, paymentId!);
    throw new DomainError("CONFLICT", "errors.generation.paymentUnavailable");
  }
  if ((payment.photoCount ?? 0) < 1) throw new DomainError("CONFLICT", "errors.generation.paymentUnavailable");
  await tx.update(payments).set({ consumedAt: now, updatedAt: now }).where(eq(payments.id, payment.id));
  return { ...payment, photoCount: payment.photoCount!, consumedAt: now };
}
