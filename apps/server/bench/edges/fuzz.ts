/**
 * FUZZ: a corpus of malformed requests over every procedure of appRouter (queries by GET,
 * mutations by POST, subscriptions by GET SSE) and every HTTP route, sent to the real server;
 * every answer's status is counted and every answer >= 500 kept with its request.
 */
import { createHmac } from "node:crypto";
import { Agent } from "node:http";
import { appRouter } from "@pinglass/api";
import { styleIds } from "@pinglass/generation";
import { selfieOf } from "@pinglass/faces/testing";
import { pngBomb } from "@pinglass/media/testing";
import { localTestCredentials, signed } from "@pinglass/payments";
import { signInitDataFields, signLoginWidget } from "@pinglass/telegram/testing";
import { asRaw, filePart, type HttpSpec, multipart, needsRaw, type Outcome, type RawSpec, send, sendRaw, type Spec } from "./http.ts";
import { bearer, encodeInput, must, newUser, type ProcedureType, usesEnvelope, wire } from "./trpc.ts";

export interface FuzzTarget {
  port: number;
  /** The bot the server was configured with (fake Bot API), to sign initData and webhook calls. */
  telegram: { botToken: string; webhookSecret: string };
  /** A payment's OrderId (not in any answer; read from the database when the bench can reach it). */
  orderIdOf?: (paymentId: number) => Promise<string | undefined>;
}

export interface FuzzCase {
  area: string;
  spec: Spec;
}

export interface FuzzResult {
  area: string;
  spec: Spec;
  outcome: Outcome;
}

/** The accounts and objects the corpus aims at, made through the API first. */
interface Fixtures {
  /** A user with an avatar, a selfie, a pending test payment and signed links. */
  a: {
    token: string;
    userId: number;
    avatarId: number;
    referenceId: number;
    mediaPath: string;
    zipPath: string;
    paymentId: number;
    bankPaymentId: string;
    /** The test checkout's page of that payment, as the bank's PaymentURL gives it (it may carry a signed token). */
    checkoutPath: string;
    paymentOrderId: string | undefined;
  };
  /** Another user: A must not reach B's avatar. */
  b: { token: string; avatarId: number };
  /** A user for account.* (deleteAll may succeed) and one for the huge batches. */
  c: { token: string };
  e: { token: string };
  /** The token of a user who deleted their account (another tab still holds it). */
  deleted: { token: string };
  jpeg: Buffer;
}

const int4 = 2147483647;
const huge = "x".repeat(100_000);
const json = (value: unknown) => JSON.stringify(value);

/** Id-like values, as JSON text: at and beyond int4, not numbers, numbers JSON cannot carry exactly. */
const idValues = [
  `${int4}`,
  `${int4 + 1}`,
  "-1",
  "0",
  "1e20",
  "1.5",
  `${-int4 - 2}`,
  "9007199254740993",
  "1e308",
  "-1e308",
  "5e-324",
  "1e400",
  '"1"',
  '"NaN"',
  '""',
  '"0x1"',
  '" 1"',
  "null",
  "true",
  "[]",
  "{}",
  "[1]",
  '{"$gt":0}',
  json(huge),
  json("👍".repeat(5000)),
  '"\\u0000"',
  '"\\ud800"',
];

/** String-like values, as JSON text. */
const stringValues = [
  '""',
  '" "',
  '"a\\u0000b"',
  '"\\u0000"',
  '"\\ud800"',
  '"\\udfff\\ud800x"',
  json("😀".repeat(40)),
  json("e\u0301".repeat(5000)),
  json(huge),
  '"<script>alert(1)</script>"',
  `"' OR 1=1 --"`,
  '"%00%ff%"',
  '"\\r\\n\\t"',
  '"\\u202eRTL\\uFEFF"',
  '"__proto__"',
  '"../../etc/passwd"',
  '"${7*7}{{7*7}}"',
  "1",
  "-0",
  "null",
  "[]",
  "{}",
  "true",
  "1e400",
];

/** Each procedure's fields with a valid value, so one field at a time can be made wrong. */
function validFields(f: Fixtures): Record<string, Record<string, unknown>> {
  return {
    "account.deleteAll": { confirm: true },
    "avatars.get": { avatarId: f.a.avatarId },
    "avatars.create": { name: "Edge" },
    "avatars.rename": { avatarId: f.a.avatarId, name: "Edge" },
    "avatars.delete": { avatarId: 1_999_999_999 },
    "generation.start": { avatarId: f.a.avatarId, styleId: styleIds[0], paymentId: f.a.paymentId },
    "generation.progress": { jobId: 1 },
    "jobs.get": { jobId: 1 },
    "payments.create": { tierId: "starter", email: "edge@example.com" },
    "payments.status": { paymentId: f.a.paymentId },
    "photos.list": { avatarId: f.a.avatarId, cursor: null, limit: 30 },
    "photos.zipUrl": { avatarId: f.a.avatarId },
    "references.list": { avatarId: f.a.avatarId },
    "references.remove": { referenceId: 1_999_999_999 },
    "session.start": { deviceId: crypto.randomUUID() },
    "session.telegram": { initData: "query_id=1&hash=00" },
    "session.telegramLogin": { id: 1, first_name: "E", auth_date: Math.floor(Date.now() / 1000), hash: "0".repeat(64) },
  };
}

const idField = /Id$|^id$|^cursor$|^limit$|^auth_date$|^confirm$/;

/**
 * Whole-input oddities (F is a field of the procedure, or "avatarId"), then superjson's meta
 * abused: types it revives (NaN, bigint, Date, RegExp, classes), prototype paths, odd shapes.
 * Without a transformer on the server those are all the same kind of junk object: a few stay.
 */
