import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appRouter, openApiDocument } from "@pinglass/api";
import { createTestApi } from "@pinglass/api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { createLogger } from "./logger.ts";
import { mediaArea } from "./media.ts";
import { paymentsArea } from "./payments.ts";
import { telegramArea } from "./telegram.ts";
import { testConfig } from "./testing.ts";

/**
 * Hostile requests against the real app (every procedure of the router and the plain routes):
 * wrong types, huge and odd strings, ids at and past PostgreSQL's integer, fields nobody takes,
 * giant batches, URLs and headers, methods nobody serves. Whatever they are, the answer is a
 * status below 500, the server goes on answering, and the log has no error line (those are for
 * our own failures, not for a caller's mistakes).
 */

let api: Awaited<ReturnType<typeof createTestApi>>;
let server: ReturnType<typeof createApp>;
let base: string;
let port: number;
let dist: string;
const logLines: string[] = [];
const tokens: Record<"user" | "deleted" | "forged" | "none", string | null> = { user: null, deleted: null, forged: "Bearer 1.2.3", none: null };

beforeAll(async () => {
  api = await createTestApi();
  const logger = createLogger({ level: "info", service: "edges" }, { write: (line: string) => void logLines.push(line) });
  dist = mkdtempSync(join(tmpdir(), "pinglass-edges-"));
  mkdirSync(join(dist, "assets"));
  writeFileSync(join(dist, "index.html"), "<!doctype html><title>PinGlass</title>");
  writeFileSync(join(dist, "assets", "app-1.js"), "console.log(1)");
  // The embedded defaults: the local test checkout, no Telegram bot.
  const payments = paymentsArea(testConfig, logger, api.clock);
  const deps = { ...api.deps, bank: payments.bank };
  const routes = [mediaArea(testConfig, logger, api.clock), payments, telegramArea(testConfig, logger)].flatMap((area) => area.parts(deps).routes);
  server = createApp({ deps, logger, webDist: dist, routes });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  payments.listening(server.address());
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  tokens.user = `Bearer ${(await api.signIn()).token}`;
  const gone = await api.signIn();
  await gone.caller.account.deleteAll({ confirm: true });
  tokens.deleted = `Bearer ${gone.token}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await api.testDb.close();
  rmSync(dist, { recursive: true, force: true });
});

interface Case {
  name: string;
  /** Resolves with the answer's status, or NaN when none came. */
  send(): Promise<number>;
}

/** A request through fetch; the body is read to its end (a stream that never ends fails the case). */
const viaFetch = (name: string, path: string, init: RequestInit = {}): Case => ({
  name,
  send: async () => {
    const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(20_000) });
    await response.arrayBuffer();
    return response.status;
  },
});

/** Raw bytes on a fresh connection, for what fetch will not send (methods, headers, targets); the server closes it (connection: close). */
const viaSocket = (name: string, request: string | Buffer): Case => ({
  name,
  send: () =>
    new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1", () => socket.write(request));
      let answer = "";
      socket.setTimeout(20_000, () => socket.destroy());
      socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
      socket.on("error", () => undefined);
      socket.on("close", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1])));
    }),
});

const huge = "x".repeat(100_000);
const fieldsWith = (value: unknown) => ({ avatarId: value, jobId: value, paymentId: value, referenceId: value, cursor: value, limit: value, id: value, auth_date: value });
const textsWith = (value: string) => ({ name: value, email: value, initData: value, deviceId: value, tierId: value, styleId: value, hash: value, first_name: value, confirm: value });
const deeplyNested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

/** The fields a procedure's input takes (none for a procedure without an object input). */
function inputFields(procedure: { _def: { inputs: unknown[] } }): Set<string> {
  let schema = procedure._def.inputs[0] as { _zod?: { def: { type: string; innerType?: unknown; shape?: Record<string, unknown> } } } | undefined;
  while (schema?._zod && (schema._zod.def.type === "optional" || schema._zod.def.type === "default")) schema = schema._zod.def.innerType as typeof schema;
  return new Set(Object.keys(schema?._zod?.def.shape ?? {}));
}

/** Hostile values with the fields a procedure takes, so that they get past the check for unknown fields to the checks of each field. */
const fieldsOf = (fields: Set<string>, all: Record<string, unknown>) => {
  const taken = Object.fromEntries(Object.entries(all).filter(([key]) => fields.has(key)));
  return Object.keys(taken).length > 0 ? taken : all;
};

/** Wire documents (what goes in `?input=` or the body): raw JSON text, given the fields of the procedure they go to. */
const hostileInputs: ((fields: Set<string>) => string)[] = [
  ...[null, 42, "x", [], true, {}].map((value) => () => JSON.stringify(value)),
  ...[2 ** 31, 2 ** 31 - 1, -1, 0, 1.5, "1", 1e308, Number.MAX_SAFE_INTEGER + 2, [1], { $gt: 0 }, null].map((value) => (fields: Set<string>) => JSON.stringify(fieldsOf(fields, fieldsWith(value)))),
  ...["a\u0000b", "\u0007\u001b[31m", "\ud800", "🌸".repeat(2_000), "\u202eRTL", "<script>alert(1)</script>", "' OR 1=1 --", huge].map((value) => (fields: Set<string>) => JSON.stringify(fieldsOf(fields, textsWith(value)))),
  // Fields nobody takes, next to real ones; the old superjson envelope; prototype keys.
  (fields) => JSON.stringify({ ...fieldsOf(fields, fieldsWith(1)), nam: "x", json: { name: "x" } }),
  () => JSON.stringify({ json: fieldsWith(1), meta: { values: { avatarId: ["bigint"] } } }),
  () => '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}',
  () => JSON.stringify({ notJson: 1 }),
  () => "{not json",
  () => "",
  () => deeplyNested(5_000),
];
const authOf = (index: number) => [tokens.user, tokens.none, tokens.deleted, tokens.forged][index % 4];

function procedureCases(): Case[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: "query" | "mutation" | "subscription"; inputs: unknown[] } }>;
  const cases: Case[] = [];
  Object.entries(procedures).forEach(([path, procedure], p) => {
    const type = procedure._def.type;
    // Every procedure gets nine of the hostile inputs, the next procedure the next nine: all of them are sent, to every kind of procedure.
    for (let j = 0; j < 9; j++) {
      const index = (p * 9 + j) % hostileInputs.length;
      const input = hostileInputs[index]!(inputFields(procedure));
      const authorization = authOf(p + j);
      const headers: Record<string, string> = { ...(authorization ? { authorization } : {}), "accept-language": j % 2 ? "en" : "ru" };
      const name = `${path} #${index} ${authorization ? authorization.slice(0, 12) : "anonymous"}`;
      if (type === "mutation") {
        cases.push(viaFetch(name, `/trpc/${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: input }));
      } else {
        cases.push(viaFetch(name, `/trpc/${path}?input=${encodeURIComponent(input)}`, { headers: type === "subscription" ? { ...headers, accept: "text/event-stream" } : headers }));
      }
    }
    // And the method it does not take.
    cases.push(type === "mutation" ? viaFetch(`${path} by GET`, `/trpc/${path}`) : viaFetch(`${path} by POST`, `/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));
  });
  return cases;
}

