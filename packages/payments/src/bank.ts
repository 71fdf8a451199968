/**
 * The bank as the payments module sees it: T-Bank's Internet Acquiring API v2 (Init, GetState,
 * Cancel) and the terminal credentials its notifications are signed with. Filled by the real
 * HTTP client (tbank-client.ts) or, without credentials, by the local test bank (local-bank.ts).
 */
export interface BankClient {
  /** The terminal this client speaks for; notifications are checked against the same pair. */
  readonly credentials: { terminalKey: string; password: string };
  /** True for the offline local test bank: the app shows its checkout and says no money moves. */
  readonly isLocalTest: boolean;
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
  PayType: "O" | "T";
  SuccessURL: string;
  FailURL: string;
  NotificationURL: string;
  Receipt: Receipt;
}

export interface InitResult {
  paymentId: string;
  paymentUrl: string;
  status: string;
}

export interface PaymentState {
  paymentId: string;
  orderId: string;
  status: string;
  amount: number;
}

export interface CancelRequest {
  paymentId: string;
  /** Kopecks to return; less than the payment for a partial refund. */
  amount: number;
  receipt: Receipt;
  /** Our id of this refund: the bank answers a repeat with the first result instead of refunding twice. */
  externalRequestId: string;
}

export interface CancelResult {
  status: string;
  originalAmount: number;
  newAmount: number;
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

/** T-Bank's statuses, grouped by what they mean for our payment. */
export const bankStatusOutcome = (status: string): "succeeded" | "canceled" | "refunded" | "pending" => {
  if (status === "CONFIRMED") return "succeeded";
  if (["REJECTED", "CANCELED", "DEADLINE_EXPIRED", "AUTH_FAIL"].includes(status)) return "canceled";
  if (["REFUNDED", "PARTIAL_REFUNDED", "REVERSED", "PARTIAL_REVERSED"].includes(status)) return "refunded";
  return "pending";
};