function envelopes(field: string): (string | undefined)[] {
  const meta = (values: unknown, extra: Record<string, unknown> = {}) => json({ json: { [field]: "NaN" }, meta: { values, ...extra } });
  const deep = (depth: number) => wire(`${"[".repeat(depth)}${"]".repeat(depth)}`);
  const plain = [
    undefined,
    deep(10_000),
    wire("null"),
    wire("{}"),
    wire("[]"),
    wire('"x"'),
    wire("1e400"),
    "{}",
    "null",
    '"not an envelope"',
    "[]",
    "{",
    "",
    wire(`{"__proto__":{"${field}":1}}`),
    wire(`{"constructor":{"prototype":{"${field}":1}}}`),
    `{"__proto__":{"json":{"${field}":1}}}`,
    wire(`{"${field}":${"[".repeat(5000)}${"]".repeat(5000)}}`),
  ];
  const metaAbuse = [
    meta({ [field]: ["number"] }),
    json({ json: { [field]: "Infinity" }, meta: { values: { [field]: ["number"] } } }),
    json({ json: { [field]: "-0" }, meta: { values: { [field]: ["number"] } } }),
    json({ json: { [field]: "99999999999999999999" }, meta: { values: { [field]: ["bigint"] } } }),
    json({ json: { [field]: "abc" }, meta: { values: { [field]: ["bigint"] } } }),
    json({ json: { [field]: "garbage" }, meta: { values: { [field]: ["Date"] } } }),
    json({ json: { [field]: "/(/" }, meta: { values: { [field]: ["regexp"] } } }),
    json({ json: { [field]: 1 }, meta: { values: { [field]: ["set"] } } }),
    json({ json: { [field]: [[1]] }, meta: { values: { [field]: ["map"] } } }),
    json({ json: { [field]: {} }, meta: { values: { [field]: [["class", "Nope"]] } } }),
    json({ json: { [field]: "x" }, meta: { values: { [field]: [["symbol", "x"]] } } }),
    json({ json: { [field]: "x" }, meta: { values: { [field]: [["custom", "nope"]] } } }),
    json({ json: { [field]: 1 }, meta: { values: { [field]: ["nope"] } } }),
    json({ json: { [field]: 1 }, meta: { values: { [field]: ["undefined"] } } }),
    json({ json: {}, meta: { values: { __proto__: ["number"] } } }).replace('"values":{}', '"values":{"__proto__":["number"]}'),
    json({ json: {}, meta: { values: { "__proto__.polluted": ["undefined"] } } }),
    json({ json: {}, meta: { values: { "constructor.prototype.polluted": ["undefined"] } } }),
    json({ json: { [field]: 1 }, meta: { values: { [`${field}.a.b.c`]: ["number"] } } }),
    json({ json: { [field]: 1 }, meta: { values: { "": ["number"] } } }),
    json({ json: 1, meta: { values: ["number"] } }),
    json({ json: { [field]: 1 }, meta: { values: "number" } }),
    json({ json: { [field]: 1 }, meta: { values: null } }),
    json({ json: { [field]: 1 }, meta: { values: [["number", { x: 1 }]] } }),
    json({ json: { [field]: 1 }, meta: { referentialEqualities: { [field]: ["__proto__"] } } }),
    json({ json: { [field]: 1, b: 2 }, meta: { referentialEqualities: { [field]: ["b", "constructor.prototype"] } } }),
    json({ json: { [field]: {} }, meta: { referentialEqualities: [[field]] } }),
    json({ json: { [field]: 1 }, meta: { referentialEqualities: "x" } }),
    json({ json: { [field]: 1 }, meta: { v: 99, values: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, ["number"]])) } }),
    json({ json: { [field]: 1 }, meta: 5 }),
  ];
  return [...plain, ...(usesEnvelope ? metaAbuse : metaAbuse.slice(0, 4))];
}

function procedureCases(procedures: [string, ProcedureType][], f: Fixtures): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const valid = validFields(f);
  const tokenFor = (name: string) => (name.startsWith("account.") ? f.c.token : f.a.token);

  /** One input (envelope text, or undefined for none) through the procedure's own transport. */
  const through = (name: string, type: ProcedureType, input: string | undefined, headers: Record<string, string>): HttpSpec => {
    if (type === "mutation") return { kind: "http", method: "POST", path: `/trpc/${name}`, headers: { "content-type": "application/json", ...headers }, body: input ?? "" };
    const query = input === undefined ? "" : `input=${encodeURIComponent(input)}`;
    if (type === "query") return { kind: "http", method: "GET", path: `/trpc/${name}${query ? `?${query}` : ""}`, headers };
    const token = headers.authorization?.slice(7);
    const params = token ? `connectionParams=${encodeURIComponent(json({ token }))}` : "";
    return { kind: "http", method: "GET", path: `/trpc/${name}?${[query, params].filter(Boolean).join("&")}`, headers: { accept: "text/event-stream" }, readForMs: 300 };
  };

  for (const [name, type] of procedures) {
    const fields = Object.keys(valid[name] ?? {});
    const field = fields[0] ?? "avatarId";
    const area = `trpc ${type} ${name}`;
    // The whole envelope, signed in and not.
    for (const input of envelopes(field)) cases.push({ area, spec: through(name, type, input, bearer(tokenFor(name))) });
    for (const input of [undefined, wire("{}"), "{", envelopes(field)[1]]) cases.push({ area: `${area} (no session)`, spec: through(name, type, input, {}) });
    // One field at a time, the others valid.
    for (const key of fields) {
      for (const value of idField.test(key) ? idValues : stringValues) {
        const others = { ...valid[name] };
        delete others[key];
        const body = wire(`{${[...Object.entries(others).map(([k, v]) => `${json(k)}:${json(v)}`), `${json(key)}:${value}`].join(",")}}`);
        cases.push({ area: `${area} .${key}`, spec: through(name, type, body, bearer(tokenFor(name))) });
      }
    }
    // The wrong transport, and a deleted user's token.
    const other: HttpSpec =
      type === "mutation"
        ? { kind: "http", method: "GET", path: `/trpc/${name}?input=${encodeURIComponent(wire("{}"))}`, headers: bearer(f.a.token) }
        : { kind: "http", method: "POST", path: `/trpc/${name}`, headers: { "content-type": "application/json", ...bearer(f.a.token) }, body: wire("{}") };
    cases.push({ area: `${area} wrong method`, spec: other });
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]) cases.push({ area: `${area} wrong method`, spec: { kind: "http", method, path: `/trpc/${name}`, headers: bearer(f.a.token) } });
    const validInput = valid[name] ? encodeInput(valid[name]) : undefined;
    cases.push({ area: `${area} (deleted user)`, spec: through(name, type, validInput, bearer(f.deleted.token)) });
    // POST bodies with odd content types and encodings.
    if (type === "mutation") {
      const body = validInput ?? wire("{}");
      for (const contentType of [undefined, "text/plain", "application/json; charset=utf-16", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream", "application/jsonl"]) {
        const headers: Record<string, string> = { ...bearer(tokenFor(name)) };
        if (contentType) headers["content-type"] = contentType;
        cases.push({ area: `${area} content-type`, spec: { kind: "http", method: "POST", path: `/trpc/${name}`, headers, body } });
      }
      cases.push({ area: `${area} content-encoding`, spec: { kind: "http", method: "POST", path: `/trpc/${name}`, headers: { "content-type": "application/json", "content-encoding": "gzip", ...bearer(tokenFor(name)) }, body } });
      cases.push({ area: `${area} trpc-accept jsonl`, spec: { kind: "http", method: "POST", path: `/trpc/${name}?batch=1`, headers: { "content-type": "application/json", "trpc-accept": "application/jsonl", ...bearer(tokenFor(name)) }, body: `{"0":${body}}` } });
    }
  }
  return cases;
}

