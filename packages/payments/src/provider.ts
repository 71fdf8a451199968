import type { Locale } from "@pinglass/core";
import type { PaymentProviderId } from "@pinglass/db";
import type { CancelResult, PaymentState } from "./bank.ts";
import type { PaymentsDeps } from "./deps.ts";
import type { NotificationAnswer } from "./notifications.ts";
import type { Payment } from "./payments.ts";
import { starsProvider } from "./stars.ts";
import { cardProvider } from "./tbank-provider.ts";
import type { Tier } from "./tiers.ts";

/** What a provider needs to open a payment session for one of our pending payments. */
export interface ProviderOrder {
  paymentId: number;
  orderId: string;
  tier: Tier;
  /** In the provider's money, minor units: kopecks, or hundredths of a Star (whole Stars × 100). */
  amount: number;
  /** The 54-FZ receipt address (cards only). */
  email: string | null;
  /** Stars: the Telegram user who may pay. */
  telegramUserId: bigint | null;
  createdAt: Date;
  locale: Locale;
}

/** Where the buyer pays, and what the provider called it. */
export interface ProviderSession {
  url: string;
  /** The provider's id of the payment (T-Bank's PaymentId); null until paid for Stars. */
  providerPaymentId: string | null;
  /** The provider's first word (Init's NEW), if it said one. */
  status: string | null;
}

/** An authentic word from the provider about one payment, not yet matched against our row. */
export interface ProviderNotification {
  orderId: string;
  providerPaymentId: string;
  /** In the shared status vocabulary (T-Bank's: CONFIRMED, REJECTED, REFUNDED, …). */
  status: string;
  /** Minor units, as the provider reported them. */
  amount: number;
  /** The event's key in payment_events: the same word twice is recorded once. */
  dedupeKey: string;
  /** The provider's reason, for a payment that did not go through. */
  reason?: string;
  /** Stars: the Telegram user who paid. */
  payerTelegramId?: bigint;
  body: Record<string, unknown>;
}

/**
 * One way to pay. Everything downstream of "a succeeded, unconsumed payment" is the same for every
 * provider: the statuses a provider reports are mapped onto one vocabulary (T-Bank's words, see
 * bankStatusOutcome), amounts are minor units of the payment's currency, and a refund answers
 * with the amounts before and after it.
 */
export interface PaymentProvider {
  readonly id: PaymentProviderId;
  readonly currency: "RUB" | "XTR";
  /** False when only a whole payment can be returned (Telegram Stars): failed photos are made again instead. */
  readonly partialRefunds: boolean;
  /** A tier's price in this provider's minor units. */
  priceOf(tier: Tier): number;
  create(order: ProviderOrder): Promise<ProviderSession>;
  /** The provider's word on a payment now (GetState); null when it cannot be asked (Stars: only updates tell). */
  status(payment: Payment): Promise<PaymentState | null>;
  /** Ends a payment the buyer has not paid; the answer's status says what happened (CANCELED, or REFUNDED if it had been paid). */
  cancel(payment: Payment): Promise<{ status: string }>;
  /** Returns `amount` (minor units) of a paid payment; `requestId` makes a repeat answer with the first result. */
  refund(payment: Payment, refund: { amount: number; requestId: string }): Promise<CancelResult>;
  /** Checks that a notification is authentic and names a payment; a refusal says what to answer. */
  verifyNotification(body: unknown): ProviderNotification | NotificationAnswer;
}

/** Card payments go to the configured card provider: rows of T-Bank and of the test checkout alike (one of them runs). */
export function providerFor(deps: PaymentsDeps, payment: Pick<Payment, "provider">): PaymentProvider {
  return payment.provider === "stars" ? starsProvider(deps) : cardProvider(deps.bank, deps.payments);
}

/** Providers that can only return a whole payment. */
export const wholeRefundProviders: PaymentProviderId[] = ["stars"];
export const wholeRefundsOnly = (provider: PaymentProviderId): boolean => wholeRefundProviders.includes(provider);
