import { sleep } from "@pinglass/core";
import { generationJobs, payments, rateLimits, referencePhotos, users } from "@pinglass/db";
import { photoJpeg } from "@pinglass/media/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "./config.ts";
import { buildLimits } from "./rate-limits.ts";
import { startTestServer, type TestApi } from "./testing.ts";

let api: TestApi;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => void ({ api, base, close } = await startTestServer()));
afterAll(() => close());
beforeEach(() => api.testDb.reset());

/** The server's limits from these environment variables (the rest at their defaults), on the test database. */
function limitsFrom(env: Record<string, string>): Config["limits"] {
  return loadConfig({ SESSION_SECRET: "x".repeat(32), ...env }).limits;
}
const useLimits = (env: Record<string, string>) => {
  api.deps.limits = buildLimits(limitsFrom(env), api.testDb.handle);
};

const mutate = (path: string, input: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(input) });

type TrpcError = { error: { message: string; data: { code: string; httpStatus: number; messageKey: string } } };

async function expectTooManyRequests(response: Response, message = "Too many requests. Please wait a little and try again.") {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  return response.json().then((body: unknown) => {
    const error = (body as { error: { message: string } }).error;
    expect(error).toMatchObject({ message });
    return body;
  });
}

const count = async (table: typeof users | typeof payments | typeof referencePhotos) => (await api.testDb.db.select().from(table)).length;

describe("rate limits over HTTP", () => {
  it("session.start: per IP, 429 with Retry-After and the reason in the caller's language, and no account made", async () => {
    useLimits({ RATE_LIMIT_SESSION_START_PER_IP: "2/60" });
    for (let i = 0; i < 2; i++) expect((await mutate("session.start", { deviceId: crypto.randomUUID() })).status).toBe(200);
    const refused = await mutate("session.start", { deviceId: crypto.randomUUID() }, { "accept-language": "en" });
    const body = (await expectTooManyRequests(refused)) as TrpcError;
    expect(body.error.data).toMatchObject({ code: "TOO_MANY_REQUESTS", httpStatus: 429, messageKey: "errors.tooManyRequests" });
    await expectTooManyRequests(await mutate("session.start", { deviceId: crypto.randomUUID() }, { "accept-language": "ru" }), "Слишком много запросов. Подождите немного и попробуйте снова.");
    expect(await count(users)).toBe(2);
  });

  it("X-Forwarded-For counts only with TRUST_PROXY=true, and then its last entry is the client", async () => {
    useLimits({ RATE_LIMIT_SESSION_START_PER_IP: "1/60" });
    const start = (forwardedFor: string) => mutate("session.start", { deviceId: crypto.randomUUID() }, { "x-forwarded-for": forwardedFor });
    expect((await start("203.0.113.1")).status).toBe(200);
    // Without a trusted proxy the header is the client's own word: the socket's address counts.
    expect((await start("203.0.113.2")).status).toBe(429);

    useLimits({ RATE_LIMIT_SESSION_START_PER_IP: "1/60", TRUST_PROXY: "true" });
    expect((await start("203.0.113.1")).status).toBe(200);
    expect((await start("203.0.113.2")).status).toBe(200);
    // A client cannot escape by prepending addresses: the proxy's entry is the last one.
    expect((await start("198.51.100.7, 203.0.113.2")).status).toBe(429);
    // One IPv6 subscriber's /64 is one client.
    expect((await start("2001:db8:1:2::1")).status).toBe(200);
    expect((await start("2001:db8:1:2:ffff::9")).status).toBe(429);
  });

  it("payments.create: per user, refused before a payment is made", async () => {
    useLimits({ RATE_LIMIT_PAYMENTS_PER_USER: "1/60" });
    const { token } = await api.signIn();
    const auth = { authorization: `Bearer ${token}`, "accept-language": "en" };
    expect((await mutate("payments.create", { tierId: "starter", email: "me@example.com" }, auth)).status).toBe(200);
    await expectTooManyRequests(await mutate("payments.create", { tierId: "starter", email: "me@example.com" }, auth));
    expect(await count(payments)).toBe(1);
    // Another user has points of their own.
    const other = await api.signIn();
    expect((await mutate("payments.create", { tierId: "starter", email: "me@example.com" }, { authorization: `Bearer ${other.token}` })).status).toBe(200);
  });

  it("selfie uploads and ZIP downloads: per user, 429 with Retry-After before any work", async () => {
    useLimits({ RATE_LIMIT_UPLOADS_PER_USER: "1/600", RATE_LIMIT_ZIP_PER_USER: "1/60" });
    const { caller, token } = await api.signIn();
    const avatar = await caller.avatars.create();
    const selfie = await photoJpeg(900, 1200);
    const upload = () => {
      const form = new FormData();
      form.append("files", new Blob([new Uint8Array(selfie)], { type: "image/jpeg" }), "me.jpg");
      return fetch(`${base}/uploads/avatars/${avatar.id}/references`, { method: "POST", body: form, headers: { authorization: `Bearer ${token}`, "accept-language": "en" } });
    };
    expect((await upload()).status).toBe(200);
    const refused = await expectTooManyRequests(await upload());
    expect(refused).toEqual({ error: { code: "TOO_MANY_REQUESTS", messageKey: "errors.tooManyRequests", message: "Too many requests. Please wait a little and try again." } });
    expect(await count(referencePhotos)).toBe(1);

    const link = new URL((await caller.photos.zipUrl({ avatarId: avatar.id })).url);
    const zip = () => fetch(`${base}${link.pathname}${link.search}`, { headers: { "accept-language": "en" } });
    expect((await zip()).status).not.toBe(429);
    await expectTooManyRequests(await zip());
  });
});

