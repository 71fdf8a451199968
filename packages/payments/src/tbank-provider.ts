import { type BankClient, BankError, bankDueDate, paymentSessionLifetimeMs, type Receipt } from "./bank.ts";
import type { PaymentSettings } from "./deps.ts";
import type { NotificationAnswer } from "./notifications.ts";
import type { Payment } from "./payments.ts";
import type { PaymentProvider, ProviderNotification } from "./provider.ts";
import { decimalToKopecks } from "./tiers.ts";
import { hasValidToken } from "./token.ts";

/** The 54-FZ receipt of one item, the photoset; refunds send the same shape for their amount. */
export function receiptFor(settings: PaymentSettings, email: string, photoCount: number, amountKopecks: number): Receipt {
  return {
    Email: email,
    Taxation: settings.taxation,
    Items: [
      {
        Name: `Фотосессия PinGlass: ${photoCount} фото`,
        Price: amountKopecks,
        Quantity: 1,
        Amount: amountKopecks,
        Tax: settings.vat,
        PaymentObject: "service",
        PaymentMethod: "full_payment",
      },
    ],
  };
}

const refuse = (httpStatus: NotificationAnswer["httpStatus"], body: string): NotificationAnswer => ({ httpStatus, body });

/** The bank's id of a payment, or why it cannot be asked about it. */
function bankIdOf(payment: Payment): string {
  if (!payment.tbankPaymentId || !payment.orderId) throw new BankError("refused", "no-payment", "the payment has no bank session");
  return payment.tbankPaymentId;
}

/**
 * Card payments through T-Bank's Internet Acquiring API v2, or through the local test checkout
 * that speaks the same protocol (`bank.provider` tells which): Init with a 54-FZ receipt and
 * RedirectDueDate, GetState, Cancel (the whole payment, or a refund with its receipt), and
 * notifications signed with the terminal password.
 */
export function cardProvider(bank: BankClient, settings: PaymentSettings): PaymentProvider {
  return {
    id: bank.provider,
    currency: "RUB",
    partialRefunds: true,
    priceOf: (tier) => tier.amountKopecks,
    async create(order) {
      const returnUrl = `${settings.publicUrl}/payment/return?paymentId=${order.paymentId}`;
      const session = await bank.init({
        Amount: order.amount,
        OrderId: order.orderId,
        Description: `PinGlass: ${order.tier.photoCount} фото (${order.tier.id})`,
        PayType: "O",
        SuccessURL: `${returnUrl}&result=success`,
        FailURL: `${returnUrl}&result=fail`,
        NotificationURL: `${settings.publicUrl}/webhooks/tbank`,
        RedirectDueDate: bankDueDate(new Date(order.createdAt.getTime() + paymentSessionLifetimeMs)),
        Receipt: receiptFor(settings, order.email ?? "", order.tier.photoCount, order.amount),
      });
      return { url: session.paymentUrl, providerPaymentId: session.paymentId, status: session.status };
    },
    status: (payment) => bank.getState(bankIdOf(payment)),
    async cancel(payment) {
      // The whole payment: the bank ignores Amount for an unpaid one (NEW → CANCELED) and takes no receipt.
      const result = await bank.cancel({ paymentId: bankIdOf(payment), amount: decimalToKopecks(payment.amount ?? "0"), externalRequestId: `cancel-${payment.orderId!.slice(0, 24)}` });
      return { status: result.status };
    },
    refund(payment, refund) {
      return bank.cancel({
        paymentId: bankIdOf(payment),
        amount: refund.amount,
        receipt: receiptFor(settings, payment.receiptEmail ?? "", payment.photoCount ?? 0, refund.amount),
        externalRequestId: refund.requestId,
      });
    },
    verifyNotification(body): ProviderNotification | NotificationAnswer {
      if (typeof body !== "object" || body === null || Array.isArray(body)) return refuse(400, "not a notification");
      const n = body as Record<string, unknown>;
      if (!hasValidToken(n, bank.credentials.password)) return refuse(403, "bad token");
      if (n.TerminalKey !== bank.credentials.terminalKey) return refuse(403, "wrong terminal");
      if (typeof n.OrderId !== "string" || typeof n.Status !== "string" || (typeof n.PaymentId !== "string" && typeof n.PaymentId !== "number")) {
        return refuse(400, "missing fields");
      }
      const reason = n.Success === false && typeof n.Message === "string" ? [n.Message, n.Details].filter((p) => typeof p === "string" && p).join(" ") : undefined;
      return {
        orderId: n.OrderId,
        providerPaymentId: String(n.PaymentId),
        status: n.Status,
        amount: typeof n.Amount === "number" ? n.Amount : Number(n.Amount),
        // The Token covers every scalar field: the same notification twice is one event.
        dedupeKey: `notification:${String(n.Token).toLowerCase()}`,
        ...(reason ? { reason } : {}),
        body: n,
      };
    },
  };
}
