import type { Clock } from "@pinglass/core";
import type { Db, DbOrTx } from "@pinglass/db";
import type { BankClient, Taxation, Vat } from "./bank.ts";
import type { Payment } from "./payments.ts";
import type { Tier } from "./tiers.ts";

/** What the payments module needs from configuration (and where it reports). */
export interface PaymentSettings {
  /** The app's public base URL: the bank sends the buyer back here and notifies /webhooks/tbank. */
  publicUrl: string;
  /** The 54-FZ receipt's taxation system and VAT of the one item. */
  taxation: Taxation;
  vat: Vat;
  /**
   * Where the module reports what it refused to act on (a GetState or Cancel answer that does
   * not match our payment). Pino's logger fits; without one, warnings go to the console.
   */
  logger?: PaymentsLogger;
  /** Whether the Mini App offers card payments besides Stars (TELEGRAM_MINIAPP_CARD_PAYMENTS). */
  miniAppCardPayments?: boolean;
}

export interface PaymentsLogger {
  warn(details: object, message: string): void;
}

/** The settings' logger, or the console: a mismatch with the bank is never silent. */
export const paymentsLogger = (settings: PaymentSettings): PaymentsLogger =>
  settings.logger ?? { warn: (details, message) => console.warn(message, details) };

/**
 * The Bot API calls Telegram Stars payments make (the telegram package's client has them). A failed
 * call throws an error whose `transient` is true when trying again later may work (429, 5xx, no
 * answer) and whose `description` is Telegram's words.
 */
export interface StarsApi {
  createInvoiceLink(params: { title: string; description: string; payload: string; currency: "XTR"; prices: { label: string; amount: number }[] }): Promise<string>;
  refundStarPayment(params: { user_id: number; telegram_payment_charge_id: string }): Promise<unknown>;
}

/** Telegram Stars: the bot's API and the price of each tier in whole Stars (STARS_PRICE_*). */
export interface StarsSettings {
  api: StarsApi;
  prices: Record<Tier["id"], number>;
}

/**
 * Called inside the transaction that records a payment as paid, for a payment bound to a photoset
 * (see startsOnPayment): the app wires generation's start here, so payments never imports it.
 * `requestId` is the request that brought the bank's word (null for the reconciliation loop).
 */
export type PaidHook = (tx: DbOrTx, payment: Payment, requestId: string | null) => Promise<void>;

/**
 * Called inside the transaction that records a change of a payment a developer may hear about:
 * it became paid (`succeeded`), or money went back (`refunded`: the whole payment, or a share of
 * it while it stays succeeded; `refundedAmount` says how much). The app wires developer webhooks here.
 */
export type PaymentChangeHook = (tx: DbOrTx, payment: Payment, change: "succeeded" | "refunded") => Promise<void>;

export interface PaymentsDeps {
  db: Db;
  clock: Clock;
  /** The card provider: T-Bank, or the local test checkout. */
  bank: BankClient;
  payments: PaymentSettings;
  /** Telegram Stars; absent without a bot. */
  stars?: StarsSettings | null;
  onPaid?: PaidHook;
  onPaymentChange?: PaymentChangeHook;
}
