import { DomainError } from "@pinglass/core";
import { generationJobs, paymentEvents, paymentRefunds, payments, type Tx } from "@pinglass/db";
import { and, eq, gt, inArray } from "drizzle-orm";
import { paymentSessionLifetimeMs } from "./bank.ts";

const refundsOfAvatars = (tx: Tx, avatarIds: number[]) =>
  inArray(paymentRefunds.jobId, tx.select({ id: generationJobs.id }).from(generationJobs).where(inArray(generationJobs.avatarId, avatarIds)));

/**
 * Payments' part of a user's data (a UserDataOwner of @pinglass/accounts): the user's payments
 * with their bank events and refunds, and the refunds of the photosets made from their avatars.
 */
export const paymentsUserData = {
  userColumns: ["payments.user_id"],
  avatarColumns: [],

  /**
   * A payment the bank could still complete (the money would arrive for an order that no longer
   * exists), or a refund still on its way to the bank (it would be lost with its row).
   */
  async blockersForDeletion(tx: Tx, userId: number, now: Date): Promise<DomainError | null> {
    const [paying] = await tx
      .select({ id: payments.id })
      .from(payments)
      .where(and(eq(payments.userId, userId), eq(payments.status, "pending"), gt(payments.createdAt, new Date(now.getTime() - paymentSessionLifetimeMs))))
      .limit(1);
    if (paying) return new DomainError("CONFLICT", "errors.account.paymentPending");
    const [refunding] = await tx
      .select({ id: paymentRefunds.id })
      .from(paymentRefunds)
      .where(and(inArray(paymentRefunds.paymentId, tx.select({ id: payments.id }).from(payments).where(eq(payments.userId, userId))), eq(paymentRefunds.status, "pending")))
      .limit(1);
    return refunding ? new DomainError("CONFLICT", "errors.account.refundPending") : null;
  },

  /** A refund still on its way to the bank would be lost with its row: the money comes first. */
  async blockersForAvatarDeletion(tx: Tx, avatarIds: number[]): Promise<DomainError | null> {
    const [pending] = await tx
      .select({ id: paymentRefunds.id })
      .from(paymentRefunds)
      .where(and(refundsOfAvatars(tx, avatarIds), eq(paymentRefunds.status, "pending")))
      .limit(1);
    return pending ? new DomainError("CONFLICT", "errors.avatar.refundPending") : null;
  },

  /** The refunds of these avatars' photosets; the payments stay the user's (and stay used). */
  async deleteAvatarData(tx: Tx, avatarIds: number[]): Promise<string[]> {
    await tx.delete(paymentRefunds).where(refundsOfAvatars(tx, avatarIds));
    return [];
  },

  async deleteUserData(tx: Tx, userId: number): Promise<string[]> {
    const own = tx.select({ id: payments.id }).from(payments).where(eq(payments.userId, userId));
    await tx.delete(paymentRefunds).where(inArray(paymentRefunds.paymentId, own));
    await tx.delete(paymentEvents).where(inArray(paymentEvents.paymentId, own));
    await tx.delete(payments).where(eq(payments.userId, userId));
    return [];
  },

  async reassignUserData(tx: Tx, fromUserId: number, toUserId: number): Promise<void> {
    await tx.update(payments).set({ userId: toUserId }).where(eq(payments.userId, fromUserId));
  },
};
