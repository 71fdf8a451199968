import { DomainError, type Locale, type MessageKey, pickLocale, translate } from "@pinglass/core";
import { payments } from "@pinglass/db";
import { eq } from "drizzle-orm";
import { BankError, paymentSessionLifetimeMs } from "./bank.ts";
import { type PaymentsDeps, paymentsLogger, type StarsApi, type StarsSettings } from "./deps.ts";
import type { NotificationAnswer } from "./notifications.ts";
import type { Payment } from "./payments.ts";
import type { PaymentProvider, ProviderNotification } from "./provider.ts";
import { decimalToKopecks } from "./tiers.ts";
import { applyBankStatus, recordBankEvent } from "./transitions.ts";

/** Telegram's currency code of Stars. Amounts in whole Stars; in our rows, DECIMAL like roubles (250 Stars = "250.00"). */
export const starsCurrency = "XTR";

/** The parts of a Telegram user (core.telegram.org/bots/api#user) these payments read. */
export interface TelegramPayer {
  id: number;
  is_bot?: boolean;
  language_code?: string;
}

/** core.telegram.org/bots/api#precheckoutquery */
export interface PreCheckoutQuery {
  id: string;
  from: TelegramPayer;
  currency: string;
  total_amount: number;
  invoice_payload: string;
}

/** core.telegram.org/bots/api#successfulpayment */
export interface SuccessfulPayment {
  currency: string;
  total_amount: number;
  invoice_payload: string;
  telegram_payment_charge_id: string;
  provider_payment_charge_id?: string;
}

/** A message that carries a successful payment (its sender is the payer). */
export interface PaymentMessage {
  from?: TelegramPayer;
  successful_payment?: SuccessfulPayment;
}

/** Whether a payload can be one of our order ids (order_id is varchar(64)): anything else names no payment. */
const isOrderId = (payload: unknown): payload is string => typeof payload === "string" && payload.length > 0 && payload.length <= 64;

/** A payment's price in whole Stars. */
const starsOf = (payment: Payment) => decimalToKopecks(payment.amount ?? "0") / 100;

function requireStars(deps: PaymentsDeps): StarsSettings {
  if (!deps.stars) throw new DomainError("PRECONDITION_FAILED", "errors.payment.starsUnavailable");
  return deps.stars;
}

/** A failed Bot API call, in the terms the payments module handles: may work later (unavailable) or a definite no (refused). */
function botApiFailure(error: unknown): BankError {
  const description = (error as { description?: unknown }).description;
  const words = typeof description === "string" ? description : error instanceof Error ? error.message : String(error);
  return new BankError((error as { transient?: unknown }).transient === true ? "unavailable" : "refused", "telegram", words);
}

/** Telegram refuses to refund a charge twice: that answer means the Stars are back already. */
const alreadyRefunded = (error: BankError) => error.bankMessage.includes("CHARGE_ALREADY_REFUNDED");

async function refundCharge(api: StarsApi, payerId: bigint, chargeId: string): Promise<void> {
  try {
    await api.refundStarPayment({ user_id: Number(payerId), telegram_payment_charge_id: chargeId });
  } catch (error) {
    const failure = botApiFailure(error);
    if (!alreadyRefunded(failure)) throw failure;
  }
}

/**
 * Telegram Stars in the Mini App, through the bot: createInvoiceLink (currency XTR, one price in
 * whole Stars, no provider token, our order id as the payload), paid only on the
 * `successful_payment` Telegram sends after our pre-checkout answer, refunded with
 * refundStarPayment, which returns a whole payment only. There is nothing to ask about a payment
 * (status is null): Telegram's updates are the only word, and an unpaid invoice is canceled here
 * alone (the pre-checkout then refuses it).
 */
export function starsProvider(deps: PaymentsDeps): PaymentProvider {
  return {
    id: "stars",
    currency: starsCurrency,
    partialRefunds: false,
    priceOf: (tier) => requireStars(deps).prices[tier.id] * 100,
    async create(order) {
      const { api } = requireStars(deps);
      const count = { count: order.tier.photoCount };
      try {
        const url = await api.createInvoiceLink({
          title: translate("payments.stars.invoiceTitle", order.locale, count),
          description: translate("payments.stars.invoiceDescription", order.locale, count),
          payload: order.orderId,
          currency: starsCurrency,
          prices: [{ label: translate("payments.stars.invoiceLabel", order.locale, count), amount: order.amount / 100 }],
        });
        return { url, providerPaymentId: null, status: null };
      } catch (error) {
        throw botApiFailure(error);
      }
    },
    status: async () => null,
    cancel: async () => ({ status: "CANCELED" }),
    async refund(payment, refund) {
      const whole = decimalToKopecks(payment.amount ?? "0");
      if (refund.amount !== whole) throw new BankError("refused", "partial", "Telegram Stars refunds only a whole payment");
      if (!payment.telegramPaymentChargeId || payment.telegramPayerId === null) throw new BankError("refused", "no-payment", "the payment has no Telegram charge to refund");
      if (!deps.stars) throw new BankError("unavailable", "telegram", "no Telegram bot is configured");
      await refundCharge(deps.stars.api, payment.telegramPayerId, payment.telegramPaymentChargeId);
      return { status: "REFUNDED", originalAmount: whole, newAmount: 0 };
    },
    verifyNotification(body): ProviderNotification | NotificationAnswer {
      const message = body as PaymentMessage;
      const paid = message?.successful_payment;
      const from = message?.from;
      if (!paid || !from || typeof paid.telegram_payment_charge_id !== "string" || !paid.telegram_payment_charge_id || typeof paid.invoice_payload !== "string") {
        return { httpStatus: 400, body: "not a successful payment" };
      }
      if (paid.currency !== starsCurrency || !Number.isSafeInteger(paid.total_amount) || paid.total_amount <= 0) return { httpStatus: 409, body: "not a payment in Stars" };
      return {
        orderId: paid.invoice_payload,
        providerPaymentId: paid.telegram_payment_charge_id,
        status: "CONFIRMED",
        amount: paid.total_amount * 100,
        dedupeKey: `stars:${paid.telegram_payment_charge_id}`.slice(0, 128),
        payerTelegramId: BigInt(from.id),
        body: { source: "successful_payment", from: { id: from.id }, ...paid },
      };
    },
  };
}