function batchCases(): Case[] {
  const authorization = tokens.user!;
  const names = (n: number, name: string) => Array.from({ length: n }, () => name).join(",");
  return [
    viaFetch("a batch of 5000 queries", `/trpc/${names(5_000, "avatars.list")}?batch=1`, { headers: { authorization } }),
    viaFetch("a batch of 21 queries", `/trpc/${names(21, "avatars.list")}?batch=1`, { headers: { authorization } }),
    viaFetch("a batch of 1000 mutations", `/trpc/${names(1_000, "avatars.create")}?batch=1`, { method: "POST", headers: { authorization, "content-type": "application/json" }, body: "{}" }),
    viaFetch("a batch of 5000 mutations", `/trpc/${names(5_000, "avatars.create")}?batch=1`, { method: "POST", headers: { authorization, "content-type": "application/json" }, body: "{}" }),
    viaFetch("a batch whose input is an array", `/trpc/avatars.get,avatars.get?batch=1&input=${encodeURIComponent("[1,2]")}`, { headers: { authorization } }),
    viaFetch("a batch whose input is a string", `/trpc/avatars.get,jobs.get?batch=1&input=${encodeURIComponent('"x"')}`, { headers: { authorization } }),
    viaFetch("a batch with inputs at odd indexes", `/trpc/avatars.get,jobs.get?batch=1&input=${encodeURIComponent(JSON.stringify({ 7: { avatarId: 1 }, "-1": 1, __proto__: { avatarId: 1 } }))}`, { headers: { authorization } }),
    viaFetch("a batch mixing queries and mutations", `/trpc/avatars.list,avatars.create?batch=1`, { method: "POST", headers: { authorization, "content-type": "application/json" }, body: "{}" }),
    viaFetch("a batch with a subscription", `/trpc/avatars.list,generation.progress?batch=1`, { headers: { authorization } }),
    viaFetch("a batch of unknown names", `/trpc/${names(20, "nope.nope")}?batch=1`, { headers: { authorization } }),
    viaFetch("an empty batch", `/trpc/?batch=1`, { headers: { authorization } }),
    viaFetch("a JSONL batch of junk", `/trpc/avatars.create,avatars.create?batch=1`, { method: "POST", headers: { authorization, "content-type": "application/json", "trpc-accept": "application/jsonl" }, body: '{"0":{"name":"\\u0000"},"1":7}' }),
    viaFetch("a body over 1 MB", `/trpc/avatars.create`, { method: "POST", headers: { authorization, "content-type": "application/json" }, body: JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) }) }),
    viaFetch("a 100 KB body to a public procedure", `/trpc/session.start`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ deviceId: huge }) }),
    viaFetch("a JSON body 200 000 levels deep", `/trpc/avatars.create`, { method: "POST", headers: { authorization, "content-type": "application/json" }, body: deeplyNested(200_000) }),
    viaFetch("a body that is not JSON", `/trpc/avatars.create`, { method: "POST", headers: { authorization, "content-type": "text/plain" }, body: "name=x" }),
    viaFetch("multipart to tRPC", `/trpc/avatars.create`, { method: "POST", headers: { authorization }, body: (() => { const form = new FormData(); form.append("name", "x"); return form; })() }),
    viaFetch("octet-stream to tRPC", `/trpc/avatars.create`, { method: "POST", headers: { authorization, "content-type": "application/octet-stream" }, body: new Uint8Array(1000) }),
    viaFetch("broken connectionParams", `/trpc/session.me?connectionParams=%7Bbroken`, { headers: { authorization } }),
    viaFetch("connectionParams with a junk token", `/trpc/generation.progress?connectionParams=${encodeURIComponent(JSON.stringify({ token: huge.slice(0, 5_000) }))}&input=${encodeURIComponent('{"jobId":1}')}`, { headers: { accept: "text/event-stream" } }),
  ];
}

