import { payments } from "@pinglass/db";
import { and, asc, eq, gt, isNotNull, isNull, lt } from "drizzle-orm";
import type { PaymentsDeps } from "./deps.ts";
import type { Payment } from "./payments.ts";
import { applyBankStatus, recordBankEvent } from "./transitions.ts";

/**
 * Asks the bank (GetState) about one payment and applies the answer like a notification. An
 * error from the bank propagates to the caller and changes nothing: not hearing from the bank
 * never fails a payment.
 */
export async function reconcilePayment(deps: PaymentsDeps, payment: Payment): Promise<boolean> {
  if (!payment.tbankPaymentId) return false;
  const state = await deps.bank.getState(payment.tbankPaymentId);
  if (state.orderId && payment.orderId && state.orderId !== payment.orderId) {
    throw new Error(`GetState for payment ${payment.id} answered about order ${state.orderId}`);
  }
  return deps.db.transaction(async (tx) => {
    await recordBankEvent(tx, payment.id, `getstate:${payment.orderId}:${state.status}`, state.status, { source: "GetState", ...state });
    const changed = await applyBankStatus(tx, deps.clock, payment.id, state.status);
    // Marks when the bank was last asked, so return-page polling and the sweep space their questions.
    if (!changed) await tx.update(payments).set({ updatedAt: deps.clock.now() }).where(and(eq(payments.id, payment.id), eq(payments.status, "pending")));
    return changed;
  });
}

export interface PaymentSweepOptions {
  /** Younger payments are left to their notification. */
  minAgeMs?: number;
  /** Bank sessions expire within a day; older pending payments are no longer asked about. */
  maxAgeMs?: number;
  /** A payment whose Init never got an answer stored is canceled after this long: nobody has its payment page. */
  initTimeoutMs?: number;
  limit?: number;
}

/**
 * The periodic safety net for lost notifications: pending payments older than a minute are
 * checked with GetState, least recently checked first. Returns how many changed state.
 */
export async function sweepPendingPayments(deps: PaymentsDeps, options: PaymentSweepOptions = {}): Promise<number> {
  const now = deps.clock.now().getTime();
  const { minAgeMs = 60_000, maxAgeMs = 3 * 24 * 3600_000, initTimeoutMs = 10 * 60_000, limit = 25 } = options;
  await deps.db
    .update(payments)
    .set({ status: "canceled", errorMessage: "Init never completed", updatedAt: new Date(now) })
    .where(and(eq(payments.status, "pending"), isNull(payments.tbankPaymentId), isNotNull(payments.orderId), lt(payments.createdAt, new Date(now - initTimeoutMs))));
  const due = await deps.db
    .select()
    .from(payments)
    .where(
      and(
        eq(payments.status, "pending"),
        isNotNull(payments.tbankPaymentId),
        lt(payments.createdAt, new Date(now - minAgeMs)),
        gt(payments.createdAt, new Date(now - maxAgeMs)),
      ),
    )
    .orderBy(asc(payments.updatedAt), asc(payments.id))
    .limit(limit);
  let changed = 0;
  for (const payment of due) {
    try {
      if (await reconcilePayment(deps, payment)) changed++;
    } catch {
      // Unreachable or refusing bank: the payment stays pending and is asked again later.
      await deps.db.update(payments).set({ updatedAt: deps.clock.now() }).where(and(eq(payments.id, payment.id), eq(payments.status, "pending")));
    }
  }
  return changed;
}
