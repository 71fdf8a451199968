import { claimRows, type DbOrTx, type LeasedTable, paymentRefunds, payments, type StampedLease, updateHeld } from "@pinglass/db";
import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import { BankError } from "./bank.ts";
import { type PaymentsDeps, paymentsLogger } from "./deps.ts";
import { providerFor, wholeRefundProviders, wholeRefundsOnly } from "./provider.ts";
import { decimalToKopecks, kopecksToDecimal } from "./tiers.ts";
import { applyBankStatus, recordBankEvent } from "./transitions.ts";

/**
 * The failed photos' share of a payment in kopecks, rounded half up; exactly the whole amount
 * when nothing was made, nothing when everything was.
 */
export function refundShareKopecks(amountKopecks: number, photoCount: number, madePhotos: number): number {
  if (photoCount <= 0) return 0;
  const failed = photoCount - Math.min(Math.max(madePhotos, 0), photoCount);
  if (failed === photoCount) return amountKopecks;
  return Math.floor((2 * amountKopecks * failed + photoCount) / (2 * photoCount));
}

/** The fields of a finished generation job this hook reads. */
export interface FinishedJob {
  id: number;
  paymentId: number | null;
  completedPhotos: number | null;
}

/**
 * A generation finish hook, called inside the job-finishing transaction: when a job that consumed
 * a payment made fewer photos than were paid for, a pending refund of their share is written in
 * that same transaction (one per job: the unique job_id makes a repeated call a no-op). The
 * refund sweep returns the money later.
 */
export async function scheduleRefundForJob(tx: DbOrTx, job: FinishedJob): Promise<void> {
  if (job.paymentId === null) return;
  // Locked, as an operator's refund locks it: what is left to refund is read once, by one of them.
  const [payment] = await tx.select().from(payments).where(eq(payments.id, job.paymentId)).for("update");
  if (!payment || !payment.photoCount) return;
  const amount = decimalToKopecks(payment.amount ?? "0");
  const made = job.completedPhotos ?? 0;
  // Telegram Stars return only a whole payment: by now the missing photos were made again (remakeInsteadOfRefund) and still failed.
  const due = wholeRefundsOnly(payment.provider) ? (made < payment.photoCount ? amount : 0) : refundShareKopecks(amount, payment.photoCount, made);
  // Refunds still on their way (an operator's) count as gone: together they never pass the amount paid.
  const [onItsWay] = await tx
    .select({ sum: sql<string>`coalesce(sum(${paymentRefunds.amount}), 0)::text` })
    .from(paymentRefunds)
    .where(and(eq(paymentRefunds.paymentId, payment.id), eq(paymentRefunds.status, "pending")));
  const share = Math.min(due, amount - decimalToKopecks(payment.refundedAmount) - decimalToKopecks(onItsWay?.sum ?? "0"));
  if (share <= 0) return;
  await tx
    .insert(paymentRefunds)
    .values({ paymentId: payment.id, jobId: job.id, amount: kopecksToDecimal(share), failedPhotos: payment.photoCount - Math.min(made, payment.photoCount) })
    .onConflictDoNothing({ target: paymentRefunds.jobId });
}

/** How many more rounds a Stars photoset's failed photos get before the whole payment goes back. */
export const maxPhotoRemakes = 2;

/**
 * Asked by generation inside the transaction that would end a paid job with some photos failed:
 * a payment that can only be refunded whole (Telegram Stars) has its missing photos made again
 * instead of a partial refund, at most `maxPhotoRemakes` rounds (counted on the payment). True
 * means the job goes on. A job that made nothing, or is out of rounds, ends and is refunded whole.
 */
export async function remakeInsteadOfRefund(tx: DbOrTx, job: { paymentId: number | null }, failed: number, total: number): Promise<boolean> {
  if (job.paymentId === null || failed === 0 || failed >= total) return false;
  const [counted] = await tx
    .update(payments)
    .set({ photoRemakes: sql`${payments.photoRemakes} + 1` })
    .where(and(eq(payments.id, job.paymentId), inArray(payments.provider, wholeRefundProviders), lt(payments.photoRemakes, maxPhotoRemakes)))
    .returning({ id: payments.id });
  return counted !== undefined;
}

/** The ExternalRequestId of a job's refund: derived from rows, so every retry sends the same one. */
export const refundRequestId = (orderId: string, jobId: number) => `refund-${orderId.slice(0, 24)}-${jobId}`;

/** A refund an operator asked for has no job: it is named by its own row. */
const requestIdOf = (orderId: string, refund: { id: number; jobId: number | null }) =>
  refund.jobId === null ? `refund-${orderId.slice(0, 24)}-op${refund.id}` : refundRequestId(orderId, refund.jobId);