function plainRouteCases(): Case[] {
  const authorization = tokens.user!;
  const request = (method: string, path: string, headers: string[] = [], body = "") =>
    `${method} ${path} HTTP/1.1\r\nhost: pinglass.test\r\nconnection: close\r\n${headers.map((h) => `${h}\r\n`).join("")}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const cases: Case[] = [];
  for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "GET", "HEAD", "POST"]) {
    for (const path of ["/trpc/avatars.list", "/trpc", "/healthz", "/uploads/avatars/1/references", "/webhooks/tbank", "/telegram/webhook", "/media/a.jpg", "/checkout/test/1", "/"]) {
      cases.push(viaSocket(`${method} ${path}`, request(method, path, [`authorization: ${authorization}`])));
    }
  }
  for (const path of ["/%", "/%E0%A4%A", "/assets/%E0%A4%A.js", "/trpc/%E0%A4%A", "/trpc/%", "/media/..%2f..%2fetc%2fpasswd", "/assets/../../etc/passwd", "/downloads/avatars/99999999999.zip?user=1&exp=1&sig=x", "/checkout/test/2147483648", "/checkout/test/%00", "/\u0000"]) {
    cases.push(viaSocket(`GET ${JSON.stringify(path)}`, request("GET", path)));
  }
  cases.push(
    viaSocket("an authority-form target", request("GET", "//a:99999/")),
    viaSocket("an absolute-form target", request("GET", "http://[::1/trpc/avatars.list")),
    viaSocket("an asterisk target", request("OPTIONS", "*")),
    viaSocket("a 100 KB URL", request("GET", `/trpc/avatars.list?input=${huge}`)),
    viaSocket("a 100 KB header", request("GET", "/healthz", [`x-junk: ${huge}`])),
    viaSocket("a 10 KB x-pinglass-locale", request("GET", "/trpc/session.me", [`x-pinglass-locale: ${huge.slice(0, 10_000)}`, `authorization: ${authorization}`])),
    viaSocket("a UTF-8 x-pinglass-locale", Buffer.concat([Buffer.from("GET /trpc/avatars.list HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-pinglass-locale: "), Buffer.from("日本語 ü"), Buffer.from(`\r\nauthorization: ${authorization}\r\n\r\n`)])),
    viaSocket("a control character in x-pinglass-locale", request("GET", "/trpc/avatars.list", ["x-pinglass-locale: en\u0001"])),
    viaSocket("an Accept-Language of 8 KB", request("GET", "/trpc/session.options", [`accept-language: ${"de,".repeat(2_700)}en`])),
    viaSocket("a Content-Length that lies short", request("POST", "/trpc/session.start", ["content-type: application/json"], '{"deviceId":"00000000-0000-4000-8000-000000000000"}').replace(/content-length: \d+/, "content-length: 5")),
    viaSocket("two Content-Lengths", request("POST", "/webhooks/tbank", ["content-length: 3"], "{}")),
    viaSocket("a bad chunked body", `POST /trpc/avatars.create HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`),
    viaSocket("not HTTP at all", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003"),
    viaFetch("a T-Bank notification of junk", "/webhooks/tbank", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ TerminalKey: huge, OrderId: "\u0000", PaymentId: 2 ** 64, Amount: -1, Status: [], Token: {} }) }),
    viaFetch("a T-Bank notification over its limit", "/webhooks/tbank", { method: "POST", body: huge.repeat(2) }),
    viaFetch("a Telegram update without the secret", "/telegram/webhook", { method: "POST", body: "{}" }),
    viaFetch("an upload that is not multipart", "/uploads/avatars/1/references", { method: "POST", headers: { authorization }, body: "x" }),
    viaFetch("an upload with a broken multipart body", "/uploads/avatars/1/references", { method: "POST", headers: { authorization, "content-type": "multipart/form-data; boundary=zzz" }, body: "--zzz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.jpg\"\r\n\r\nnot the end" }),
    viaFetch("an upload for someone else's avatar", "/uploads/avatars/2147483647/references", { method: "POST", headers: { authorization }, body: (() => { const form = new FormData(); form.append("files", new Blob([new Uint8Array(10)], { type: "image/jpeg" }), "a.jpg"); return form; })() }),
    ...["2147483648", "9999999999", "0"].map((avatarId) => viaFetch(`an upload for avatar ${avatarId}`, `/uploads/avatars/${avatarId}/references`, { method: "POST", headers: { authorization }, body: (() => { const form = new FormData(); form.append("files", new Blob([new Uint8Array(10)], { type: "image/jpeg" }), "a.jpg"); return form; })() })),
    viaFetch("an upload by a deleted user", "/uploads/avatars/1/references", { method: "POST", headers: { authorization: tokens.deleted! }, body: (() => { const form = new FormData(); form.append("files", new Blob([new Uint8Array(10)], { type: "image/jpeg" }), "a.jpg"); return form; })() }),
    viaFetch("a signed media link of junk", `/media/avatars/1/a.jpg?exp=${huge.slice(0, 1000)}&sig=%00`),
    viaFetch("an asset that is not there", "/assets/nope.js"),
  );
  return cases;
}

/** The REST API (/api/v1): every operation of its OpenAPI document with bad path values, query strings and bodies. */
function restCases(): Case[] {
  const authorization = tokens.user!;
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { inputs: unknown[] } }>;
  const document = openApiDocument("http://pinglass.test", "en") as unknown as { paths: Record<string, Record<string, { operationId: string }>> };
  const cases: Case[] = [];
  let n = 0;
  for (const [template, byMethod] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(byMethod)) {
      const procedure = procedures[operation.operationId.replace(/-/g, ".")];
      const fields = procedure ? inputFields(procedure) : new Set<string>();
      for (const value of ["abc", "99999999999", "%00", "-1", "1.5"]) {
        const path = `/api/v1${template.replace(/\{\w+\}/g, value)}`;
        const headers = { authorization, "content-type": "application/json" };
        if (method === "get" || method === "delete") {
          const query = [...fields].map((field) => `${field}=${value}`).join("&");
          cases.push(viaFetch(`REST ${method} ${path}?${query}`, `${path}?${query}&junk=1`, { method: method.toUpperCase(), headers }));
        } else {
          const body = hostileInputs[n++ % hostileInputs.length]!(fields);
          cases.push(viaFetch(`REST ${method} ${path} ${body.slice(0, 40)}`, path, { method: method.toUpperCase(), headers, body }));
        }
      }
    }
  }
  cases.push(viaFetch("the OpenAPI document", "/api/openapi.json?lang=%00"), viaFetch("the reference page", "/docs/api?lang=xx"));
  return cases;
}

describe("hostile requests", () => {
  it("get a status below 500, the server goes on answering, and nothing is logged as an error", async () => {
    const cases = [...procedureCases(), ...batchCases(), ...plainRouteCases(), ...restCases()];
    expect(cases.length).toBeGreaterThan(300);
    const answers: { name: string; status: number }[] = [];
    // A few at a time, as several clients would send them.
    for (let i = 0; i < cases.length; i += 6) {
      answers.push(...(await Promise.all(cases.slice(i, i + 6).map(async (c) => ({ name: c.name, status: await c.send().catch(() => Number.NaN) })))));
    }
    const failed = answers.filter((a) => !(a.status < 500));
    expect(failed).toEqual([]);
    // Every case was answered (a socket closed without an answer would show as NaN above).
    expect(answers).toHaveLength(cases.length);

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const errors = logLines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
  }, 240_000);
});