function trpcRouteCases(procedures: [string, ProcedureType][], f: Fixtures): FuzzCase[] {
  const auth = bearer(f.a.token);
  const big = bearer(f.e.token);
  const area = "trpc routing";
  const get = (path: string, headers: Record<string, string> = auth): FuzzCase => ({ area, spec: { kind: "http", method: "GET", path, headers } });
  const post = (path: string, body: string, headers: Record<string, string> = auth): FuzzCase => ({ area, spec: { kind: "http", method: "POST", path, headers: { "content-type": "application/json", ...headers }, body } });
  const queries = procedures.filter(([, t]) => t === "query").map(([n]) => n);
  const cases: FuzzCase[] = [];
  for (const name of ["nope", "", "session", "session.me.extra", "__proto__", "constructor", "toString", "hasOwnProperty", "__defineGetter__", "session.__proto__", ".", ",", "session.me,", ",session.me", "%2e%2e", "..%2f..%2fhealthz"]) {
    cases.push(get(`/trpc/${name}`), post(`/trpc/${name}`, wire("{}")));
    cases.push(get(`/trpc/${name},session.me?batch=1&input=%7B%7D`));
  }
  // Batches: normal, huge (5000), and odd indexes.
  cases.push(get(`/trpc/${queries.join(",")}?batch=1&input=%7B%7D`));
  for (const count of [100, 1000, 5000]) {
    cases.push(get(`/trpc/${Array(count).fill("styles.list").join(",")}?batch=1&input=%7B%7D`));
    cases.push(post(`/trpc/${Array(count).fill("avatars.create").join(",")}?batch=1`, json(Object.fromEntries(Array.from({ length: count }, (_, i) => [i, JSON.parse(encodeInput({ name: `b${i}` })) as unknown]))), big));
    cases.push(
      post(
        `/trpc/${Array(count).fill("session.start").join(",")}?batch=1`,
        json(Object.fromEntries(Array.from({ length: count }, (_, i) => [i, JSON.parse(encodeInput({ deviceId: crypto.randomUUID() })) as unknown]))),
        {},
      ),
    );
  }
  for (const input of [`{"0":${wire("{}")},"__proto__":${wire("{}")}}`, `{"5000":${wire("{}")}}`, `{"-1":${wire("{}")}}`, `[${wire("{}")}]`, '"x"', "null", "{"]) {
    cases.push(get(`/trpc/session.me,avatars.list?batch=1&input=${encodeURIComponent(input)}`));
    cases.push(post("/trpc/avatars.create,avatars.create?batch=1", input));
  }
  for (const batch of ["0", "abc", "", "1&batch=0", "true"]) cases.push(get(`/trpc/session.me,avatars.list?batch=${batch}&input=%7B%7D`));
  // Bad percent-encoding, truncated JSON, 100 KB URLs.
  for (const path of [
    "/trpc/%ff",
    "/trpc/%",
    "/trpc/session%2eme",
    "/trpc/avatars.get?input=%E0%A4%A",
    "/trpc/avatars.get?input=%",
    "/trpc/avatars.get?input=%7B%22json%22%3A",
    "/trpc/avatars.get?input=%00",
    "/trpc/avatars.get?input=%7B%22json%22%3A%7B%22avatarId%22%3A1%7D%7D&input=%7B%7D",
    "/trpc/session.me?connectionParams=%ff",
    "/trpc/session.me?connectionParams=1",
    `/trpc/avatars.get?input=${encodeURIComponent(wire(json({ avatarId: huge })))}`,
    `/trpc/session.me?x=${"a".repeat(100_000)}`,
    `/trpc/${"a".repeat(100_000)}`,
  ]) {
    cases.push(get(path));
  }
  // Big bodies.
  cases.push(post("/trpc/avatars.create", wire(json({ name: "x".repeat(5 * 1024 * 1024) }))));
  cases.push(post("/trpc/session.start", wire(`{"deviceId":"${crypto.randomUUID()}","pad":"${"x".repeat(10 * 1024 * 1024)}"}`), {}));
  // connectionParams on subscriptions.
  for (const params of ["not json", '{"token":1}', "[]", "null", json({ token: "x".repeat(10_000) }), '{"__proto__":{"token":"x"}}', json({ token: f.deleted.token })]) {
    cases.push(get(`/trpc/generation.progress?input=${encodeURIComponent(wire('{"jobId":1}'))}&connectionParams=${encodeURIComponent(params)}`, { accept: "text/event-stream" }));
  }
  for (const c of cases) if (c.spec.kind === "http" && c.spec.path.startsWith("/trpc/generation.progress")) c.spec.readForMs = 300;
  return cases;
}

/** Junk in the headers every request reads: the language, the session. */
function headerCases(f: Fixtures): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const locales = ["", "xx", "ru-RU;q=abc", "en;q=2, ru;q=-1", "*", "*;q=0", ",,,,", "en-".repeat(2000), "__proto__", "constructor", "toString", "zh-Hant-TW-x-private", "q=1", "en\t", "ru; q=0.5; q=0.9"];
  const targets = [
    { name: "session.me", path: "/trpc/session.me", method: "GET", token: f.a.token },
    { name: "avatars.get (not found)", path: `/trpc/avatars.get?input=${encodeURIComponent(wire('{"avatarId":1999999999}'))}`, method: "GET", token: f.a.token },
    { name: "avatars.get (bad input)", path: `/trpc/avatars.get?input=${encodeURIComponent(wire('{"avatarId":"x"}'))}`, method: "GET", token: f.a.token },
    { name: "session.me (no session)", path: "/trpc/session.me", method: "GET", token: undefined },
    { name: "upload (not multipart)", path: `/uploads/avatars/${f.a.avatarId}/references`, method: "POST", token: f.a.token },
  ];
  for (const target of targets) {
    for (const locale of locales) {
      for (const header of ["x-pinglass-locale", "accept-language"]) {
        cases.push({ area: `locale header ${target.name}`, spec: { kind: "http", method: target.method, path: target.path, headers: { [header]: locale, ...bearer(target.token) }, ...(target.method === "POST" ? { body: "x" } : {}) } });
      }
    }
    // Bytes fetch will not send: UTF-8, NUL, 100 KB.
    for (const value of [Buffer.from("русский", "utf8"), Buffer.from("ru\u0000en", "latin1"), Buffer.from("\xff\xfe", "latin1"), Buffer.from("a".repeat(100_000))]) {
      const head = Buffer.concat([
        Buffer.from(`${target.method} ${target.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${target.token ? `Authorization: Bearer ${target.token}\r\n` : ""}${target.method === "POST" ? "Content-Length: 1\r\n" : ""}x-pinglass-locale: `),
        value,
        Buffer.from(`\r\n\r\n${target.method === "POST" ? "x" : ""}`),
      ]);
      cases.push({ area: `locale header ${target.name} (raw)`, spec: { kind: "raw", pieces: [head] } });
    }
  }
  for (const auth of ["Bearer", "Bearer ", "Bearer a.b.c", `Bearer ${f.a.token}x`, `Bearer ${f.a.token.slice(0, -2)}`, `bearer ${f.a.token}`, `Basic ${Buffer.from("a:b").toString("base64")}`, `Bearer ${"x".repeat(8000)}`, `Bearer ${f.a.token} ${f.a.token}`, `Bearer\t${f.a.token}`]) {
    cases.push({ area: "authorization header", spec: { kind: "http", method: "GET", path: "/trpc/session.me", headers: { authorization: auth } } });
    cases.push({ area: "authorization header", spec: { kind: "http", method: "POST", path: `/uploads/avatars/${f.a.avatarId}/references`, headers: { authorization: auth, "content-type": "multipart/form-data; boundary=b" }, body: "--b--\r\n" } });
  }
  cases.push({ area: "headers 100 KB", spec: { kind: "raw", pieces: [`GET /trpc/session.me HTTP/1.1\r\nHost: 127.0.0.1\r\nx-junk: ${"a".repeat(100_000)}\r\n\r\n`] } });
  cases.push({ area: "headers 100 KB", spec: { kind: "raw", pieces: [`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${Array.from({ length: 5000 }, (_, i) => `x-h${i}: v`).join("\r\n")}\r\n\r\n`] } });
  cases.push({ area: "url 100 KB", spec: { kind: "raw", pieces: [`GET /${"a".repeat(100_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`] } });
  return cases;
}