describe("progress streams", () => {
  async function processingJob(userId: number, avatarId: number) {
    const [job] = await api.testDb.db.insert(generationJobs).values({ avatarId, styleId: "creative", status: "processing", totalPhotos: 7 }).returning();
    expect(job).toBeDefined();
    return job!.id;
  }

  /** Opens generation.progress as the browser does (SSE) and reads up to its first event. */
  async function openStream(token: string, jobId: number) {
    const controller = new AbortController();
    const input = encodeURIComponent(JSON.stringify({ jobId }));
    const response = await fetch(`${base}/trpc/generation.progress?input=${input}`, {
      headers: { authorization: `Bearer ${token}`, accept: "text/event-stream", "accept-language": "en" },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes('"jobId"') && !text.includes("serialized-error")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    return { response, text, refused: text.includes("serialized-error"), close: () => controller.abort() };
  }

  it("a user holds at most MAX_OPEN_STREAMS_PER_USER open; closing one makes room; opening is rate-limited too", async () => {
    useLimits({ MAX_OPEN_STREAMS_PER_USER: "2", RATE_LIMIT_STREAMS_PER_USER: "6/60" });
    const { caller, token, userId } = await api.signIn();
    const avatar = await caller.avatars.create();
    const jobId = await processingJob(userId, avatar.id);

    const first = await openStream(token, jobId);
    const second = await openStream(token, jobId);
    expect([first.refused, second.refused]).toEqual([false, false]);
    const third = await openStream(token, jobId);
    expect(third.refused).toBe(true);
    expect(third.text).toContain("Too many requests. Please wait a little and try again.");
    third.close();

    first.close();
    // The server learns of the closed stream a moment later.
    let reopened = await openStream(token, jobId);
    while (reopened.refused) {
      await sleep(10);
      reopened = await openStream(token, jobId);
    }
    second.close();
    reopened.close();
    // Six openings a minute (refused ones count too), then Retry-After, over SSE as well.
    for (let opening = 0; ; opening++) {
      expect(opening).toBeLessThan(6);
      const stream = await openStream(token, jobId);
      stream.close();
      if (!stream.response.headers.get("retry-after")) continue;
      expect(stream.refused).toBe(true);
      expect(Number(stream.response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      break;
    }
  });
});

describe("the shared store", () => {
  it("two servers' limiters on one PostgreSQL database share their counts (PGlite: one process, counts in memory)", async () => {
    const limits = limitsFrom({ RATE_LIMIT_PAYMENTS_PER_USER: "3/60" });
    const one = buildLimits(limits, api.testDb.handle);
    const other = buildLimits(limits, api.testDb.handle);
    const caller = { ip: "192.0.2.1", userId: 42 };
    expect(await one.take("paymentCreate", caller)).toBeNull();
    expect(await one.take("paymentCreate", caller)).toBeNull();
    expect(await other.take("paymentCreate", caller)).toBeNull();
    const refused = await other.take("paymentCreate", caller);
    if (api.testDb.driver === "pglite") {
      expect(refused).toBeNull();
      expect(await api.testDb.db.select().from(rateLimits)).toEqual([]);
    } else {
      expect(refused).toBeGreaterThan(0);
      expect(await one.take("paymentCreate", caller)).toBeGreaterThan(0);
      const rows = await api.testDb.db.select({ key: rateLimits.key, points: rateLimits.points }).from(rateLimits).orderBy(rateLimits.key);
      expect(rows).toEqual([
        { key: "paymentCreate:ip:192.0.2.1", points: 5 },
        { key: "paymentCreate:user:42", points: 5 },
      ]);
    }
  });
});
