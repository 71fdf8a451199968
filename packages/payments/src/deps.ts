import type { Clock } from "@pinglass/core";
import type { Db } from "@pinglass/db";
import type { BankClient, Taxation, Vat } from "./bank.ts";

/** What the payments module needs from configuration. */
export interface PaymentSettings {
  /** The app's public base URL: the bank sends the buyer back here and notifies /webhooks/tbank. */
  publicUrl: string;
  /** The 54-FZ receipt's taxation system and VAT of the one item. */
  taxation: Taxation;
  vat: Vat;
}

export interface PaymentsDeps {
  db: Db;
  clock: Clock;
  bank: BankClient;
  payments: PaymentSettings;
}