/** Bad methods, request lines and framing: only raw sockets can send these. */
function protocolCases(f: Fixtures): FuzzCase[] {
  const area = "http protocol";
  const raw = (pieces: RawSpec["pieces"], extra: Partial<RawSpec> = {}): FuzzCase => ({ area, spec: { kind: "raw", pieces, ...extra } });
  const cases: FuzzCase[] = [];
  for (const line of [
    "FOO / HTTP/1.1",
    "get / HTTP/1.1",
    "GET  / HTTP/1.1",
    "PROPFIND /trpc/session.me HTTP/1.1",
    "GET / HTTP/9.9",
    "GET / HTTP/1.1 extra",
    "GET\u0000 / HTTP/1.1",
    "GET /\u0000 HTTP/1.1",
    "GET /trpc/session.me\u0000 HTTP/1.1",
    "GET /a b HTTP/1.1",
    "GET http://evil.example/healthz HTTP/1.1",
    "GET * HTTP/1.1",
    "GET healthz HTTP/1.1",
    "GET /../../../etc/passwd HTTP/1.1",
    "GET /assets/../../../../etc/passwd HTTP/1.1",
    "GET //etc/passwd HTTP/1.1",
    "GET /%ff HTTP/1.1",
    "GET /\xff\xfe HTTP/1.1",
    "GET /healthz HTTP/1.0",
  ]) {
    cases.push(raw([`${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`]));
  }
  cases.push(raw(["GET /\r\n\r\n"]));
  // Node hangs up on CONNECT when nothing handles it: no answer is right.
  cases.push(raw(["CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"], { expectNoAnswer: true }));
  cases.push(raw(["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"]));
  cases.push(raw([Buffer.from("160301020001000100fc0303", "hex")]));
  cases.push(raw(["GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"]));
  cases.push(raw(["GET / HTTP/1.1\r\n\r\n"]));
  cases.push(raw(["GET / HTTP/1.1\nHost: a\n\n"]));
  cases.push(raw(["GET / HTTP/1.1\r\nHost: a\r\n bad-fold: x\r\n\r\n"]));
  cases.push(raw(["GET / HTTP/1.1\r\nHost: a\r\nbad header\r\n\r\n"]));
  cases.push(raw(["POST /webhooks/tbank HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"]));
  cases.push(raw(["POST /webhooks/tbank HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"]));
  cases.push(raw(["POST /webhooks/tbank HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n{}"], { closeAfterMs: 500, expectNoAnswer: true }));
  cases.push(raw(["POST /webhooks/tbank HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"]));
  cases.push(raw(["POST /webhooks/tbank HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"]));
  cases.push(raw(["POST /webhooks/tbank HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"]));
  cases.push(raw(["POST /trpc/session.start HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"jso\r\n"], { endAfter: true, expectNoAnswer: true, note: "chunked body cut" }));
  cases.push(raw(["POST /trpc/session.start HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"json\":"], { endAfter: true, expectNoAnswer: true, note: "body shorter than Content-Length" }));
  cases.push(raw(["POST /trpc/session.start HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"json\":"], { closeAfterMs: 300, expectNoAnswer: true, note: "client hangs up mid-body" }));
  // Pipelined requests, one of them bad.
  cases.push(raw([`GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGET /trpc/session.me HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${f.a.token}\r\n\r\nFOO / HTTP/1.1\r\n\r\n`]));
  // Slow headers, then complete.
  cases.push(raw(["GET /heal", 200, "thz HTTP/1.1\r\nHo", 200, "st: a\r\nConnection: close\r\n\r\n"]));
  for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD", "POST", "GET"]) {
    for (const path of ["/", "/healthz", "/webhooks/tbank", "/webhooks/kie", "/webhooks/replicate", "/telegram/webhook", `/uploads/avatars/${f.a.avatarId}/references`, "/checkout/test/1", "/media/x", "/downloads/avatars/1.zip", "/trpc/"]) {
      cases.push({ area: "methods", spec: { kind: "http", method, path, headers: {} } });
    }
  }
  return cases;
}

function uploadCases(f: Fixtures): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const auth = bearer(f.a.token);
  const path = (id: string | number = f.a.avatarId) => `/uploads/avatars/${id}/references`;
  const form = (boundary: string) => `multipart/form-data; boundary=${boundary}`;
  const jpeg = f.jpeg;
  const b = "edgesBoundary";
  const ok = multipart(b, [filePart("a.jpg", jpeg)]);
  const up = (area: string, body: Buffer | string, options: { contentType?: string; id?: string | number; headers?: Record<string, string>; note?: string } = {}): FuzzCase => ({
    area: `upload ${area}`,
    spec: {
      kind: "http",
      method: "POST",
      path: path(options.id),
      headers: { ...(options.contentType === "" ? {} : { "content-type": options.contentType ?? form(b) }), ...(options.headers ?? auth) },
      body,
      bodyNote: options.note,
    },
  });
  const jpegNote = (what: string) => `multipart, boundary ${b}: ${what}`;

  cases.push(up("valid", ok, { note: jpegNote("one 640×800 selfie (JPEG) in field files") }));
  cases.push(up("no boundary", ok, { contentType: "multipart/form-data", note: jpegNote("one JPEG") }));
  cases.push(up("empty boundary", ok, { contentType: "multipart/form-data; boundary=", note: jpegNote("one JPEG") }));
  cases.push(up("boundary=\"\"", ok, { contentType: 'multipart/form-data; boundary=""', note: jpegNote("one JPEG") }));
  cases.push(up("two boundaries", ok, { contentType: `multipart/form-data; boundary=x; boundary=${b}`, note: jpegNote("one JPEG") }));
  cases.push(up("boundary 200 chars", multipart("z".repeat(200), [filePart("a.jpg", jpeg)]), { contentType: form("z".repeat(200)), note: "multipart with a 200-character boundary, one JPEG" }));
  cases.push(up("multipart/mixed", ok, { contentType: `multipart/mixed; boundary=${b}`, note: jpegNote("one JPEG") }));
  cases.push(up("odd case", ok, { contentType: `Multipart/Form-Data; BOUNDARY=${b}`, note: jpegNote("one JPEG") }));
  cases.push(up("no content-type", ok, { contentType: "", note: jpegNote("one JPEG") }));
  cases.push(up("cut mid-part", ok.subarray(0, Math.floor(ok.length / 2)), { note: jpegNote("the first half of a one-JPEG body") }));
  cases.push(up("cut in part headers", ok.subarray(0, 40), { note: jpegNote("the first 40 bytes") }));
  cases.push(up("no closing boundary", multipart(b, [filePart("a.jpg", jpeg)], { close: false }), { note: jpegNote("one JPEG, no closing boundary") }));
  cases.push(up("only closing boundary", `--${b}--\r\n`));
  cases.push(up("empty body", ""));
  cases.push(up("junk body", "hello world"));
  cases.push(up("huge part header", multipart(b, [{ headers: [`Content-Disposition: form-data; name="files"; filename="${"a".repeat(100_000)}.jpg"`, "Content-Type: image/jpeg"], content: jpeg }]), { note: jpegNote("a 100 KB filename") }));
  cases.push(up("1000 part headers", multipart(b, [{ headers: [...Array.from({ length: 1000 }, (_, i) => `X-H${i}: v`), 'Content-Disposition: form-data; name="files"; filename="a.jpg"'], content: jpeg }]), { note: jpegNote("1000 header lines in one part") }));
  cases.push(up("no content-disposition", multipart(b, [{ headers: ["Content-Type: image/jpeg"], content: jpeg }]), { note: jpegNote("a part without Content-Disposition") }));
  cases.push(up("other field only", multipart(b, [filePart("a.jpg", jpeg, "image/jpeg", "other")]), { note: jpegNote("one JPEG in field other") }));
  cases.push(up("text fields only", multipart(b, [{ headers: ['Content-Disposition: form-data; name="files"'], content: "not a file" }])));
  cases.push(up("25 tiny files", multipart(b, Array.from({ length: 25 }, (_, i) => filePart(`${i}.jpg`, jpeg.subarray(0, 100)))), { note: jpegNote("25 files of 100 bytes") }));
  cases.push(up("500 parts", multipart(b, Array.from({ length: 500 }, (_, i) => ({ headers: [`Content-Disposition: form-data; name="f${i}"`], content: "v" })))));
  cases.push(up("zero-length file", multipart(b, [filePart("a.jpg", Buffer.alloc(0))])));
  cases.push(up("text as jpg", multipart(b, [filePart("a.jpg", Buffer.from("hello, not an image"))])));
  cases.push(up("truncated jpeg", multipart(b, [filePart("a.jpg", jpeg.subarray(0, 2048))]), { note: jpegNote("the first 2 KB of a JPEG") }));
  cases.push(up("jpeg magic then junk", multipart(b, [filePart("a.jpg", Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 0x41)]))]), { note: jpegNote("FF D8 FF E0 then 5000 × 'A'") }));
  cases.push(up("png bomb", multipart(b, [filePart("bomb.png", pngBomb(), "image/png")]), { note: jpegNote("a 20000×20000 1-bit PNG (decompression bomb)") }));
  cases.push(up("16 MB file", multipart(b, [filePart("big.jpg", Buffer.concat([jpeg, Buffer.alloc(16 * 1024 * 1024)]))]), { note: jpegNote("a JPEG followed by 16 MB of zeros") }));
  cases.push(up("valid + junk part", multipart(b, [filePart("a.jpg", jpeg), { headers: ["garbage"], content: "x" }]), { note: jpegNote("one JPEG, then a part with a header line 'garbage'") }));
  for (const name of ["../../etc/passwd", "a\u0000b.jpg", "русский.jpg", "a\r\nX-Injected: 1", "%ff.jpg", "", "CON", "a".repeat(10_000)]) {
    cases.push(up(`filename ${JSON.stringify(name.slice(0, 20))}`, multipart(b, [{ headers: [`Content-Disposition: form-data; name="files"; filename="${name}"`, "Content-Type: image/jpeg"], content: jpeg }]), { note: jpegNote(`one JPEG named ${JSON.stringify(name.slice(0, 40))}`) }));
  }
  cases.push(up("filename*", multipart(b, [{ headers: ["Content-Disposition: form-data; name=\"files\"; filename*=UTF-8''%ff%fe.jpg", "Content-Type: image/jpeg"], content: jpeg }]), { note: jpegNote("one JPEG with filename*=UTF-8''%ff%fe.jpg") }));
  for (const id of ["0", "-1", `${int4}`, `${int4 + 1}`, "9999999999", "99999999999", "1e3", "00001", "%31", f.b.avatarId]) {
    cases.push(up(`avatar id ${id}`, ok, { id, note: jpegNote("one JPEG") }));
  }
  cases.push(up("no session", ok, { headers: {}, note: jpegNote("one JPEG") }));
  cases.push(up("deleted user", ok, { headers: bearer(f.deleted.token), note: jpegNote("one JPEG") }));
  for (const p of [`/uploads/avatars/${f.a.avatarId}`, `/uploads/avatars/${f.a.avatarId}/references/`, "/uploads/avatars/", `/uploads/avatars/${f.a.avatarId}/references?x=%ff`, "/uploads/avatars/%ff/references"]) {
    cases.push({ area: "upload paths", spec: { kind: "http", method: "POST", path: p, headers: { "content-type": form(b), ...auth }, body: ok, bodyNote: jpegNote("one JPEG") } });
  }
  // Hostile framing over raw sockets.
  const head = (length: number | string) => `POST ${path()} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${f.a.token}\r\nContent-Type: ${form(b)}\r\nContent-Length: ${length}\r\n\r\n`;
  cases.push({ area: "upload raw", spec: { kind: "raw", pieces: [head(ok.length + 1000), ok.subarray(0, 3000)], endAfter: true, expectNoAnswer: true, note: "Content-Length larger than the body, then half-close" } });
  cases.push({ area: "upload raw", spec: { kind: "raw", pieces: [head(ok.length), ok.subarray(0, 3000)], closeAfterMs: 200, expectNoAnswer: true, note: "client hangs up mid-file" } });
  cases.push({ area: "upload raw", spec: { kind: "raw", pieces: [head(ok.length), ok.subarray(0, 100), 1500, ok.subarray(100)], note: "a pause of 1.5 s inside the part headers" } });
  cases.push({
    area: "upload raw",
    spec: {
      kind: "raw",
      pieces: [`POST ${path()} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${f.a.token}\r\nContent-Type: ${form(b)}\r\nTransfer-Encoding: chunked\r\n\r\n${ok.subarray(0, 200).length.toString(16)}\r\n`, ok.subarray(0, 200), "\r\n0\r\n\r\n"],
      note: "chunked body that ends mid-part",
    },
  });
  return cases;
}