/** Cancel's answer moved another amount than the refund asked for: the refund is not counted. */
class CancelMismatchError extends Error {
  override name = "CancelMismatchError";
}

/**
 * payment_refunds has no lease columns: updated_at stamps each claim, and a refund is tried again
 * once the longer of the lease and the queue's backoff has passed since its last try.
 */
const refundQueue: LeasedTable<typeof paymentRefunds, StampedLease> = {
  table: paymentRefunds,
  key: paymentRefunds.id,
  attempts: paymentRefunds.attempts,
  lease: { stampedAt: paymentRefunds.updatedAt },
};

export interface RefundSweepOptions {
  limit?: number;
  /** After this many tries the refund is marked failed with the bank's last word, for a person to look at. */
  maxAttempts?: number;
  /** A refund claimed by a worker that died is tried again after this long. */
  leaseMs?: number;
}

/**
 * Returns the money of pending refunds through the payment's provider: T-Bank Cancel (a partial
 * Amount with its receipt), or Telegram's refundStarPayment (whole payments only).
 * Each refund is claimed (FOR UPDATE SKIP LOCKED plus a lease, so parallel sweeps never send it
 * twice at once; every claim is an attempt) and sent with ExternalRequestId = a key derived from
 * the refund row: if the process dies after the bank refunded but before the row was written,
 * the next attempt sends the same key and the bank answers with the first result instead of
 * refunding again. The outcome is written only while the claim holds the refund (fenced), so
 * refunded_amount grows once per refund.
 */
export async function sweepRefunds(deps: PaymentsDeps, options: RefundSweepOptions = {}): Promise<number> {
  const { limit = 10, maxAttempts = 8, leaseMs = 5 * 60_000 } = options;
  const now = deps.clock.now();
  const claimed = (await claimRows(deps.db, refundQueue, { now, leaseMs, limit, where: eq(paymentRefunds.status, "pending"), orderBy: [asc(paymentRefunds.id)] })).sort((a, b) => a.id - b.id);

  let done = 0;
  for (const refund of claimed) {
    const [payment] = await deps.db.select().from(payments).where(eq(payments.id, refund.paymentId));
    const amount = decimalToKopecks(refund.amount);
    try {
      if (!payment?.orderId) throw new BankError("refused", "no-payment", "the payment has no bank session to refund");
      const result = await providerFor(deps, payment).refund(payment, { amount, requestId: requestIdOf(payment.orderId, refund) });
      // Cancel answers with the amount charged before and after it: their difference must be this refund.
      if (result.originalAmount !== undefined && result.newAmount !== undefined && result.originalAmount - result.newAmount !== amount) {
        throw new CancelMismatchError(
          `the bank answered Cancel with OriginalAmount ${result.originalAmount}, NewAmount ${result.newAmount} for a refund of ${amount} kopecks; check it in the bank's dashboard`,
        );
      }
      await deps.db.transaction(async (tx) => {
        if (!(await updateHeld(tx, refundQueue, refund, { status: "succeeded", errorMessage: null, updatedAt: deps.clock.now() }))) return;
        const [refunded] = await tx
          .update(payments)
          .set({ refundedAmount: sql`${payments.refundedAmount} + ${refund.amount}::numeric`, updatedAt: deps.clock.now() })
          .where(eq(payments.id, payment.id))
          .returning();
        await recordBankEvent(tx, payment.id, `cancel:refund-${refund.id}`, result.status, { source: "Cancel", refundId: refund.id, ...result });
        const statusChanged = await applyBankStatus(tx, deps.clock, payment.id, result.status, undefined, { onPaymentChange: deps.onPaymentChange });
        // A share went back and the payment stays paid (a whole refund was reported by applyBankStatus).
        if (!statusChanged && refunded) await deps.onPaymentChange?.(tx, refunded, "refunded");
      });
      done++;
    } catch (error) {
      const message = error instanceof BankError ? `${error.errorCode}: ${error.reason}` : error instanceof CancelMismatchError ? error.message : String(error);
      if (error instanceof CancelMismatchError) paymentsLogger(deps.payments).warn({ paymentId: refund.paymentId, refundId: refund.id, amountKopecks: amount }, `payments: refund ${refund.id}: ${message}`);
      // A mismatched answer would be the same on every retry (ExternalRequestId): it is for a person to look at now.
      const giveUp = refund.attempts >= maxAttempts || error instanceof CancelMismatchError || (error instanceof BankError && error.errorCode === "no-payment");
      await updateHeld(deps.db, refundQueue, refund, { status: giveUp ? "failed" : "pending", errorMessage: message.slice(0, 1000), updatedAt: deps.clock.now() });
    }
  }
  return done;
}
