import { createHmac, randomBytes, randomInt } from "node:crypto";
import { type Clock, constantTimeEqual, systemClock } from "@pinglass/core";
import { type BankClient, BankError, type CancelRequest, type CancelResult, type InitRequest, type InitResult, type PaymentState } from "./bank.ts";
import { signed } from "./token.ts";

/** The local test terminal: the same signing as T-Bank's, with credentials that are not secret. */
export const localTestCredentials = { terminalKey: "PinGlassLocalTest", password: "pinglass-local-test-password" } as const;

export interface LocalCheckoutSession {
  paymentId: string;
  orderId: string;
  amount: number;
  description: string;
  email: string;
  status: string;
  successUrl: string;
  failUrl: string;
  notificationUrl: string;
  /** Kopecks still charged after refunds. */
  remaining: number;
}

export interface LocalTestBank extends BankClient {
  session(paymentId: string): LocalCheckoutSession | undefined;
  /**
   * The session a checkout link opens: only with the token that this payment's PaymentURL
   * carries, before it expires. Anything else (a guessed id, another payment's token, a
   * tampered or expired one) opens nothing.
   */
  checkout(paymentId: string, token: string): LocalCheckoutSession | undefined;
  /** The buyer pressed Pay or Decline: the bank notifies like T-Bank does and sends the buyer back. */
  complete(paymentId: string, choice: "pay" | "decline"): Promise<{ redirectUrl: string }>;
}

/** Sends a notification the way the bank does: POST JSON to a URL; anything but 200 with exactly "OK" is an error naming the answer. */
export async function postNotification(url: string, notification: Record<string, unknown>): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(notification),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== 200 || text !== "OK") throw new Error(`notification to ${url} answered ${response.status} ${text.slice(0, 100)}`);
}

/**
 * The embedded default bank, used when no T-Bank credentials are configured: an offline
 * implementation of Init, GetState and Cancel with T-Bank's statuses, whose PaymentURL is the
 * app's own test checkout page (no card data, no money). Pressing Pay or Decline there produces
 * the notifications T-Bank would send (AUTHORIZED then CONFIRMED, or REJECTED), signed with the
 * local test terminal's password, so they pass through the same verification as real ones.
 * Sessions live in memory: after a restart an unfinished test payment is simply started again.
 *
 * The checkout page is public (production runs it with PAYMENTS_TEST_CHECKOUT=true) and payment
 * ids are sequential, so the PaymentURL carries a token, `<expiry>.<HMAC of payment id, order id
 * and expiry>`, valid until Init's RedirectDueDate (as long as the payment can be paid): only the
 * buyer the app sent there can see or press anything. The HMAC key is random per bank: the
 * sessions it vouches for live in this process's memory and die with it anyway.
 */
