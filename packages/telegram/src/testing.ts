/**
 * A fake Telegram Bot API on 127.0.0.1 for tests: it speaks the real protocol (POST
 * /bot<token>/<method>, JSON or multipart/form-data, `{ ok, result }` answers, error_code and
 * parameters.retry_after on failure), checks what Telegram checks for the methods we use, records
 * every call, and can be told to fail the next calls with a 429, a 5xx or any other error, or to drop the connection.
 * It also plays Telegram's side of Stars payments (invoice links, pre-checkout queries with their
 * 10-second window, charges and refunds).
 */
import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface RecordedCall {
  method: string;
  token: string;
  params: Record<string, unknown>;
  files: RecordedFile[];
  /** The HTTP status the fake answered with. */
  status: number;
}

export type ScriptedFailure = { kind: "rateLimit"; retryAfter: number } | { kind: "error"; status: number; description?: string } | { kind: "drop" };

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A Telegram user as updates carry it. */
export interface FakeTelegramUser {
  id: number;
  is_bot?: boolean;
  first_name?: string;
  language_code?: string;
}

interface FakeInvoice {
  title: string;
  description: string;
  payload: string;
  currency: string;
  amount: number;
}

interface FakePreCheckout {
  invoice: FakeInvoice;
  from: FakeTelegramUser;
  query: { id: string; from: FakeTelegramUser; currency: string; total_amount: number; invoice_payload: string };
  /** Past Telegram's 10 seconds: an answer now is refused. */
  expired: boolean;
  answer: { ok: boolean; error_message?: string } | null;
}

const queryTooOld = "query is too old and response timeout expired or query ID is invalid";

