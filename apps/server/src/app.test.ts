import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppRouter } from "@pinglass/api";
import { createTestApi } from "@pinglass/api/testing";
import { rowsOf } from "@pinglass/db";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import type { Route } from "./http/router.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
let server: ReturnType<typeof createApp>;
let base: string;

beforeAll(async () => {
  api = await createTestApi();
  server = createApp({ deps: api.deps, logger: pino({ level: "silent" }) });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await api.testDb.close();
});

const count = async (table: string) => Number(rowsOf<{ n: number | string }>(await api.testDb.db.execute(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

const client = (token?: string, locale = "ru") =>
  createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${base}/trpc`, headers: () => ({ ...(token ? { authorization: `Bearer ${token}` } : {}), "accept-language": locale }) })],
  });

describe("the HTTP surface", () => {
  it("serves tRPC end to end: a session, then the user's own data", async () => {
    const session = await client().session.start.mutate({ deviceId: crypto.randomUUID() });
    const me = await client(session.token).session.me.query();
    expect(me.user.id).toBe(session.userId);
    // Plain JSON: timestamps are ISO 8601 strings.
    expect(me.user.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const avatar = await client(session.token).avatars.create.mutate({ name: "HTTP" });
    expect((await client(session.token).avatars.list.query()).items.map((a) => a.id)).toEqual([avatar.id]);
  });

  it("answers errors with the right HTTP status and a readable message in the caller's language", async () => {
    const response = await fetch(`${base}/trpc/session.me`, { headers: { "accept-language": "en" } });
    expect(response.status).toBe(401);
    const error = await client(undefined, "en").session.start.mutate({ deviceId: "nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).message).toBe("Invalid device id: a UUID is required.");
    expect((error as TRPCClientError<AppRouter>).data?.httpStatus).toBe(400);
  });

  it("speaks plain JSON: an input in the wrong shape is a 400 whose data names each field, and nothing is made", async () => {
    const { token } = await client().session.start.mutate({ deviceId: crypto.randomUUID() });
    const avatarsBefore = await count("avatars");
    const response = await fetch(`${base}/trpc/avatars.create`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "accept-language": "en" },
      body: JSON.stringify({ nam: "x", limit: 5 }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: unknown }).error).toMatchObject({
      message: "Unknown field “nam”.",
      data: { code: "BAD_REQUEST", httpStatus: 400, messageKey: "errors.input.unknownField", fieldErrors: { nam: "Unknown field “nam”.", limit: "Unknown field “limit”." } },
    });
    expect(await count("avatars")).toBe(avatarsBefore);
    const query = await fetch(`${base}/trpc/photos.list?input=${encodeURIComponent(JSON.stringify({ avatarId: "13" }))}`, { headers: { authorization: `Bearer ${token}` } });
    expect(query.status).toBe(400);
    expect(((await query.json()) as { error: { data: unknown } }).error.data).toMatchObject({ fieldErrors: { avatarId: "Неверное значение поля «avatarId»." } });
  });

  it("GET /healthz is 200 while the database answers", async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: "up" });
  });

  it("unknown paths are 404 without a web build", async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: "POST" })).status).toBe(405);
  });
});

/** Sends raw bytes on a fresh connection (without closing our side: node would cut the answer) and resolves with all that came back before the server closed it. */
function rawExchange(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk.toString("utf8")));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(answer));
  });
}
const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
interface TrpcErrorBody {
  error: { message: string; data: { code: string; messageKey: string } };
}
const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as TrpcErrorBody;
const trpcError = async (response: Response) => ((await response.json()) as TrpcErrorBody).error;
const portOf = (server: Server) => (server.address() as AddressInfo).port;

describe("the HTTP edge: what a caller gets wrong is a 4xx in the caller's language, never a 500", () => {
  let withWebApp: Server;
  let webBase: string;
  let dist: string;
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), "pinglass-dist-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>PinGlass</title>");
    withWebApp = createApp({ deps: api.deps, logger: pino({ level: "silent" }), webDist: dist });
    await new Promise<void>((resolve) => withWebApp.listen(0, "127.0.0.1", resolve));
    webBase = `http://127.0.0.1:${portOf(withWebApp)}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => withWebApp.close(resolve));
    rmSync(dist, { recursive: true, force: true });
  });

  it("a path whose percent-encoding is broken is a 400 on every route, the web app's included", async () => {
    for (const at of [base, webBase]) {
      for (const path of ["/%", "/%E0%A4%A", "/assets/%E0%A4%A.js", "/trpc/%E0%A4%A", "/media/%", "/healthz%"]) {
        const response = await fetch(`${at}${path}`, { headers: { "accept-language": "en" } });
        expect({ path, status: response.status }).toEqual({ path, status: 400 });
        expect(await response.json()).toEqual({ error: { code: "BAD_REQUEST", messageKey: "errors.badRequest", message: "The request is malformed: its address or data is broken." } });
      }
    }
    // A request target the URL parser refuses: answered, and the server goes on.
    expect(statusOf(await rawExchange(portOf(server), "GET //a:99999/ HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"))).toBe(400);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it("/trpc without a procedure, or with an unknown one, is tRPC's JSON 404, never the web app", async () => {
    for (const path of ["/trpc", "/trpc/", "/trpc/nope.nope"]) {
      const response = await fetch(`${webBase}${path}`, { headers: { "accept-language": "en" } });
      expect({ path, status: response.status, type: response.headers.get("content-type") }).toEqual({ path, status: 404, type: "application/json" });
      expect(await trpcError(response)).toMatchObject({ message: "Not found.", data: { code: "NOT_FOUND", messageKey: "errors.notFound" } });
    }
  });

  it("a method /trpc does not take is a 405 that says which ones it does", async () => {
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]) {
      const answer = await rawExchange(portOf(server), `${method} /trpc/avatars.list HTTP/1.1\r\nhost: x\r\naccept-language: en\r\nconnection: close\r\n\r\n`);
      expect({ method, status: statusOf(answer) }).toEqual({ method, status: 405 });
      expect(answer).toMatch(/\r\nallow: GET, HEAD, POST\r\n/i);
      expect(bodyOf(answer).error).toMatchObject({ message: "This request method is not supported here.", data: { code: "METHOD_NOT_SUPPORTED" } });
    }
    const mutationByGet = await fetch(`${base}/trpc/avatars.create`);
    expect(mutationByGet.status).toBe(405);
    expect(mutationByGet.headers.get("allow")).toBe("POST");
    const healthByPost = await fetch(`${base}/healthz`, { method: "POST" });
    expect(healthByPost.headers.get("allow")).toBe("GET");
  });

  it("a body over the limit is a 413 on its Content-Length alone, and while it streams without one: never read in full", async () => {
    const { token } = await api.signIn();
    const avatarsBefore = await count("avatars");
    const declared = await rawExchange(
      portOf(server),
      `POST /trpc/avatars.create HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\naccept-language: en\r\ncontent-type: application/json\r\ncontent-length: 104857600\r\n\r\n`,
    );
    expect(statusOf(declared)).toBe(413);
    expect(declared).toMatch(/\r\nconnection: close\r\n/i);
    expect(bodyOf(declared).error).toMatchObject({ message: "The request is too large: at most 1024 KB.", data: { code: "PAYLOAD_TOO_LARGE" } });

    // 100 MB in chunks, no Content-Length: the answer comes long before the last chunk would.
    const socket = connect(portOf(server), "127.0.0.1");
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk.toString("utf8")));
    socket.on("error", () => undefined);
    const closed = new Promise((resolve) => socket.on("close", resolve));
    socket.write(`POST /trpc/avatars.create HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`);
    const chunk = Buffer.concat([Buffer.from("10000\r\n"), Buffer.alloc(0x10000, 0x20), Buffer.from("\r\n")]);
    let sent = 0;
    while (answer === "" && !socket.destroyed && sent < 100 * 1024 * 1024) {
      if (!socket.write(chunk)) await new Promise((resolve) => socket.once("drain", resolve).once("close", resolve));
      sent += 0x10000;
    }
    await closed;
    expect(statusOf(answer)).toBe(413);
    expect(sent).toBeLessThan(100 * 1024 * 1024);

    const signIn = await fetch(`${base}/trpc/session.start`, { method: "POST", headers: { "content-type": "application/json", "accept-language": "en" }, body: JSON.stringify({ deviceId: "x".repeat(100_000) }) });
    expect(signIn.status).toBe(413);
    expect((await trpcError(signIn)).message).toBe("The request is too large: at most 64 KB.");
    expect(await count("avatars")).toBe(avatarsBefore);
  });

  it("a batch of more than 20 calls is a 400 that says so, by GET and by POST; 20 are answered", async () => {
    const { token } = await api.signIn();
    const headers = { authorization: `Bearer ${token}`, "accept-language": "en", "content-type": "application/json" };
    const avatarsBefore = await count("avatars");
    const batch = (n: number, name: string) => `${base}/trpc/${Array.from({ length: n }, () => name).join(",")}?batch=1`;
    for (const response of [await fetch(batch(21, "avatars.list"), { headers }), await fetch(batch(1000, "avatars.create"), { method: "POST", headers, body: "{}" })]) {
      expect(response.status).toBe(400);
      expect(await trpcError(response)).toMatchObject({ message: "Too many calls at once: at most 20.", data: { messageKey: "errors.batchTooLarge" } });
    }
    expect(await count("avatars")).toBe(avatarsBefore);
    expect((await fetch(batch(20, "avatars.list"), { headers })).status).toBe(200);
  });

  it("a 100 KB URL is a 414 and 100 KB of headers a 431, and the server goes on", async () => {
    expect(statusOf(await rawExchange(portOf(server), `GET /trpc/avatars.list?input=${"a".repeat(100_000)} HTTP/1.1\r\nhost: x\r\n\r\n`))).toBe(414);
    expect(statusOf(await rawExchange(portOf(server), `GET /healthz HTTP/1.1\r\nhost: x\r\nx-junk: ${"a".repeat(100_000)}\r\n\r\n`))).toBe(431);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe("slow clients", () => {
  let slow: Server;
  beforeAll(async () => {
    // A stream that lasts longer than the request timeout: SSE and ZIP downloads are answers like it.
    const stream: Route = {
      method: "GET",
      path: "/stream",
      handler: async (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        for (let i = 0; i < 6; i++) {
          res.write(`data: ${i}\n\n`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        res.end();
      },
    };
    slow = createApp({ deps: api.deps, logger: pino({ level: "silent" }), routes: [stream], timeouts: { headersMs: 200, requestMs: 300, checkEveryMs: 20 } });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise((resolve) => slow.close(resolve)));

  it("get 408 when their headers or their body do not arrive in time; an answer that streams longer is not cut", async () => {
    const dribble = (request: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(portOf(slow), "127.0.0.1", () => socket.write(request));
        let answer = "";
        socket.on("data", (chunk) => (answer += chunk.toString("utf8")));
        socket.on("error", () => undefined);
        socket.on("close", () => resolve(answer));
      });
    expect(statusOf(await dribble("GET /healthz HTTP/1.1\r\nhost: x\r\n"))).toBe(408);
    expect(statusOf(await dribble("POST /trpc/session.start HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"))).toBe(408);
    const streamed = await fetch(`http://127.0.0.1:${portOf(slow)}/stream`);
    expect((await streamed.text()).match(/^data: \d$/gm)).toEqual(["data: 0", "data: 1", "data: 2", "data: 3", "data: 4", "data: 5"]);
  });
});
