/**
 * The bank as the payments module sees it: T-Bank's Internet Acquiring API v2 (Init, GetState,
 * Cancel) and the terminal credentials its notifications are signed with. Filled by the real
 * HTTP client (tbank-client.ts) or, without credentials, by the local test bank (local-bank.ts).
 */
export interface BankClient {
  /** Which card provider this is (the payments' `provider` column): T-Bank, or the local test checkout. */
  readonly provider: "tbank" | "test";
  /** The terminal this client speaks for; notifications are checked against the same pair. */
  readonly credentials: { terminalKey: string; password: string };
  init(request: InitRequest): Promise<InitResult>;
  getState(paymentId: string): Promise<PaymentState>;
  cancel(request: CancelRequest): Promise<CancelResult>;
}

export type Taxation = "osn" | "usn_income" | "usn_income_outcome" | "esn" | "patent";
export const taxations: readonly Taxation[] = ["osn", "usn_income", "usn_income_outcome", "esn", "patent"];
export type Vat = "none" | "vat0" | "vat5" | "vat7" | "vat10" | "vat20" | "vat105" | "vat107" | "vat110" | "vat120";
export const vats: readonly Vat[] = ["none", "vat0", "vat5", "vat7", "vat10", "vat20", "vat105", "vat107", "vat110", "vat120"];

/** A 54-FZ receipt: amounts in kopecks; the sum of item Amounts equals the operation's Amount. */
export interface Receipt {
  Email: string;
  Taxation: Taxation;
  Items: {
    Name: string;
    Price: number;
    Quantity: number;
    Amount: number;
    Tax: Vat;
    PaymentObject: "service";
    PaymentMethod: "full_payment";
  }[];
}

export interface InitRequest {
  Amount: number;
  OrderId: string;
  Description: string;
  /** One-stage: the bank confirms the charge itself. */
  PayType: "O";
  SuccessURL: string;
  FailURL: string;
  NotificationURL: string;
  /** When the payment page stops taking payment (`YYYY-MM-DDTHH:MM:SS+00:00`): our pending payment's end. */
  RedirectDueDate: string;
  Receipt: Receipt;
}

export interface InitResult {
  paymentId: string;
  paymentUrl: string;
  status: string;
}

/** GetState's answer. Reconciliation compares orderId (when the bank sent one) and amount with our row. */
export interface PaymentState {
  paymentId: string;
  /** Empty when the answer carried no OrderId. */
  orderId: string;
  status: string;
  /** Kopecks, as the bank reported them (NaN when the answer had no Amount). */
  amount: number;
}

export interface CancelRequest {
  paymentId: string;
  /** Kopecks to return; less than the payment for a partial refund. */
  amount: number;
  /** Required for a partial refund; the bank takes none when the whole payment is canceled. */
  receipt?: Receipt;
  /** Our id of this refund: the bank answers a repeat with the first result instead of refunding twice. */
  externalRequestId: string;
}

/** Cancel's answer; the amounts are kopecks charged before and after it, when the bank sent them. */
export interface CancelResult {
  status: string;
  originalAmount?: number;
  newAmount?: number;
}

/**
 * The bank said no (`refused`: a definite answer with its ErrorCode) or could not be asked
 * (`unavailable`: network, timeout, 5xx — the operation may or may not have happened).
 */
export class BankError extends Error {
  constructor(
    readonly kind: "refused" | "unavailable",
    readonly errorCode: string,
    readonly bankMessage: string,
    readonly details = "",
  ) {
    super(`T-Bank ${kind}: ${errorCode} ${bankMessage}${details ? ` (${details})` : ""}`);
    this.name = "BankError";
  }

  /** The bank's own words, for the user and the payment's error_message. */
  get reason(): string {
    const parts = [this.bankMessage.trim(), this.details.trim()].filter(Boolean);
    return [...new Set(parts)].join(" ");
  }
}

/** T-Bank's statuses of part of the money going back to the card. */
const partialRefundStatuses = ["PARTIAL_REFUNDED", "PARTIAL_REVERSED"];
/** ...and of any refund, full or partial. */
const refundStatuses = ["REFUNDED", "REVERSED", ...partialRefundStatuses];

/**
 * T-Bank's statuses, grouped by what they mean for our payment. A partial refund (the failed
 * share of a photoset) leaves the purchase standing: the payment stays succeeded, so the user
 * still counts as paid, and refunded_amount says what went back. Only a full refund ends it.
 */
export const bankStatusOutcome = (status: string): "succeeded" | "canceled" | "refunded" | "pending" => {
  if (status === "CONFIRMED" || partialRefundStatuses.includes(status)) return "succeeded";
  if (["REJECTED", "CANCELED", "DEADLINE_EXPIRED", "AUTH_FAIL"].includes(status)) return "canceled";
  if (refundStatuses.includes(status)) return "refunded";
  return "pending";
};

/**
 * Whether an amount the bank reports (a notification's or GetState's Amount) fits our payment of
 * `expectedKopecks`. A refund may carry the amount returned, so anything from 1 kopeck to the
 * price; every other status must carry exactly the price.
 */
export function bankAmountFits(status: string, amountKopecks: number, expectedKopecks: number): boolean {
  if (!Number.isInteger(amountKopecks)) return false;
  return refundStatuses.includes(status) ? amountKopecks > 0 && amountKopecks <= expectedKopecks : amountKopecks === expectedKopecks;
}

/**
 * How long a payment session can still be paid: Init sends it as RedirectDueDate, so the bank's
 * page dies when our pending payment does. A payment pending past this is canceled by
 * reconciliation once GetState confirms the buyer never paid, and account deletion only waits
 * for payments younger than this.
 */
export const paymentSessionLifetimeMs = 24 * 60 * 60 * 1000;

/** T-Bank's date format for RedirectDueDate: ISO 8601 to the second with the zone (UTC here). */
export const bankDueDate = (date: Date): string => `${date.toISOString().slice(0, 19)}+00:00`;
