import { type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { AppRouter } from "@pinglass/api";
import { createTestApi } from "@pinglass/api/testing";
import { payments } from "@pinglass/db";
import { addReferencePhoto } from "@pinglass/media";
import { photoJpeg } from "@pinglass/media/testing";
import { createTRPCClient, httpBatchStreamLink } from "@trpc/client";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
let server: ReturnType<typeof createApp>;
let port: number;

beforeAll(async () => {
  api = await createTestApi();
  server = createApp({ deps: api.deps, logger: pino({ level: "silent" }) });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await api.testDb.close();
});

/** A raw GET: the body comes back exactly as sent, compressed or not. */
function get(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));

describe("compression of JSON answers", () => {
  it("compresses a large tRPC answer with brotli or gzip, as the client accepts, and it decodes to the same JSON", async () => {
    const { token, userId, caller } = await api.signIn();
    for (let i = 0; i < 20; i++) await caller.avatars.create({ name: `Портреты для резюме и соцсетей № ${i}` });
    const path = `/trpc/avatars.list?input=${input({ limit: 20 })}`;
    const auth = { authorization: `Bearer ${token}` };

    const plain = await get(path, auth);
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(2048);
    expect(JSON.parse(plain.body.toString()).result.data.items).toHaveLength(20);

    const br = await get(path, { ...auth, "accept-encoding": "gzip, deflate, br" });
    expect(br.status).toBe(200);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers.vary).toContain("Accept-Encoding");
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    expect(JSON.parse(brotliDecompressSync(br.body).toString())).toEqual(JSON.parse(plain.body.toString()));

    const gzip = await get(path, { ...auth, "accept-encoding": "gzip" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(gzip.body).toString())).toEqual(JSON.parse(plain.body.toString()));

    // A streamed (JSONL) batch is compressed too, flushed after every answer as tRPC writes it.
    const streamed = createTRPCClient<AppRouter>({ links: [httpBatchStreamLink({ url: `http://127.0.0.1:${port}/trpc`, headers: auth })] });
    const [page, me] = await Promise.all([streamed.avatars.list.query({ limit: 20 }), streamed.session.me.query()]);
    expect(page.items).toHaveLength(20);
    expect(me.user.id).toBe(userId);
  });

  it("leaves answers under 1 KB as they are", async () => {
    const health = await get("/healthz", { "accept-encoding": "br, gzip" });
    expect(health.status).toBe(200);
    expect(health.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(health.body.toString())).toEqual({ status: "ok", database: "up" });
  });

  it("never compresses an SSE subscription: its first event arrives while the stream is still open", async () => {
    const { token, userId, caller } = await api.signIn();
    const avatar = await caller.avatars.create({ name: "SSE" });
    for (let i = 0; i < 5; i++) await addReferencePhoto(api.deps.db, api.deps.media, userId, avatar.id, await photoJpeg(640 + i * 8, 800));
    await api.testDb.db.insert(payments).values({ userId, status: "succeeded", photoCount: 7, tierId: "starter", amount: "499.00", orderId: crypto.randomUUID() });
    const { jobId } = await caller.generation.start({ avatarId: avatar.id, styleId: "creative" });

    // No worker runs here: the job stays queued and the stream stays open, so only an unbuffered stream shows the event.
    const abort = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/trpc/generation.progress?input=${input({ jobId })}`, {
      headers: { accept: "text/event-stream", "accept-encoding": "gzip, deflate, br", authorization: `Bearer ${token}` },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("content-encoding")).toBeNull();
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!/^data: .*"totalPhotos":7/m.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended before the first event:\n${text}`);
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toMatch(/"completedPhotos":0/);
    abort.abort();
  });
});