function routeCases(f: Fixtures, target: FuzzTarget): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const get = (area: string, path: string, headers: Record<string, string> = {}): FuzzCase => ({ area, spec: { kind: "http", method: "GET", path, headers } });
  const postJson = (area: string, path: string, body: string, headers: Record<string, string> = {}): FuzzCase => ({ area, spec: { kind: "http", method: "POST", path, headers: { "content-type": "application/json", ...headers }, body } });

  // /healthz
  for (const path of ["/healthz", "/healthz?x=%ff", "/healthz/", "/healthz%00", "/HEALTHZ"]) cases.push(get("healthz", path));

  // Static files (a stand-in dist): SPA routes, traversal, bad encodings.
  for (const path of ["/", "/index.html", "/assets/index-abc123.js", "/assets/missing.js", "/avatars/123", "/favicon.ico", "/%ff", "/%", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/assets/%00", "/a%00b", `/${"a".repeat(10_000)}`, `/${"a".repeat(300)}.js`, "/.env", "/assets/", "/assets", "/index.html/", "/%C0%AE%C0%AE/etc/passwd", "/?x=%ff"]) {
    cases.push(get("static", path));
    cases.push(get("static", path, { "accept-encoding": "gzip, br", range: "bytes=0-10" }));
  }
  cases.push(get("static", "/assets/index-abc123.js", { range: "bytes=99999999-" }));
  cases.push(get("static", "/assets/index-abc123.js", { range: "bytes=-0,5-1,abc" }));
  cases.push(get("static", "/", { "if-none-match": "*", "if-modified-since": "garbage" }));

  // Signed media links: tampered, traversing, odd numbers.
  const media = new URL(f.a.mediaPath, "http://x");
  const mediaKey = media.pathname;
  const sig = media.searchParams.get("sig") ?? "";
  const exp = media.searchParams.get("exp") ?? "";
  cases.push(get("media", f.a.mediaPath));
  for (const [key, query] of [
    [mediaKey, `exp=${exp}&sig=${sig.slice(0, -1)}A`],
    [mediaKey, `exp=${Number(exp) + 1}&sig=${sig}`],
    [mediaKey, `exp=1e309&sig=${sig}`],
    [mediaKey, `exp=-1&sig=${sig}`],
    [mediaKey, `exp=NaN&sig=${sig}`],
    [mediaKey, `exp=${exp}&sig=${sig}&dl=..%2F..%2Fx`],
    [mediaKey, `exp=${exp}&sig=${sig}&dl=%0d%0aSet-Cookie:%20x`],
    [mediaKey, `exp=${exp}&sig=${"a".repeat(10_000)}`],
    [mediaKey, `exp=${exp}&sig=%ff`],
    [mediaKey, `exp=${exp}`],
    [mediaKey, ""],
    [`${mediaKey}x`, `exp=${exp}&sig=${sig}`],
    ["/media/../../etc/passwd", `exp=${exp}&sig=${sig}`],
    ["/media/%2e%2e/%2e%2e/etc/passwd", `exp=${exp}&sig=${sig}`],
    ["/media/refs/%ff", `exp=${exp}&sig=${sig}`],
    ["/media/refs/%", `exp=${exp}&sig=${sig}`],
    ["/media/refs/1/x.jpg%00", `exp=${exp}&sig=${sig}`],
    ["/media/", ""],
    [`/media/${"a/".repeat(3000)}`, `exp=${exp}&sig=${sig}`],
    ["/media/refs//x", `exp=${exp}&sig=${sig}`],
  ]) {
    cases.push(get("media", `${key}${query ? `?${query}` : ""}`));
  }

  // ZIP downloads.
  const zip = new URL(f.a.zipPath, "http://x");
  const zipQuery = zip.searchParams;
  cases.push(get("zip", f.a.zipPath));
  for (const [name, query] of [
    [`${f.a.avatarId}.zip`, `user=${f.b.avatarId}&exp=${zipQuery.get("exp")}&sig=${zipQuery.get("sig")}`],
    [`${f.a.avatarId}.zip`, `user=${zipQuery.get("user")}&exp=${zipQuery.get("exp")}&sig=AAAA`],
    [`${f.a.avatarId}.zip`, `user=${int4 + 1}&exp=9999999999&sig=${zipQuery.get("sig")}`],
    [`${f.a.avatarId}.zip`, `user=1e20&exp=1e20&sig=%ff`],
    [`${f.a.avatarId}.zip`, ""],
    ["0.zip", ""],
    ["-1.zip", ""],
    [`${int4}.zip`, "user=1&exp=9999999999&sig=x"],
    [`${int4 + 1}.zip`, "user=1&exp=9999999999&sig=x"],
    ["9999999999.zip", "user=1&exp=9999999999&sig=x"],
    ["1.zip.zip", ""],
    ["%ff.zip", ""],
    ["1.ZIP", ""],
    ["", ""],
  ]) {
    cases.push(get("zip", `/downloads/avatars/${name}${query ? `?${query}` : ""}`));
  }

  // T-Bank notifications: unsigned junk, and junk signed with the test terminal's public password.
  const order = { TerminalKey: localTestCredentials.terminalKey, OrderId: "x", Success: true, Status: "CONFIRMED", PaymentId: 1, Amount: 49_900 };
  const sign = (body: Record<string, unknown>) => json(signed(body, localTestCredentials.password));
  for (const body of ["", "{", "null", "[]", '"x"', "1", "{}", json({ ...order, Token: "0".repeat(64) }), json({ ...order, Token: "zz" }), json({ ...order, Token: 5 }), `{"Token":"${"a".repeat(100_000)}"}`, "{".repeat(10_000)]) {
    cases.push(postJson("tbank webhook", "/webhooks/tbank", body));
  }
  for (const fields of [
    {},
    { OrderId: 1 },
    { OrderId: null },
    { OrderId: "x".repeat(1000) },
    { OrderId: "a\u0000b" },
    { PaymentId: { a: 1 } },
    { PaymentId: 1e20 },
    { PaymentId: -1 },
    { PaymentId: "x".repeat(1000) },
    { Status: 5 },
    { Status: "<script>" },
    { Status: "a\u0000b" },
    { Amount: "abc" },
    { Amount: 1e20 },
    { Amount: -1 },
    { TerminalKey: "Other" },
    { DATA: { a: 1 }, Receipt: [1, 2] },
    { Success: "yes" },
  ]) {
    cases.push(postJson("tbank webhook (signed)", "/webhooks/tbank", sign({ ...order, ...fields })));
  }
  // Against the real pending payment of A: a wrong payment id, a wrong amount, an odd status, NUL in Message.
  const realOrder = { ...order, OrderId: f.a.paymentOrderId, PaymentId: Number(f.a.bankPaymentId) };
  for (const fields of [{ PaymentId: 1 }, { Amount: 1 }, { Amount: "49900" }, { Status: "NOPE" }, { Status: "AUTHORIZED" }, { Status: "REJECTED", Success: false, Message: "a\u0000b", Details: "x".repeat(20_000) }, { PaymentId: `${f.a.bankPaymentId}` }]) {
    cases.push(postJson("tbank webhook (signed, real order)", "/webhooks/tbank", sign({ ...realOrder, ...fields })));
  }
  cases.push(postJson("tbank webhook", "/webhooks/tbank", json({ pad: "x".repeat(200_000) })));
  cases.push({ area: "tbank webhook", spec: { kind: "http", method: "POST", path: "/webhooks/tbank", headers: { "content-type": "text/plain" }, body: sign(order) } });

  // The test checkout: its page (by the signed link the bank gave), tampered links, odd ids.
  const page = f.a.checkoutPath;
  const id = f.a.bankPaymentId;
  for (const path of [page, `${page}?lang=xx`, `${page}?lang=%ff`, `${page}x`, `${page}/`, `/checkout/test/${id}`, `/checkout/test/${id}/%ff`, `/checkout/test/${id}/${"a".repeat(10_000)}`, "/checkout/test/", "/checkout/test/%ff", "/checkout/test/999999999999999999999", "/checkout/test/__proto__", "/checkout/test/constructor/x", `/checkout/test/${"9".repeat(10_000)}/x`]) {
    cases.push(get("test checkout", path, { "accept-language": "xx;q=abc" }));
  }
  for (const path of [`${page}/refund`, `${page}x/pay`, `/checkout/test/${id}/pay`, "/checkout/test/abc/x/pay", "/checkout/test/__proto__/x/pay", "/checkout/test/999999999999999999999/x/pay", "/checkout/test/%ff/x/pay", `${page}/pay/`, `${page}/%ff`]) {
    cases.push({ area: "test checkout", spec: { kind: "http", method: "POST", path, headers: {} } });
  }
  // Pay, pay again, decline after paying: each notifies /webhooks/tbank internally.
  for (const choice of ["pay", "pay", "decline"]) cases.push({ area: "test checkout", spec: { kind: "http", method: "POST", path: `${page}/${choice}`, headers: {} } });

  // Telegram webhook: without and with the secret; hostile updates with it.
  const secret = { "x-telegram-bot-api-secret-token": target.telegram.webhookSecret };
  cases.push(postJson("telegram webhook", "/telegram/webhook", "{}"));
  cases.push(postJson("telegram webhook", "/telegram/webhook", "{}", { "x-telegram-bot-api-secret-token": "wrong" }));
  cases.push(postJson("telegram webhook", "/telegram/webhook", "{}", { "x-telegram-bot-api-secret-token": "x".repeat(10_000) }));
  const chat = { id: 4242, type: "private" };
  const from = { id: 4242, is_bot: false, first_name: "E", language_code: "en" };
  const message = (text: unknown, extra: Record<string, unknown> = {}) => ({ update_id: 1, message: { message_id: 1, date: 1, chat, from, text, ...extra } });
  const press = (data: unknown, extra: Record<string, unknown> = {}) => ({ update_id: 2, callback_query: { id: "cb", from, data, message: { message_id: 1, date: 1, chat }, ...extra } });
  for (const update of [
    "",
    "{",
    "null",
    "[]",
    '"x"',
    { update_id: 1 },
    { update_id: 1e20 },
    message("/start"),
    message("/help"),
    message("/status"),
    message("/start link_"),
    message(`/start link_${"a".repeat(100_000)}`),
    message("/start link_\u0000"),
    message(`/start link_${"0".repeat(32)}`),
    message("/start link_../../x"),
    message("/start 🙂"),
    message(5),
    message(null),
    message("/status", { from: { ...from, id: 1e20 } }),
    message("/status", { from: { ...from, id: -1 } }),
    message("/status", { from: { ...from, id: "x" } }),
    json(message("/status", { from: { ...from, id: "BIG" } })).replace('"BIG"', "9007199254740993"),
    message("/start", { from: { ...from, language_code: "x".repeat(10_000) } }),
    message("/start", { chat: { id: 1, type: "group" } }),
    message("/start", { chat: { id: "x", type: "private" } }),
    message("/start", { chat: null }),
    message("/start", { from: null }),
    { update_id: 1, edited_message: { text: "/start", chat, from } },
    press("merge_"),
    press(`merge_${"0".repeat(32)}`),
    press(`cancel_${"0".repeat(32)}`),
    press("merge_\u0000"),
    press(5),
    press(null),
    press("merge_x", { from: { ...from, id: 1e20 } }),
    press("merge_x", { message: null }),
    press("nope"),
    { update_id: 1, callback_query: null },
    { update_id: 1, message: [] },
  ]) {
    cases.push(postJson("telegram webhook (secret)", "/telegram/webhook", typeof update === "string" ? update : json(update), secret));
  }
  cases.push(postJson("telegram webhook (secret)", "/telegram/webhook", json({ update_id: 1, pad: "x".repeat(2 * 1024 * 1024) }), secret));

  // Mini App sign-in with correctly signed initData carrying hostile values.
  const now = Math.floor(Date.now() / 1000);
  const user = (u: unknown) => (typeof u === "string" ? u : json(u));
  const initDataFields: Record<string, string>[] = [
    { auth_date: `${now}`, user: user({ id: 4243, first_name: "E" }) },
    { auth_date: `${now}`, user: user({ id: 1e20, first_name: "E" }) },
    { auth_date: `${now}`, user: '{"id":9223372036854775807,"first_name":"E"}' },
    { auth_date: `${now}`, user: user({ id: -1, first_name: "E" }) },
    { auth_date: `${now}`, user: user({ id: "x", first_name: "E" }) },
    { auth_date: `${now}`, user: user({ id: 1.5, first_name: "E" }) },
    { auth_date: `${now}`, user: user({ id: 4244, first_name: "a\u0000b", language_code: "\u0000" }) },
    { auth_date: `${now}`, user: user({ id: 4245, first_name: "E", language_code: "x".repeat(1000) }) },
    { auth_date: `${now}`, user: "not json" },
    { auth_date: `${now}`, user: "null" },
    { auth_date: `${now}` },
    { auth_date: "1e20", user: user({ id: 4246 }) },
    { auth_date: "-1", user: user({ id: 4246 }) },
    { auth_date: `${now + 86_400 * 365}`, user: user({ id: 4246 }) },
    { auth_date: "NaN", user: user({ id: 4246 }) },
  ];
  for (const fields of initDataFields) {
    const initData = signInitDataFields(fields, target.telegram.botToken);
    cases.push({ area: "session.telegram (signed initData)", spec: { kind: "http", method: "POST", path: "/trpc/session.telegram", headers: { "content-type": "application/json" }, body: wire(json({ initData })) } });
  }
  // The id 2^63-1 is signed as text and sent as a bare JSON number (a JS number would round it).
  for (const fields of [{ id: 1e20 }, { id: "9223372036854775807" }, { id: 4247, auth_date: 1e20 }, { id: 4248, first_name: "a\u0000b" }, { id: 4249, auth_date: now, extra: "x".repeat(2000) }]) {
    const body = signLoginWidget({ first_name: "E", auth_date: now, ...fields } as Record<string, string | number>, target.telegram.botToken);
    const text = wire(json(body)).replace('"id":"9223372036854775807"', '"id":9223372036854775807');
    cases.push({ area: "session.telegramLogin (signed)", spec: { kind: "http", method: "POST", path: "/trpc/session.telegramLogin", headers: { "content-type": "application/json" }, body: text } });
  }

  // Share pages, and the REST door, its docs and metrics where they exist: junk paths, tokens and bodies.
  for (const path of ["/s/", "/s/x", "/s/%ff", "/s/%", `/s/${"a".repeat(5000)}`, "/s/__proto__", "/s/x?lang=%ff", "/api/v1/", "/api/v1/avatars", `/api/v1/avatars/${int4 + 1}`, "/api/v1/avatars/1e20", "/api/v1/%ff", "/api/openapi.json", "/docs/api", "/metrics", "/admin"]) {
    for (const headers of [{}, bearer(f.a.token), { authorization: "Bearer pk_live_junk", "idempotency-key": "x".repeat(300) }]) {
      cases.push(get("other routes", path, headers));
      cases.push(postJson("other routes", path, '{"a":', headers));
    }
  }

  // Kie callbacks (the server runs with Kie; callbacks are not signed without a webhook HMAC key).
  for (const body of ["", "{", "null", "[]", "{}", '{"data":null}', '{"data":{"taskId":"t1"}}', '{"data":{"taskId":1}}', json({ data: { taskId: "a".repeat(129) } }), '{"data":{"taskId":"../../x"}}', '{"data":{"task_id":"t2","state":"success"}}', '{"data":{"__proto__":{"taskId":"t3"}}}', json({ data: { taskId: "t4" }, pad: "x".repeat(2 * 1024 * 1024) }), "{".repeat(10_000)]) {
    cases.push(postJson("kie webhook", "/webhooks/kie", body));
  }
  // Replicate callbacks: unsigned here (404 when it is not the provider), signed in the Replicate run.
  for (const body of ["{}", '{"id":"p1"}']) cases.push(postJson("replicate webhook", "/webhooks/replicate", body));
  return cases;
}

