import { payments, type Tx } from "@pinglass/db";
import { and, asc, eq, isNotNull, isNull, lt, ne } from "drizzle-orm";
import { bankAmountFits, paymentSessionLifetimeMs } from "./bank.ts";
import { type PaymentsDeps, paymentsLogger } from "./deps.ts";
import type { Payment } from "./payments.ts";
import { providerFor } from "./provider.ts";
import { decimalToKopecks } from "./tiers.ts";
import { applyBankStatus, cancelExpiredPayment, recordBankEvent, sessionExpiredMessage } from "./transitions.ts";

/** The bank answered about a payment that is not ours (another OrderId, another Amount): nothing was changed. */
export class BankMismatchError extends Error {
  override name = "BankMismatchError";
}

/** What GetState says when the buyer never got past the payment form: nothing was paid. */
export const unpaidBankStatuses: ReadonlySet<string> = new Set(["NEW", "FORM_SHOWED"]);

/** A payment whose session never opened (Init got no answer stored) is canceled after this long: nobody has its payment page. */
export const initTimeoutMs = 10 * 60_000;

/**
 * Asks the bank (GetState) about one payment and applies the answer like a notification, with
 * the same checks: an OrderId (when the answer has one) and an Amount that are not our payment's
 * are logged and change nothing (BankMismatchError). A payment older than the bank's session
 * lifetime that the bank still reports unpaid (NEW, FORM_SHOWED) is canceled: it can no longer be
 * paid. An error from the bank propagates to the caller and changes nothing: not hearing from
 * the bank never fails a payment. `alsoIn` runs inside the transaction that records the answer.
 */
export async function reconcilePayment(deps: PaymentsDeps, payment: Payment, alsoIn?: (tx: Tx) => Promise<void>): Promise<boolean> {
  if (!payment.tbankPaymentId) return false;
  const state = await providerFor(deps, payment).status(payment);
  if (!state) return false;
  const expectedKopecks = decimalToKopecks(payment.amount ?? "0");
  const mismatched = [
    ...(state.orderId && state.orderId !== payment.orderId ? ["OrderId"] : []),
    ...(bankAmountFits(state.status, state.amount, expectedKopecks) ? [] : ["Amount"]),
  ];
  if (mismatched.length > 0) {
    const message = `payments: GetState for payment ${payment.id} answered with another ${mismatched.join(" and ")}; nothing was changed`;
    paymentsLogger(deps.payments).warn(
      { paymentId: payment.id, orderId: payment.orderId, amountKopecks: expectedKopecks, bank: { paymentId: state.paymentId, orderId: state.orderId, status: state.status, amount: state.amount } },
      message,
    );
    throw new BankMismatchError(message);
  }
  const expired = deps.clock.now().getTime() - (payment.createdAt?.getTime() ?? 0) >= paymentSessionLifetimeMs;
  return deps.db.transaction(async (tx) => {
    await recordBankEvent(tx, payment.id, `getstate:${payment.orderId}:${state.status}`, state.status, { source: "GetState", ...state });
    let changed = await applyBankStatus(tx, deps.clock, payment.id, state.status, undefined, deps);
    if (!changed && expired && unpaidBankStatuses.has(state.status)) changed = await cancelExpiredPayment(tx, deps.clock, payment.id, state.status);
    // Marks when the bank was last asked, so return-page polling and the sweep space their questions.
    if (!changed) await tx.update(payments).set({ updatedAt: deps.clock.now() }).where(and(eq(payments.id, payment.id), eq(payments.status, "pending")));
    await alsoIn?.(tx);
    return changed;
  });
}

export interface PaymentSweepOptions {
  /** Younger payments are left to their notification. */
  minAgeMs?: number;
  /** A payment whose session never opened is canceled after this long: nobody has its payment page. */
  initTimeoutMs?: number;
  limit?: number;
}

/**
 * The periodic safety net for lost notifications: pending card payments older than a minute are
 * checked with GetState, least recently checked first, until they leave pending — through the
 * bank's word, or canceled once past the session lifetime (`paymentSessionLifetimeMs`) with the
 * bank still reporting them unpaid. Payments whose session never opened are canceled, and so are
 * Stars invoices past the session lifetime (Telegram cannot be asked; the pre-checkout refuses a
 * canceled one, and a `successful_payment` that still comes wins). Returns how many changed state.
 */
export async function sweepPendingPayments(deps: PaymentsDeps, options: PaymentSweepOptions = {}): Promise<number> {
  const now = deps.clock.now().getTime();
  const { minAgeMs = 60_000, limit = 25 } = options;
  const initTimeout = options.initTimeoutMs ?? initTimeoutMs;
  const initNeverCompleted = await deps.db
    .update(payments)
    .set({ status: "canceled", errorMessage: "Init never completed", updatedAt: new Date(now) })
    .where(and(eq(payments.status, "pending"), isNull(payments.tbankPaymentId), isNull(payments.paymentUrl), isNotNull(payments.orderId), lt(payments.createdAt, new Date(now - initTimeout))))
    .returning({ id: payments.id });
  const expiredInvoices = await deps.db
    .update(payments)
    .set({ status: "canceled", errorMessage: sessionExpiredMessage, updatedAt: new Date(now) })
    .where(and(eq(payments.status, "pending"), eq(payments.provider, "stars"), lt(payments.createdAt, new Date(now - paymentSessionLifetimeMs))))
    .returning({ id: payments.id });
  const due = await deps.db
    .select()
    .from(payments)
    .where(and(eq(payments.status, "pending"), ne(payments.provider, "stars"), isNotNull(payments.tbankPaymentId), lt(payments.createdAt, new Date(now - minAgeMs))))
    .orderBy(asc(payments.updatedAt), asc(payments.id))
    .limit(limit);
  let changed = initNeverCompleted.length + expiredInvoices.length;
  for (const payment of due) {
    try {
      if (await reconcilePayment(deps, payment)) changed++;
    } catch {
      // Unreachable or refusing bank, or an answer about another payment: the payment stays
      // pending and goes to the back of the queue, to be asked again later.
      await deps.db.update(payments).set({ updatedAt: deps.clock.now() }).where(and(eq(payments.id, payment.id), eq(payments.status, "pending")));
    }
  }
  return changed;
}
