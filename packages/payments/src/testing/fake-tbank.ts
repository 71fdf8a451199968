import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { PaymentsDeps } from "../deps.ts";
import { handleTbankNotification } from "../notifications.ts";
import { hasValidToken, signed } from "../token.ts";

type Fault =
  | { kind: "error"; errorCode: string; message: string; details?: string }
  | { kind: "hang" }
  | { kind: "http"; status: number }
  /** A normal answer with some fields replaced (a bank answering about something else). */
  | { kind: "alter"; fields: Record<string, unknown> };

interface FakePayment {
  paymentId: string;
  orderId: string;
  amount: number;
  remaining: number;
  status: string;
  notificationUrl: string;
  init: Record<string, unknown>;
}

/**
 * A stand-in for T-Bank's API v2 on 127.0.0.1, speaking its protocol: signed JSON requests to
 * /v2/Init, /v2/GetState and /v2/Cancel (Token and TerminalKey checked, Success/ErrorCode/
 * Message/Details answers, ExternalRequestId de-duplication for Cancel; Cancel ends an unpaid
 * session, reverses an authorized one and refunds a paid one), and notifications
 * POSTed to the NotificationURL signed with the terminal password. Faults can be queued per
 * method: an error answer, an HTTP status, no answer at all (for timeouts), or an answer with
 * fields replaced.
 */