/** Replicate's webhooks, signed with the configured secret (Standard Webhooks), around hostile bodies. */
export function replicateCases(secret: string): FuzzCase[] {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const cases: FuzzCase[] = [];
  const now = Math.floor(Date.now() / 1000);
  const signedHeaders = (body: string, id = "msg_1", timestamp = `${now}`) => ({
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": timestamp,
    "webhook-signature": `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64")}`,
  });
  const add = (area: string, body: string, headers: Record<string, string>) => cases.push({ area, spec: { kind: "http", method: "POST", path: "/webhooks/replicate", headers, body } });
  for (const body of ["", "{", "null", "[]", "{}", '{"id":1}', '{"id":"p1","status":"succeeded"}', json({ id: "a".repeat(1000) }), '{"id":"../x"}', json({ id: "p2", output: "x".repeat(500_000) }), '{"__proto__":{"id":"p3"}}', "{".repeat(10_000)]) {
    add("replicate webhook (signed)", body, signedHeaders(body));
  }
  const body = '{"id":"p1"}';
  add("replicate webhook", body, { "content-type": "application/json" });
  add("replicate webhook", body, { ...signedHeaders(body), "webhook-signature": "v1,!!!" });
  add("replicate webhook", body, { ...signedHeaders(body), "webhook-signature": `v2,${"A".repeat(44)} v1` });
  add("replicate webhook", body, { ...signedHeaders(body), "webhook-signature": "v1,".repeat(5000) });
  add("replicate webhook", body, signedHeaders(body, "msg_1", "1"));
  add("replicate webhook", body, signedHeaders(body, "msg_1", "1e20"));
  add("replicate webhook", body, signedHeaders(body, "msg_1", "NaN"));
  add("replicate webhook", body, signedHeaders(body, "msg_1", `${now + 86_400}`));
  add("replicate webhook", body, signedHeaders(body, "a".repeat(10_000)));
  return cases;
}