export function createLocalTestBank(options: {
  publicUrl: string;
  /** Where the checkout links' expiry is read from. */
  clock?: Clock;
  /** How notifications reach the app; by default an HTTP POST to the session's NotificationURL. A throw means "not accepted". */
  deliver?: (notification: Record<string, unknown>, notificationUrl: string) => Promise<void>;
  /**
   * Told about every notification the app did not accept (anything but 200 "OK", or no answer).
   * Like T-Bank, the test bank keeps its word anyway: GetState reports the state later. By
   * default a warning on the console, so a refusal is never silent.
   */
  onUndelivered?: (problem: { paymentId: string; orderId: string; status: string; error: unknown }) => void;
}): LocalTestBank {
  const sessions = new Map<string, LocalCheckoutSession>();
  const cancels = new Map<string, CancelResult>();
  const clock = options.clock ?? systemClock;
  const linkSecret = randomBytes(32);
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  const linkMac = (session: LocalCheckoutSession, expiresAt: string) =>
    createHmac("sha256", linkSecret).update(`local-checkout\n${session.paymentId}\n${session.orderId}\n${expiresAt}`).digest("base64url");
  let nextId = randomInt(1_000_000, 9_000_000) * 1000;
  const deliver = options.deliver ?? ((notification, url) => postNotification(url, notification));
  const onUndelivered =
    options.onUndelivered ??
    ((problem) => console.warn(`local test bank: the ${problem.status} notification of payment ${problem.paymentId} was not accepted: ${String(problem.error)}`));

  const notify = async (session: LocalCheckoutSession, status: string, extra: Record<string, unknown> = {}) => {
    const notification = signed(
      {
        TerminalKey: localTestCredentials.terminalKey,
        OrderId: session.orderId,
        Success: !["REJECTED", "AUTH_FAIL"].includes(status),
        Status: status,
        PaymentId: Number(session.paymentId),
        ErrorCode: status === "REJECTED" ? "1051" : "0",
        Amount: session.amount,
        CardId: 1000001,
        Pan: "430000******0777",
        ExpDate: "1230",
        ...extra,
      },
      localTestCredentials.password,
    );
    try {
      await deliver(notification, session.notificationUrl);
    } catch (error) {
      onUndelivered({ paymentId: session.paymentId, orderId: session.orderId, status, error });
    }
  };

  const find = (paymentId: string) => {
    const session = sessions.get(paymentId);
    if (!session) throw new BankError("refused", "7", "Платеж не найден.");
    return session;
  };

  return {
    provider: "test",
    credentials: localTestCredentials,
    async init(request: InitRequest): Promise<InitResult> {
      if ([...sessions.values()].some((s) => s.orderId === request.OrderId)) throw new BankError("refused", "8", "Неверный статус транзакции.", "Заказ с таким OrderId уже существует.");
      const itemsTotal = request.Receipt.Items.reduce((sum, item) => sum + item.Amount, 0);
      if (itemsTotal !== request.Amount) throw new BankError("refused", "309", "Неверные параметры.", "Сумма позиций чека не равна сумме платежа.");
      const paymentId = String(nextId++);
      const session: LocalCheckoutSession = {
        paymentId,
        orderId: request.OrderId,
        amount: request.Amount,
        description: request.Description,
        email: request.Receipt.Email,
        status: "NEW",
        successUrl: request.SuccessURL,
        failUrl: request.FailURL,
        notificationUrl: request.NotificationURL,
        remaining: request.Amount,
      };
      sessions.set(paymentId, session);
      // The page lives until Init's RedirectDueDate, as the bank's does.
      const dueSeconds = Math.floor(Date.parse(request.RedirectDueDate) / 1000);
      if (!Number.isFinite(dueSeconds)) throw new BankError("refused", "309", "Неверные параметры.", "Неверный формат RedirectDueDate.");
      const expiresAt = String(dueSeconds);
      return { paymentId, paymentUrl: `${options.publicUrl}/checkout/test/${paymentId}/${expiresAt}.${linkMac(session, expiresAt)}`, status: "NEW" };
    },
    async getState(paymentId: string): Promise<PaymentState> {
      const session = find(paymentId);
      return { paymentId, orderId: session.orderId, status: session.status, amount: session.amount };
    },
    async cancel(request: CancelRequest): Promise<CancelResult> {
      const repeated = cancels.get(request.externalRequestId);
      if (repeated) return repeated;
      const session = find(request.paymentId);
      let result: CancelResult;
      if (session.status === "NEW" || session.status === "FORM_SHOWED") {
        session.status = "CANCELED";
        result = { status: "CANCELED", originalAmount: session.amount, newAmount: 0 };
      } else if (session.status === "CONFIRMED" || session.status === "PARTIAL_REFUNDED") {
        if (request.amount <= 0 || request.amount > session.remaining) throw new BankError("refused", "1014", "Неверная сумма возврата.");
        const before = session.remaining;
        session.remaining -= request.amount;
        session.status = session.remaining === 0 ? "REFUNDED" : "PARTIAL_REFUNDED";
        result = { status: session.status, originalAmount: before, newAmount: session.remaining };
      } else {
        throw new BankError("refused", "8", "Неверный статус транзакции.");
      }
      cancels.set(request.externalRequestId, result);
      await notify(session, session.status);
      return result;
    },
    session: (paymentId) => sessions.get(paymentId),
    checkout(paymentId, token) {
      const session = sessions.get(paymentId);
      const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!session || !match || Number(match[1]) <= nowSeconds()) return undefined;
      return constantTimeEqual(match[2]!, linkMac(session, match[1]!)) ? session : undefined;
    },
    async complete(paymentId, choice) {
      const session = find(paymentId);
      if (session.status !== "NEW") return { redirectUrl: session.status === "CONFIRMED" ? session.successUrl : session.failUrl };
      // The bank's word stands even if the app does not accept it (reported to onUndelivered): GetState tells it again later.
      if (choice === "pay") {
        session.status = "AUTHORIZED";
        await notify(session, "AUTHORIZED");
        session.status = "CONFIRMED";
        await notify(session, "CONFIRMED");
        return { redirectUrl: session.successUrl };
      }
      session.status = "REJECTED";
      await notify(session, "REJECTED", { Message: "Тестовая оплата отклонена покупателем", Details: "Test payment declined" });
      return { redirectUrl: session.failUrl };
    },
  };
}
