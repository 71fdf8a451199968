import type { Clock } from "@pinglass/core";
import { type DbOrTx, paymentEvents, payments, type PaymentStatus } from "@pinglass/db";
import { and, eq, sql } from "drizzle-orm";
import { bankStatusOutcome } from "./bank.ts";
import type { PaymentsDeps } from "./deps.ts";
import type { Payment } from "./payments.ts";

/**
 * Payment states only move forward: pending < canceled < succeeded < refunded. `succeeded`
 * outranks `canceled` because a CONFIRMED from the bank means the money was taken, whatever
 * was heard before; `refunded` is last because a refund can only follow a charge.
 */
const statusRank: Record<PaymentStatus, number> = { pending: 0, canceled: 1, succeeded: 2, refunded: 3 };

const rankOfColumn = sql`CASE ${payments.status} WHEN 'canceled' THEN 1 WHEN 'succeeded' THEN 2 WHEN 'refunded' THEN 3 ELSE 0 END`;

/**
 * Applies what the bank said about a payment (a notification, GetState or Cancel). One
 * conditional UPDATE: the row changes only when the new state ranks higher, so a late, repeated
 * or concurrent word from the bank can never undo a later state. A payment that becomes paid here
 * and is bound to a photoset (`startsOnPayment`) is handed to `onPaid` in the same transaction:
 * the photoset starts on the bank's word, with no client call; a payment that becomes paid or
 * refunded is handed to `onPaymentChange`. `hooks.requestId`: the request that brought the word.
 * Returns whether it changed.
 */
export async function applyBankStatus(
  db: DbOrTx,
  clock: Clock,
  paymentId: number,
  bankStatus: string,
  errorMessage?: string,
  hooks: Pick<PaymentsDeps, "onPaid" | "onPaymentChange"> & { requestId?: string | null } = {},
): Promise<boolean> {
  const outcome = bankStatusOutcome(bankStatus);
  if (outcome === "pending") {
    await db.update(payments).set({ bankStatus, updatedAt: clock.now() }).where(and(eq(payments.id, paymentId), eq(payments.status, "pending")));
    return false;
  }
  const [changed] = await db
    .update(payments)
    .set({ status: outcome, bankStatus, updatedAt: clock.now(), ...(errorMessage ? { errorMessage } : {}) })
    .where(and(eq(payments.id, paymentId), sql`${rankOfColumn} < ${statusRank[outcome]}`))
    .returning();
  if (changed && outcome !== "canceled") await hooks.onPaymentChange?.(db, changed, outcome);
  if (changed && outcome === "succeeded" && hooks.onPaid && startsOnPayment(changed)) await hooks.onPaid(db, changed, hooks.requestId ?? null);
  return changed !== undefined;
}

/**
 * Whether a payment that just became paid starts its photoset by itself: it names the avatar and
 * style it was bought for, nothing has used it, and its owner did not ask to cancel it (a payment
 * the bank confirmed while the owner was canceling is kept as an unused paid photoset instead).
 */
export const startsOnPayment = (payment: Payment): boolean =>
  payment.avatarId !== null && payment.styleId !== null && payment.cancelRequestedAt === null && payment.consumedAt === null;

/** What a payment canceled for lack of payment says to its user. */
export const sessionExpiredMessage = "Время на оплату истекло: платёж не был завершён.";

/**
 * Cancels a payment that is still pending after its bank session ran out, the bank reporting it
 * unpaid. Only from pending: a word from the bank that already moved it wins; and like any
 * cancellation it ranks below succeeded, so a CONFIRMED that still comes moves it on.
 */
export async function cancelExpiredPayment(db: DbOrTx, clock: Clock, paymentId: number, bankStatus: string): Promise<boolean> {
  const changed = await db
    .update(payments)
    .set({ status: "canceled", bankStatus, errorMessage: sessionExpiredMessage, updatedAt: clock.now() })
    .where(and(eq(payments.id, paymentId), eq(payments.status, "pending")))
    .returning({ id: payments.id });
  return changed.length > 0;
}

/** Records a word from the bank once; false when this exact one was recorded before. */
export async function recordBankEvent(db: DbOrTx, paymentId: number, dedupeKey: string, bankStatus: string, body: unknown): Promise<boolean> {
  const inserted = await db
    .insert(paymentEvents)
    .values({ paymentId, dedupeKey, bankStatus, body })
    .onConflictDoNothing({ target: paymentEvents.dedupeKey })
    .returning({ id: paymentEvents.id });
  return inserted.length > 0;
}