/** Makes the accounts and objects the corpus aims at. */
async function makeFixtures(target: FuzzTarget): Promise<Fixtures> {
  const port = target.port;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  try {
    // A real selfie: the face checks refuse anything else.
    const jpeg = await selfieOf("man");
    const userA = await newUser(port, agent);
    const avatarA = await must<{ id: number }>(port, agent, userA.token, "avatars.create", "mutation", { name: "Edge A" });
    const upload = await send(
      port,
      { kind: "http", method: "POST", path: `/uploads/avatars/${avatarA.id}/references`, headers: { "content-type": "multipart/form-data; boundary=fx", ...bearer(userA.token) }, body: multipart("fx", [filePart("a.jpg", jpeg)]) },
      { agent },
    );
    const accepted = upload.status === 200 ? (JSON.parse(upload.body!.toString("utf8")) as { accepted: { id: number; url: string }[] }).accepted : [];
    if (!accepted[0]) throw new Error(`fuzz set-up: the upload of one JPEG answered ${upload.status}: ${upload.body?.toString("utf8").slice(0, 300)}`);
    const zip = await must<{ url: string }>(port, agent, userA.token, "photos.zipUrl", "query", { avatarId: avatarA.id });
    const payment = await must<{ paymentId: number; paymentUrl: string }>(port, agent, userA.token, "payments.create", "mutation", { tierId: "starter", email: "edge@example.com" });
    const checkoutPath = new URL(payment.paymentUrl).pathname;
    const bankPaymentId = /^\/checkout\/test\/(\d+)/.exec(checkoutPath)?.[1] ?? "0";
    const userB = await newUser(port, agent);
    const avatarB = await must<{ id: number }>(port, agent, userB.token, "avatars.create", "mutation", {});
    const userC = await newUser(port, agent);
    const userE = await newUser(port, agent);
    const gone = await newUser(port, agent);
    await must(port, agent, gone.token, "avatars.create", "mutation", {});
    await must(port, agent, gone.token, "account.deleteAll", "mutation", { confirm: true });
    const path = (url: string) => {
      const u = new URL(url);
      return `${u.pathname}${u.search}`;
    };
    return {
      a: {
        token: userA.token,
        userId: userA.userId,
        avatarId: avatarA.id,
        referenceId: accepted[0].id,
        mediaPath: path(accepted[0].url),
        zipPath: path(zip.url),
        paymentId: payment.paymentId,
        bankPaymentId,
        checkoutPath,
        paymentOrderId: await target.orderIdOf?.(payment.paymentId),
      },
      b: { token: userB.token, avatarId: avatarB.id },
      c: { token: userC.token },
      e: { token: userE.token },
      deleted: { token: gone.token },
      jpeg,
    };
  } finally {
    agent.destroy();
  }
}

