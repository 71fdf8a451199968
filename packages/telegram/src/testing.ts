/**
 * A fake Telegram Bot API on 127.0.0.1 for tests: it speaks the real protocol (POST
 * /bot<token>/<method>, JSON or multipart/form-data, `{ ok, result }` answers, error_code and
 * parameters.retry_after on failure), checks what Telegram checks for the methods we use, records
 * every call, and can be told to fail the next calls with a 429, a 5xx or any other error, or to drop the connection.
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

export async function startFakeBotApi(options: { token: string }) {
  const calls: RecordedCall[] = [];
  const failures: { method: string; failure: ScriptedFailure; passes: number }[] = [];
  let messageId = 0;

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
      default:
        record(404);
        return answer(404, { ok: false, error_code: 404, description: "Not Found: method not found" });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    calls,
    /** The calls Telegram accepted: what a person would see in the chat. */
    accepted: () => calls.filter((c) => c.status === 200),
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

/** Signs Login Widget fields the way Telegram does (HMAC-SHA256 keyed with SHA-256 of the bot token), for tests of sign-in. */
export function signLoginWidget<T extends Record<string, string | number>>(fields: T, botToken: string): T & { hash: string } {
  const dataCheckString = Object.entries(fields).map(([key, value]) => `${key}=${value}`).sort().join("\n");
  return { ...fields, hash: createHmac("sha256", createHash("sha256").update(botToken).digest()).update(dataCheckString).digest("hex") };
}
