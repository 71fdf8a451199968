import { type DbOrTx, paymentRefunds, payments } from "@pinglass/db";
import { and, asc, eq, inArray, lte, or, sql } from "drizzle-orm";
import { BankError } from "./bank.ts";
import { type PaymentsDeps, paymentsLogger } from "./deps.ts";
import { receiptFor } from "./payments.ts";
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
  const [payment] = await tx.select().from(payments).where(eq(payments.id, job.paymentId));
  if (!payment || !payment.photoCount) return;
  const amount = decimalToKopecks(payment.amount ?? "0");
  const made = job.completedPhotos ?? 0;
  const share = Math.min(refundShareKopecks(amount, payment.photoCount, made), amount - decimalToKopecks(payment.refundedAmount));
  if (share <= 0) return;
  await tx
    .insert(paymentRefunds)
    .values({ paymentId: payment.id, jobId: job.id, amount: kopecksToDecimal(share), failedPhotos: payment.photoCount - Math.min(made, payment.photoCount) })
    .onConflictDoNothing({ target: paymentRefunds.jobId });
}

/** The ExternalRequestId of a job's refund: derived from rows, so every retry sends the same one. */
export const refundRequestId = (orderId: string, jobId: number) => `refund-${orderId.slice(0, 24)}-${jobId}`;

/** Cancel's answer moved another amount than the refund asked for: the refund is not counted. */
class CancelMismatchError extends Error {
  override name = "CancelMismatchError";
}

export interface RefundSweepOptions {
  limit?: number;
  /** After this many tries the refund is marked failed with the bank's last word, for a person to look at. */
  maxAttempts?: number;
  /** A refund claimed by a worker that died is tried again after this long. */
  leaseMs?: number;
}

/**
 * Returns the money of pending refunds through T-Bank Cancel (a partial Amount with its receipt).
 * Each refund is claimed (FOR UPDATE SKIP LOCKED plus a lease, so parallel sweeps never send it
 * twice at once) and sent with ExternalRequestId = a key derived from the refund row: if the
 * process dies after the bank refunded but before the row was written, the next attempt sends
 * the same key and the bank answers with the first result instead of refunding again. The
 * outcome is written with a conditional UPDATE, so refunded_amount grows once per refund.
 */
export async function sweepRefunds(deps: PaymentsDeps, options: RefundSweepOptions = {}): Promise<number> {
  const { limit = 10, maxAttempts = 8, leaseMs = 5 * 60_000 } = options;
  const now = deps.clock.now();
  const claimed = await deps.db.transaction(async (tx) => {
    const due = await tx
      .select({ id: paymentRefunds.id })
      .from(paymentRefunds)
      .where(and(eq(paymentRefunds.status, "pending"), or(eq(paymentRefunds.attempts, 0), lte(paymentRefunds.updatedAt, new Date(now.getTime() - leaseMs)))))
      .orderBy(asc(paymentRefunds.id))
      .limit(limit)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(paymentRefunds)
      .set({ attempts: sql`${paymentRefunds.attempts} + 1`, updatedAt: now })
      .where(inArray(paymentRefunds.id, due.map((r) => r.id)))
      .returning();
  });

  let done = 0;
  for (const refund of claimed) {
    const [payment] = await deps.db.select().from(payments).where(eq(payments.id, refund.paymentId));
    const amount = decimalToKopecks(refund.amount);
    try {
      if (!payment?.tbankPaymentId || !payment.orderId) throw new BankError("refused", "no-payment", "the payment has no bank session to refund");
      const result = await deps.bank.cancel({
        paymentId: payment.tbankPaymentId,
        amount,
        receipt: receiptFor(deps.payments, payment.receiptEmail ?? "", payment.photoCount ?? 0, amount),
        externalRequestId: refundRequestId(payment.orderId, refund.jobId),
      });
      // Cancel answers with the amount charged before and after it: their difference must be this refund.
      if (result.originalAmount !== undefined && result.newAmount !== undefined && result.originalAmount - result.newAmount !== amount) {
        throw new CancelMismatchError(
          `the bank answered Cancel with OriginalAmount ${result.originalAmount}, NewAmount ${result.newAmount} for a refund of ${amount} kopecks; check it in the bank's dashboard`,
        );
      }
      await deps.db.transaction(async (tx) => {
        const [marked] = await tx
          .update(paymentRefunds)
          .set({ status: "succeeded", errorMessage: null, updatedAt: deps.clock.now() })
          .where(and(eq(paymentRefunds.id, refund.id), eq(paymentRefunds.status, "pending")))
          .returning({ id: paymentRefunds.id });
        if (!marked) return;
        await tx
          .update(payments)
          .set({ refundedAmount: sql`${payments.refundedAmount} + ${refund.amount}::numeric`, updatedAt: deps.clock.now() })
          .where(eq(payments.id, payment.id));
        await recordBankEvent(tx, payment.id, `cancel:refund-${refund.id}`, result.status, { source: "Cancel", refundId: refund.id, ...result });
        await applyBankStatus(tx, deps.clock, payment.id, result.status);
      });
      done++;
    } catch (error) {
      const message = error instanceof BankError ? `${error.errorCode}: ${error.reason}` : error instanceof CancelMismatchError ? error.message : String(error);
      if (error instanceof CancelMismatchError) paymentsLogger(deps.payments).warn({ paymentId: refund.paymentId, refundId: refund.id, amountKopecks: amount }, `payments: refund ${refund.id}: ${message}`);
      // A mismatched answer would be the same on every retry (ExternalRequestId): it is for a person to look at now.
      const giveUp = refund.attempts >= maxAttempts || error instanceof CancelMismatchError || (error instanceof BankError && error.errorCode === "no-payment");
      await deps.db
        .update(paymentRefunds)
        .set({ status: giveUp ? "failed" : "pending", errorMessage: message.slice(0, 1000), updatedAt: deps.clock.now() })
        .where(and(eq(paymentRefunds.id, refund.id), eq(paymentRefunds.status, "pending")));
    }
  }
  return done;
}