export type PreCheckoutAnswer = { ok: true } | { ok: false; errorMessage: string };

/**
 * The answer to a pre_checkout_query (Telegram waits at most 10 seconds for it): ok only when the
 * payload names a pending, uncanceled Stars payment of that same Telegram user, for the same
 * amount in XTR, still inside its session lifetime. Otherwise the reason in the payer's language.
 * Nothing is written: only `successful_payment` makes a payment paid.
 */
export async function answerStarsPreCheckout(deps: PaymentsDeps, query: PreCheckoutQuery): Promise<PreCheckoutAnswer> {
  const locale = pickLocale(query.from?.language_code);
  const no = (key: MessageKey): PreCheckoutAnswer => ({ ok: false, errorMessage: translate(key, locale) });
  const [payment] = isOrderId(query.invoice_payload) ? await deps.db.select().from(payments).where(eq(payments.orderId, query.invoice_payload)) : [];
  const expired = payment && deps.clock.now().getTime() - (payment.createdAt?.getTime() ?? 0) >= paymentSessionLifetimeMs;
  if (!payment || payment.provider !== "stars" || payment.status !== "pending" || payment.cancelRequestedAt !== null || expired) return no("payments.stars.checkout.unavailable");
  if (payment.telegramPayerId === null || typeof query.from?.id !== "number" || payment.telegramPayerId !== BigInt(query.from.id)) return no("payments.stars.checkout.otherUser");
  if (query.currency !== starsCurrency || query.total_amount !== starsOf(payment)) return no("payments.stars.checkout.priceChanged");
  return { ok: true };
}

export interface StarsPaymentOutcome {
  /** paid: recorded now; duplicate: this charge was recorded before; refunded: a charge we could not honour went back. */
  outcome: "paid" | "duplicate" | "refunded";
  paymentId: number | null;
  locale: Locale;
}

/**
 * A `successful_payment` message (the update came with our webhook secret). The payment becomes
 * paid only when the payload names a Stars payment of this very Telegram user for exactly its
 * amount in XTR; the charge id is stored (unique), so a repeated or concurrent copy of the update
 * changes nothing. Telegram has taken the Stars by now, so a charge we cannot honour (an unknown
 * or deleted order, another user, another amount, a second charge of a paid order) is refunded at
 * once; a canceled payment that is paid after all becomes paid, as a CONFIRMED after a decline
 * does; a photoset it starts remembers `requestId`, the update's request. Throws when a refund could not be made yet (the webhook answers 500 and Telegram resends).
 */
export async function recordStarsPayment(deps: PaymentsDeps, message: PaymentMessage, requestId: string | null = null): Promise<StarsPaymentOutcome> {
  const locale = pickLocale(message.from?.language_code);
  const verified = starsProvider(deps).verifyNotification(message);
  if ("httpStatus" in verified) throw new BankError("refused", String(verified.httpStatus), verified.body);
  const payer = verified.payerTelegramId!;
  const result = await deps.db.transaction(async (tx) => {
    const [payment] = isOrderId(verified.orderId) ? await tx.select().from(payments).where(eq(payments.orderId, verified.orderId)).for("update") : [];
    const [recorded] = await tx.select({ id: payments.id }).from(payments).where(eq(payments.telegramPaymentChargeId, verified.providerPaymentId));
    if (recorded) return { outcome: "duplicate" as const, paymentId: recorded.id };
    const problem = !payment
      ? "an order that is not ours (or was deleted)"
      : payment.provider !== "stars"
        ? "an order that is not a Stars payment"
        : payment.telegramPayerId !== payer
          ? "another Telegram user than the order's"
          : verified.amount !== decimalToKopecks(payment.amount ?? "0")
            ? "another amount than the order's"
            : payment.telegramPaymentChargeId !== null
              ? "an order that was paid already"
              : null;
    if (problem) {
      if (payment) await recordBankEvent(tx, payment.id, `stars-refund:${verified.providerPaymentId}`.slice(0, 128), "REFUNDED", { ...verified.body, refusedFor: problem });
      return { outcome: "refund" as const, paymentId: payment?.id ?? null, problem };
    }
    await tx.update(payments).set({ telegramPaymentChargeId: verified.providerPaymentId, updatedAt: deps.clock.now() }).where(eq(payments.id, payment!.id));
    await recordBankEvent(tx, payment!.id, verified.dedupeKey, verified.status, verified.body);
    await applyBankStatus(tx, deps.clock, payment!.id, verified.status, undefined, { ...deps, requestId });
    return { outcome: "paid" as const, paymentId: payment!.id };
  });
  if (result.outcome !== "refund") return { ...result, locale };
  paymentsLogger(deps.payments).warn(
    { orderId: verified.orderId, chargeId: verified.providerPaymentId, payer: String(payer), amount: verified.amount / 100, paymentId: result.paymentId },
    `payments: a Stars payment for ${result.problem} is refunded`,
  );
  await refundCharge(requireStars(deps).api, payer, verified.providerPaymentId);
  return { outcome: "refunded", paymentId: result.paymentId, locale };
}