/** Every procedure of the app's router, with its type. */
export function listProcedures(): [string, ProcedureType][] {
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: ProcedureType } }>;
  return Object.entries(procedures).map(([name, p]) => [name, p._def.type]);
}

export async function buildCorpus(target: FuzzTarget): Promise<{ cases: FuzzCase[]; tokens: Map<string, string> }> {
  const f = await makeFixtures(target);
  const procedures = listProcedures();
  const cases = [
    ...procedureCases(procedures, f),
    ...trpcRouteCases(procedures, f),
    ...headerCases(f),
    ...protocolCases(f),
    ...uploadCases(f),
    ...routeCases(f, target),
  ];
  const tokens = new Map([
    [f.a.token, "TOKEN_A"],
    [f.b.token, "TOKEN_B"],
    [f.c.token, "TOKEN_C"],
    [f.e.token, "TOKEN_E"],
    [f.deleted.token, "TOKEN_OF_DELETED_USER"],
  ]);
  return { cases, tokens };
}

/** Sends the cases, `concurrency` at a time; a case never waits more than its timeout. */
export async function runCases(
  port: number,
  cases: FuzzCase[],
  options: { concurrency: number; deadline: number; onCrash?: (inFlight: FuzzCase[]) => Promise<void>; alive: () => boolean },
): Promise<{ results: FuzzResult[]; skipped: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const results: FuzzResult[] = [];
  const inFlight = new Set<FuzzCase>();
  let next = 0;
  let skipped = 0;
  let recovering: Promise<void> | null = null;
  const worker = async () => {
    for (;;) {
      if (recovering) await recovering;
      const index = next++;
      if (index >= cases.length) return;
      if (Date.now() > options.deadline) {
        skipped++;
        continue;
      }
      const c = cases[index]!;
      inFlight.add(c);
      const spec = c.spec.kind === "http" && needsRaw(c.spec) ? asRaw(c.spec) : c.spec;
      const outcome = spec.kind === "raw" ? await sendRaw(port, spec, { timeoutMs: spec.expectNoAnswer ? 3000 : 10_000 }) : await send(port, spec, { agent, timeoutMs: 30_000, maxBodyBytes: 4096 });
      inFlight.delete(c);
      results.push({ area: c.area, spec: c.spec, outcome });
      // The server died: note what was in flight, bring it back, go on.
      if (!options.alive() && options.onCrash && !recovering) {
        recovering = options.onCrash([c, ...inFlight]).finally(() => (recovering = null));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  agent.destroy();
  return { results, skipped };
}

/** Text of an outcome for the report: status and the start of the answer. */
export function describeOutcome(outcome: Outcome): string {
  const body = outcome.body?.toString("utf8").replace(/\s+/g, " ").slice(0, 160) ?? "";
  return `${outcome.status}${body ? ` ${body}` : ""}`;
}

export const isServerError = (o: Outcome) => typeof o.status === "number" && o.status >= 500;
export const isUnanswered = (r: FuzzResult) =>
  (r.spec.kind !== "raw" || !r.spec.expectNoAnswer) && typeof r.outcome.status === "string" && !r.outcome.status.startsWith("client refused");
