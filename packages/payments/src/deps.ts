import type { Clock } from "@pinglass/core";
import type { Db } from "@pinglass/db";
import type { BankClient, Taxation, Vat } from "./bank.ts";

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
}

export interface PaymentsLogger {
  warn(details: object, message: string): void;
}

/** The settings' logger, or the console: a mismatch with the bank is never silent. */
export const paymentsLogger = (settings: PaymentSettings): PaymentsLogger =>
  settings.logger ?? { warn: (details, message) => console.warn(message, details) };

export interface PaymentsDeps {
  db: Db;
  clock: Clock;
  bank: BankClient;
  payments: PaymentSettings;
}