export async function startFakeBotApi(options: { token: string }) {
  const calls: RecordedCall[] = [];
  const failures: { method: string; failure: ScriptedFailure; passes: number }[] = [];
  let messageId = 0;
  let updateId = 100_000;
  // Telegram Stars: the invoices we created, the pre-checkout queries Telegram asked, the charges it made.
  const invoices = new Map<string, FakeInvoice>();
  const preCheckouts = new Map<string, FakePreCheckout>();
  const charges = new Map<string, { userId: number; amount: number; payload: string; refunded: boolean }>();

  const server = createServer(async (req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    const body = await readAll(req);
    if (!match) return answer(404, { ok: false, error_code: 404, description: "Not Found" });
    const [, token, method] = match as unknown as [string, string, string];

    const params: Record<string, unknown> = {};
    const files: RecordedFile[] = [];
    const type = req.headers["content-type"] ?? "";
    if (type.startsWith("application/json")) Object.assign(params, JSON.parse(body.toString("utf8")));
    else if (type.startsWith("multipart/form-data")) {
      const form = await new Request("http://fake/", { method: "POST", headers: { "content-type": type }, body }).formData();
      for (const [field, value] of form.entries()) {
        if (typeof value === "string") params[field] = value;
        else files.push({ field, filename: value.name, contentType: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
      }
    }
    const record = (status: number) => calls.push({ method, token, params, files, status });

    if (token !== options.token) {
      record(401);
      return answer(401, { ok: false, error_code: 401, description: "Unauthorized" });
    }
    const scripted = failures.findIndex((f) => f.method === method || f.method === "*");
    if (scripted >= 0 && failures[scripted]!.passes > 0) failures[scripted]!.passes--;
    else if (scripted >= 0) {
      const { failure } = failures.splice(scripted, 1)[0]!;
      if (failure.kind === "drop") {
        record(0);
        return res.destroy();
      }
      if (failure.kind === "rateLimit") {
        record(429);
        return answer(429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${failure.retryAfter}`, parameters: { retry_after: failure.retryAfter } });
      }
      record(failure.status);
      return answer(failure.status, { ok: false, error_code: failure.status, description: failure.description ?? "Internal Server Error" });
    }

    const badRequest = (description: string) => {
      record(400);
      answer(400, { ok: false, error_code: 400, description: `Bad Request: ${description}` });
    };
    if (method.startsWith("send") && params.chat_id === undefined) return badRequest("chat_id is empty");
    const chat = { id: Number(params.chat_id), type: "private" };
    const message = (extra: Record<string, unknown>) => ({ message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat, ...extra });

    switch (method) {
      case "sendMessage": {
        if (!params.text) return badRequest("message text is empty");
        const buttons = (params.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard?.flat() ?? [];
        if (buttons.some((b) => b.callback_data !== undefined && (Buffer.byteLength(b.callback_data) < 1 || Buffer.byteLength(b.callback_data) > 64))) {
          return badRequest("BUTTON_DATA_INVALID");
        }
        record(200);
        return answer(200, { ok: true, result: message({ text: params.text }) });
      }
      case "sendPhoto":
        if (!files.some((f) => f.field === "photo")) return badRequest("there is no photo in the request");
        record(200);
        return answer(200, { ok: true, result: message({ photo: [{ file_id: `photo${messageId}` }] }) });
      case "sendMediaGroup": {
        const media = JSON.parse(String(params.media ?? "[]")) as { type: string; media: string }[];
        if (media.length < 2 || media.length > 10) return badRequest("wrong number of media in the album");
        for (const item of media) {
          const attached = item.media.startsWith("attach://") ? item.media.slice("attach://".length) : null;
          if (item.type !== "photo" || !attached || !files.some((f) => f.field === attached)) return badRequest("wrong file identifier/HTTP URL specified");
        }
        const groupId = `group${messageId}`;
        record(200);
        return answer(200, { ok: true, result: media.map(() => message({ media_group_id: groupId, photo: [{ file_id: `photo${messageId}` }] })) });
      }
      case "answerCallbackQuery":
        if (!params.callback_query_id) return badRequest("query_id is empty");
        if (typeof params.text === "string" && params.text.length > 200) return badRequest("MESSAGE_TOO_LONG");
        record(200);
        return answer(200, { ok: true, result: true });
      case "setWebhook":
        record(200);
        return answer(200, { ok: true, result: true, description: "Webhook was set" });
      case "createInvoiceLink": {
        const title = String(params.title ?? "");
        const description = String(params.description ?? "");
        const payload = String(params.payload ?? "");
        const prices = params.prices as { label?: string; amount?: number }[] | undefined;
        if (title.length < 1 || title.length > 32) return badRequest("INVOICE_TITLE_INVALID");
        if (description.length < 1 || description.length > 255) return badRequest("INVOICE_DESCRIPTION_INVALID");
        if (Buffer.byteLength(payload) < 1 || Buffer.byteLength(payload) > 128) return badRequest("INVOICE_PAYLOAD_INVALID");
        if (params.currency !== "XTR") return badRequest("CURRENCY_INVALID");
        if (params.provider_token !== undefined && params.provider_token !== "") return badRequest("PROVIDER_TOKEN_INVALID: must be empty for payments in Telegram Stars");
        if (!Array.isArray(prices) || prices.length !== 1 || !prices[0]!.label || !Number.isSafeInteger(prices[0]!.amount) || prices[0]!.amount! < 1) return badRequest("STARS_INVOICE_INVALID");
        const slug = `fake${invoices.size + 1}x${payload.length}`;
        invoices.set(slug, { title, description, payload, currency: "XTR", amount: prices[0]!.amount! });
        record(200);
        return answer(200, { ok: true, result: `https://t.me/$${slug}` });
      }
      case "answerPreCheckoutQuery": {
        const pending = preCheckouts.get(String(params.pre_checkout_query_id ?? ""));
        if (!pending || pending.expired || pending.answer) return badRequest(queryTooOld);
        if (typeof params.ok !== "boolean") return badRequest("ok must be a boolean");
        if (!params.ok && !params.error_message) return badRequest("error_message is required when ok is false");
        pending.answer = { ok: params.ok, ...(typeof params.error_message === "string" ? { error_message: params.error_message } : {}) };
        record(200);
        return answer(200, { ok: true, result: true });
      }
      case "refundStarPayment": {
        const charge = charges.get(String(params.telegram_payment_charge_id ?? ""));
        if (!charge || charge.userId !== Number(params.user_id)) return badRequest("CHARGE_NOT_FOUND");
        if (charge.refunded) return badRequest("CHARGE_ALREADY_REFUNDED");
        charge.refunded = true;
        record(200);
        return answer(200, { ok: true, result: true });
      }
      default:
        record(404);
        return answer(404, { ok: false, error_code: 404, description: "Not Found: method not found" });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const successfulPaymentUpdate = (from: FakeTelegramUser, payment: { invoice_payload: string; total_amount: number; currency: string; telegram_payment_charge_id: string }) => ({
    update_id: ++updateId,
    message: { message_id: ++messageId, date: Math.floor(Date.now() / 1000), from, chat: { id: from.id, type: "private" }, successful_payment: { ...payment, provider_payment_charge_id: "" } },
  });

  return {
    url,
    calls,
    /** The calls Telegram accepted: what a person would see in the chat. */
    accepted: () => calls.filter((c) => c.status === 200),
    /**
     * Telegram's side of Stars payments. `preCheckout` is a person pressing Pay on an invoice link
     * we created (fields may be forged to test our answer); `pay` is Telegram charging after our ok
     * and sending `successful_payment`; `expire` is Telegram's 10 seconds running out.
     */
    stars: {
      invoiceOf: (link: string) => invoices.get(link.replace(/^https:\/\/t\.me\/\$/, "")),
      preCheckout(link: string, from: FakeTelegramUser, forged: { invoice_payload?: string; total_amount?: number; currency?: string } = {}) {
        const invoice = invoices.get(link.replace(/^https:\/\/t\.me\/\$/, ""));
        if (!invoice) throw new Error(`fake Bot API: no invoice ${link}`);
        const id = `${from.id}${++updateId}`;
        const query = { id, from, currency: invoice.currency, total_amount: invoice.amount, invoice_payload: invoice.payload, ...forged };
        preCheckouts.set(id, { invoice, from, query, expired: false, answer: null });
        return { update_id: updateId, pre_checkout_query: query };
      },
      answerOf: (queryId: string) => preCheckouts.get(queryId)?.answer ?? null,
      expire(queryId: string) {
        preCheckouts.get(queryId)!.expired = true;
      },
      /** Telegram takes the Stars only after an ok answer in time, and tells the bot with a successful_payment message. */
      pay(queryId: string) {
        const pending = preCheckouts.get(queryId);
        if (!pending?.answer?.ok) throw new Error(`fake Bot API: pre-checkout ${queryId} was not answered ok in time; Telegram charges nothing`);
        const chargeId = `stxFAKE${queryId}${charges.size + 1}`;
        charges.set(chargeId, { userId: pending.from.id, amount: pending.query.total_amount, payload: pending.query.invoice_payload, refunded: false });
        return successfulPaymentUpdate(pending.from, { invoice_payload: pending.query.invoice_payload, total_amount: pending.query.total_amount, currency: pending.query.currency, telegram_payment_charge_id: chargeId });
      },
      /** A successful_payment message update with these fields (pay makes the real one; this also forges others). */
      successfulPayment: successfulPaymentUpdate,
      charges,
    },
    /** A coming call of `method` ("*" for any) fails this way: the next one, or the one after `passes` that succeed. */
    failNext(method: string, failure: ScriptedFailure, options: { passes?: number } = {}) {
      failures.push({ method, failure, passes: options.passes ?? 0 });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Signs Mini App initData the way Telegram does (the library's signer), for tests of sign-in. */
export { sign as signInitData } from "@telegram-apps/init-data-node";

export { signInitDataFields } from "./sign-init-data.ts";

/** Signs Login Widget fields the way Telegram does (HMAC-SHA256 keyed with SHA-256 of the bot token), for tests of sign-in. */
export function signLoginWidget<T extends Record<string, string | number>>(fields: T, botToken: string): T & { hash: string } {
  const dataCheckString = Object.entries(fields).map(([key, value]) => `${key}=${value}`).sort().join("\n");
  return { ...fields, hash: createHmac("sha256", createHash("sha256").update(botToken).digest()).update(dataCheckString).digest("hex") };
}
