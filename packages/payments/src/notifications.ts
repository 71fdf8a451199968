import type { Clock } from "@pinglass/core";
import { type Db, payments } from "@pinglass/db";
import { eq } from "drizzle-orm";
import { type BankClient, bankAmountFits } from "./bank.ts";
import { decimalToKopecks } from "./tiers.ts";
import { hasValidToken } from "./token.ts";
import { applyBankStatus, recordBankEvent } from "./transitions.ts";

export interface NotificationAnswer {
  /** 200 with exactly "OK" for every authentic notification (the bank resends anything else). */
  httpStatus: 200 | 400 | 403 | 404 | 409;
  body: string;
}

const refuse = (httpStatus: NotificationAnswer["httpStatus"], body: string): NotificationAnswer => ({ httpStatus, body });

/**
 * A T-Bank notification (the parsed JSON body of POST /webhooks/tbank). It must carry a valid
 * Token for our terminal and name our payment exactly (TerminalKey, OrderId, PaymentId, Amount);
 * otherwise it is refused and nothing changes. An authentic one is recorded once (its Token,
 * which covers every scalar field, is the dedupe key) and moves the payment forward in the same
 * transaction, so a resend, a duplicate racing it, or a late one changes nothing.
 */
export async function handleTbankNotification(deps: { db: Db; clock: Clock; bank: BankClient }, body: unknown): Promise<NotificationAnswer> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return refuse(400, "not a notification");
  const n = body as Record<string, unknown>;
  const { terminalKey, password } = deps.bank.credentials;
  if (!hasValidToken(n, password)) return refuse(403, "bad token");
  if (n.TerminalKey !== terminalKey) return refuse(403, "wrong terminal");
  if (typeof n.OrderId !== "string" || typeof n.Status !== "string" || (typeof n.PaymentId !== "string" && typeof n.PaymentId !== "number")) {
    return refuse(400, "missing fields");
  }
  const [payment] = await deps.db.select().from(payments).where(eq(payments.orderId, n.OrderId));
  if (!payment) return refuse(404, "unknown order");
  const bankPaymentId = String(n.PaymentId);
  if (payment.tbankPaymentId && payment.tbankPaymentId !== bankPaymentId) return refuse(409, "payment id mismatch");
  const amount = typeof n.Amount === "number" ? n.Amount : Number(n.Amount);
  // A refund notification may carry the amount returned; anything else must carry the whole price.
  if (!bankAmountFits(n.Status, amount, decimalToKopecks(payment.amount ?? "0"))) return refuse(409, "amount mismatch");

  await deps.db.transaction(async (tx) => {
    const fresh = await recordBankEvent(tx, payment.id, `notification:${String(n.Token).toLowerCase()}`, n.Status as string, n);
    if (!fresh) return;
    if (!payment.tbankPaymentId) await tx.update(payments).set({ tbankPaymentId: bankPaymentId }).where(eq(payments.id, payment.id));
    const reason = n.Success === false && typeof n.Message === "string" ? [n.Message, n.Details].filter((p) => typeof p === "string" && p).join(" ") : undefined;
    await applyBankStatus(tx, deps.clock, payment.id, n.Status as string, reason);
  });
  return { httpStatus: 200, body: "OK" };
}
