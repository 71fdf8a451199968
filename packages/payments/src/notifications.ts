import { payments } from "@pinglass/db";
import { eq } from "drizzle-orm";
import { bankAmountFits } from "./bank.ts";
import type { PaymentsDeps } from "./deps.ts";
import { providerFor } from "./provider.ts";
import { cardProvider } from "./tbank-provider.ts";
import { decimalToKopecks } from "./tiers.ts";
import { applyBankStatus, recordBankEvent } from "./transitions.ts";

export interface NotificationAnswer {
  /** 200 with exactly "OK" for every authentic notification (the bank resends anything else). */
  httpStatus: 200 | 400 | 403 | 404 | 409;
  body: string;
}

const refuse = (httpStatus: NotificationAnswer["httpStatus"], body: string): NotificationAnswer => ({ httpStatus, body });

/**
 * A T-Bank notification (the parsed JSON body of POST /webhooks/tbank). It must carry a valid
 * Token for our terminal and name our card payment exactly (TerminalKey, OrderId, PaymentId,
 * Amount); otherwise it is refused and nothing changes. An authentic one is recorded once (its
 * Token, which covers every scalar field, is the dedupe key) and moves the payment forward in the
 * same transaction, so a resend, a duplicate racing it, or a late one changes nothing. A payment
 * bound to a photoset starts it in that transaction when it becomes paid (`onPaid`), remembering
 * `requestId`, the notification's request.
 */
export async function handleTbankNotification(deps: PaymentsDeps, body: unknown, requestId: string | null = null): Promise<NotificationAnswer> {
  const verified = cardProvider(deps.bank, deps.payments).verifyNotification(body);
  if ("httpStatus" in verified) return verified;
  const [payment] = await deps.db.select().from(payments).where(eq(payments.orderId, verified.orderId));
  if (!payment || providerFor(deps, payment).currency !== "RUB") return refuse(404, "unknown order");
  if (payment.tbankPaymentId && payment.tbankPaymentId !== verified.providerPaymentId) return refuse(409, "payment id mismatch");
  // A refund notification may carry the amount returned; anything else must carry the whole price.
  if (!bankAmountFits(verified.status, verified.amount, decimalToKopecks(payment.amount ?? "0"))) return refuse(409, "amount mismatch");

  await deps.db.transaction(async (tx) => {
    const fresh = await recordBankEvent(tx, payment.id, verified.dedupeKey, verified.status, verified.body);
    if (!fresh) return;
    if (!payment.tbankPaymentId) await tx.update(payments).set({ tbankPaymentId: verified.providerPaymentId }).where(eq(payments.id, payment.id));
    await applyBankStatus(tx, deps.clock, payment.id, verified.status, verified.reason, { ...deps, requestId });
  });
  return { httpStatus: 200, body: "OK" };
}