export async function startFakeTbank(options: { terminalKey: string; password: string; port?: number }) {
  const payments = new Map<string, FakePayment>();
  const cancelsByRequest = new Map<string, Record<string, unknown>>();
  const faults = new Map<string, Fault[]>();
  const calls: { method: string; body: Record<string, unknown> }[] = [];
  let nextId = 7_000_000;
  const hanging = new Set<() => void>();

  const readJson = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
  };
  const fail = (errorCode: string, message: string, details = "") => ({ Success: false, ErrorCode: errorCode, Message: message, Details: details, TerminalKey: options.terminalKey });

  function answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    if (body.TerminalKey !== options.terminalKey) return fail("501", "Терминал не найден.");
    if (!hasValidToken(body, options.password)) return fail("204", "Неверный токен. Проверьте пару TerminalKey/SecretKey.");
    if (method === "Init") {
      const amount = Number(body.Amount);
      const receipt = body.Receipt as { Items: { Amount: number }[] } | undefined;
      if (receipt && receipt.Items.reduce((sum, item) => sum + item.Amount, 0) !== amount) return fail("309", "Неверные параметры.", "Сумма позиций чека не равна сумме платежа.");
      if ([...payments.values()].some((p) => p.orderId === body.OrderId)) return fail("8", "Неверный статус транзакции.", "Заказ с таким OrderId уже существует.");
      const paymentId = String(nextId++);
      payments.set(paymentId, { paymentId, orderId: String(body.OrderId), amount, remaining: amount, status: "NEW", notificationUrl: String(body.NotificationURL), init: body });
      return { Success: true, ErrorCode: "0", TerminalKey: options.terminalKey, Status: "NEW", PaymentId: paymentId, OrderId: body.OrderId, Amount: amount, PaymentURL: `https://securepay.example/new/${paymentId}` };
    }
    const payment = payments.get(String(body.PaymentId));
    if (!payment) return fail("7", "Платеж не найден.");
    if (method === "GetState") {
      return { Success: true, ErrorCode: "0", TerminalKey: options.terminalKey, Status: payment.status, PaymentId: payment.paymentId, OrderId: payment.orderId, Amount: payment.amount };
    }
    if (method === "Cancel") {
      const requestId = typeof body.ExternalRequestId === "string" ? body.ExternalRequestId : "";
      if (requestId && cancelsByRequest.has(requestId)) return cancelsByRequest.get(requestId)!;
      const amount = body.Amount === undefined ? payment.remaining : Number(body.Amount);
      // As T-Bank: an unpaid session is canceled whole (Amount ignored), an authorized one reversed, a paid one refunded.
      if (["NEW", "FORM_SHOWED", "AUTHORIZED"].includes(payment.status)) {
        const before = payment.remaining;
        payment.remaining = 0;
        payment.status = payment.status === "AUTHORIZED" ? "REVERSED" : "CANCELED";
        const result = { Success: true, ErrorCode: "0", TerminalKey: options.terminalKey, Status: payment.status, PaymentId: payment.paymentId, OrderId: payment.orderId, OriginalAmount: before, NewAmount: 0 };
        if (requestId) cancelsByRequest.set(requestId, result);
        return result;
      }
      if (!["CONFIRMED", "PARTIAL_REFUNDED"].includes(payment.status)) return fail("8", "Неверный статус транзакции.");
      if (amount <= 0 || amount > payment.remaining) return fail("1014", "Неверная сумма.");
      const before = payment.remaining;
      payment.remaining -= amount;
      payment.status = payment.remaining === 0 ? "REFUNDED" : "PARTIAL_REFUNDED";
      const result = { Success: true, ErrorCode: "0", TerminalKey: options.terminalKey, Status: payment.status, PaymentId: payment.paymentId, OrderId: payment.orderId, OriginalAmount: before, NewAmount: payment.remaining };
      if (requestId) cancelsByRequest.set(requestId, result);
      return result;
    }
    return fail("9999", "Метод не поддерживается.");
  }

  const server: Server = createServer(async (req, res) => {
    const method = (req.url ?? "").replace(/^\/v2\//, "");
    const body = await readJson(req).catch(() => ({}));
    calls.push({ method, body });
    const fault = faults.get(method)?.shift();
    if (fault?.kind === "hang") {
      // Never answers; released when the test server stops.
      hanging.add(() => res.destroy());
      return;
    }
    if (fault?.kind === "http") {
      res.writeHead(fault.status, { "content-type": "text/html" });
      return res.end("<html>Bad Gateway</html>");
    }
    const json = fault?.kind === "error" ? fail(fault.errorCode, fault.message, fault.details) : { ...answer(method, body), ...(fault?.kind === "alter" ? fault.fields : {}) };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(json));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;

  /** A notification as the bank sends it, signed; `overrides` may forge or alter any field after signing. */
  function notificationFor(payment: FakePayment, status: string, fields: Record<string, unknown> = {}) {
    return signed(
      {
        TerminalKey: options.terminalKey,
        OrderId: payment.orderId,
        Success: !["REJECTED", "AUTH_FAIL"].includes(status),
        Status: status,
        PaymentId: Number(payment.paymentId),
        ErrorCode: status === "REJECTED" ? "1051" : "0",
        Amount: payment.amount,
        CardId: 322264,
        Pan: "430000******0777",
        ExpDate: "1122",
        ...fields,
      },
      options.password,
    );
  }

  async function post(url: string, body: Record<string, unknown>) {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: response.status, text: await response.text() };
  }

  const find = (paymentId: string) => {
    const payment = payments.get(paymentId);
    if (!payment) throw new Error(`fake T-Bank: no payment ${paymentId}`);
    return payment;
  };

  return {
    baseUrl,
    calls,
    /** Queues faults for the next calls of a method, in order. */
    failNext(method: "Init" | "GetState" | "Cancel", ...next: Fault[]) {
      faults.set(method, [...(faults.get(method) ?? []), ...next]);
    },
    payment: find,
    /** The buyer pays: AUTHORIZED then CONFIRMED, each notified unless `lose` drops them. */
    async buyerPays(paymentId: string, options: { lose?: boolean } = {}) {
      const payment = find(paymentId);
      const answers = [];
      for (const status of ["AUTHORIZED", "CONFIRMED"]) {
        payment.status = status;
        if (!options.lose) answers.push(await post(payment.notificationUrl, notificationFor(payment, status)));
      }
      return answers;
    },
    /** Moves the bank's state without telling anyone (a notification that never arrives). */
    setStatus(paymentId: string, status: string) {
      find(paymentId).status = status;
    },
    notificationFor: (paymentId: string, status: string, fields?: Record<string, unknown>) => notificationFor(find(paymentId), status, fields),
    /** Sends a notification body to the payment's NotificationURL and returns the app's answer. */
    send: (paymentId: string, body: Record<string, unknown>) => post(find(paymentId).notificationUrl, body),
    async close() {
      for (const release of hanging) release();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export type FakeTbank = Awaited<ReturnType<typeof startFakeTbank>>;

/**
 * Our side of the bank's notifications for tests, as thin as the server's `/webhooks/tbank` route:
 * a loopback HTTP endpoint that hands each JSON body to handleTbankNotification with the deps the
 * test has by then (they usually need this endpoint's URL first).
 */
export async function startNotificationEndpoint(deps: () => PaymentsDeps) {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    // A failure while applying it is a 500, as the server answers: the bank sends it again.
    const answer = await handleTbankNotification(deps(), JSON.parse(Buffer.concat(chunks).toString("utf8"))).catch((error: unknown) => ({ httpStatus: 500, body: String(error) }));
    res.writeHead(answer.httpStatus, { "content-type": "text/plain" }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
