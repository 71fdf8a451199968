import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestApi } from "@pinglass/api/testing";
import { avatars, generationJobs, referencePhotos } from "@pinglass/db";
import { createGenerationWorker, observedProvider, ProviderError } from "@pinglass/generation";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { requestLogger } from "./http/request-id.ts";
import { createLogger } from "./logger.ts";
import { createMetrics, type Metrics, metricsRoute } from "./metrics.ts";

const metricsToken = "metrics-token-0123456789abcdef";

let api: Awaited<ReturnType<typeof createTestApi>>;
let metrics: Metrics;
let server: Server;
let base: string;
const lines: string[] = [];
const logger = createLogger({ level: "info", service: "test" }, { write: (line: string) => void lines.push(line) });

const listen = async (app: Server) => {
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  api = await createTestApi();
  metrics = createMetrics(api.testDb.db);
  const routes = [
    metricsRoute(metrics, metricsToken),
    // A route that logs after an await, through a child of its request's logger, as the areas' routes do.
    {
      method: "GET",
      path: "/test/logs",
      handler: async (req: IncomingMessage, res: { end(body: string): void }) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        requestLogger(logger, req).child({ area: "payments" }).warn("something a domain logs");
        res.end("ok");
      },
    },
  ];
  server = createApp({ deps: api.deps, logger, routes, metrics });
  base = await listen(server);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await api.testDb.close();
});
beforeEach(() => {
  lines.length = 0;
});

const scrape = async (token: string | null = metricsToken) => fetch(`${base}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const parsedLines = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe("GET /metrics", () => {
  it("answers only the holder of METRICS_TOKEN (403 otherwise), and is off (404) without one", async () => {
    expect((await scrape(null)).status).toBe(403);
    expect((await scrape("wrong-token-0123456789abcdef")).status).toBe(403);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: metricsToken } })).status).toBe(403);
    const answer = await scrape();
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);

    const off = createApp({ deps: api.deps, logger, routes: [metricsRoute(metrics, null)], metrics });
    const offBase = await listen(off);
    try {
      expect((await fetch(`${offBase}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).status).toBe(404);
    } finally {
      await new Promise((resolve) => off.close(resolve));
    }
  });

  it("counts and times requests by route template and status, never by raw path", async () => {
    await fetch(`${base}/healthz`);
    await fetch(`${base}/trpc/session.me`);
    await fetch(`${base}/trpc/no.such.procedure.${crypto.randomUUID()}`);
    await fetch(`${base}/something/${crypto.randomUUID()}`);
    const expected = [
      'http_requests_total{method="GET",route="/healthz",status="200"} 1',
      'http_requests_total{method="GET",route="/trpc/session.me",status="401"} 1',
      'http_requests_total{method="GET",route="/trpc/*",status="404"} 1',
      'http_requests_total{method="GET",route="(not found)",status="404"} 1',
    ];
    // A request is counted when its answer is done, which the client may see a moment before.
    await expect.poll(async () => {
      const text = await (await scrape()).text();
      return expected.filter((line) => !text.includes(line));
    }).toEqual([]);
    const text = await (await scrape()).text();
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/healthz",status="200"\} \d/);
    // No id, UUID or raw path became a label.
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it("has the process's metrics and, read from the database, jobs, queues and payments", async () => {
    const { caller, userId } = await api.signIn();
    const created = await caller.payments.create({ tierId: "starter", email: "a@b.ru" });
    if (created.method !== "card") throw new Error("expected a card payment");
    await api.localBank.complete(/\/checkout\/test\/(\d+)\//.exec(created.paymentUrl)![1]!, "pay");
    const [avatar] = await api.testDb.db.insert(avatars).values({ userId, name: "A" }).returning();
    await api.testDb.db.insert(generationJobs).values({ avatarId: avatar!.id, styleId: "professional", status: "processing", totalPhotos: 7 });
    const text = await (await scrape()).text();
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
    expect(text).toContain('pinglass_jobs{status="processing"} 1');
    expect(text).toContain('pinglass_queue_depth{queue="slots",status="pending"} 0');
    expect(text).toContain('pinglass_queue_depth{queue="refunds",status="pending"} 0');
    expect(text).toContain('pinglass_queue_depth{queue="deliveries",status="failed"} 0');
    expect(text).toContain('pinglass_payments{provider="test",status="succeeded"} 1');
  });

  it("counts image-provider calls by provider and outcome, with their latency", async () => {
    const provider = observedProvider(
      {
        name: "replicate",
        maxConcurrency: 1,
        submit: async () => ({ kind: "submitted", taskId: "t1" }),
        check: async (taskId) => {
          if (taskId === "broken") throw new ProviderError("503 Service Unavailable", true);
          return { kind: "failed", retryable: false, reason: "NSFW" };
        },
      },
      () => new Date(),
      (call) => metrics.observeProviderCall(call),
    );
    await provider.submit({ prompt: "p", references: [], seed: "s", aspectRatio: "4:5", callbackUrl: "http://x" });
    expect(await provider.check("t1")).toEqual({ kind: "failed", retryable: false, reason: "NSFW" });
    await expect(provider.check("broken")).rejects.toThrow("503");
    const text = await (await scrape()).text();
    expect(text).toContain('pinglass_provider_calls_total{provider="replicate",operation="submit",outcome="ok"} 1');
    expect(text).toContain('pinglass_provider_calls_total{provider="replicate",operation="check",outcome="failed"} 1');
    expect(text).toContain('pinglass_provider_calls_total{provider="replicate",operation="check",outcome="error"} 1');
    expect(text).toContain('pinglass_provider_call_duration_seconds_count{provider="replicate",operation="check"} 2');
  });
});

describe("request ids", () => {
  it("answers every request with an x-request-id, keeping a sane incoming one and replacing any other", async () => {
    const fresh = (await fetch(`${base}/healthz`)).headers.get("x-request-id");
    expect(fresh).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await fetch(`${base}/healthz`)).headers.get("x-request-id")).not.toBe(fresh);
    expect((await fetch(`${base}/healthz`, { headers: { "x-request-id": "lb-7f3a9c21.eu:1" } })).headers.get("x-request-id")).toBe("lb-7f3a9c21.eu:1");
    for (const insane of ["short", "x".repeat(65), "has spaces in it", "quote\"injected", "a,b-12345678"]) {
      const answered = (await fetch(`${base}/healthz`, { headers: { "x-request-id": insane } })).headers.get("x-request-id");
      expect([insane, answered]).toEqual([insane, expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    }
  });

  it("puts the request's id on the lines logged about it, however many requests are in flight", async () => {
    const [one] = await Promise.all([fetch(`${base}/test/logs`), fetch(`${base}/test/logs`, { headers: { "x-request-id": "req-two-000000" } })]);
    const ids = parsedLines()
      .filter((line) => line.msg === "something a domain logs")
      .map((line) => [line.area, line.requestId]);
    expect(ids.sort()).toEqual([
      ["payments", one!.headers.get("x-request-id")],
      ["payments", "req-two-000000"],
    ].sort());
  });

  it("follows a request into the worker: the job remembers it and the worker's lines about its photos carry it", async () => {
    const { caller, userId, token } = await api.signIn();
    const created = await caller.payments.create({ tierId: "starter", email: "a@b.ru" });
    if (created.method !== "card") throw new Error("expected a card payment");
    await api.localBank.complete(/\/checkout\/test\/(\d+)\//.exec(created.paymentUrl)![1]!, "pay");
    const [avatar] = await api.testDb.db.insert(avatars).values({ userId, name: "A" }).returning();
    await api.testDb.db
      .insert(referencePhotos)
      .values(Array.from({ length: 5 }, (_, i) => ({ avatarId: avatar!.id, storageKey: `references/${avatar!.id}/${i}.jpg`, thumbnailKey: `references/${avatar!.id}/${i}-t.jpg`, sizeBytes: 1, width: 1, height: 1, contentType: "image/jpeg" })));
    const started = await fetch(`${base}/trpc/generation.start`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "x-request-id": "start-req-0001" },
      body: JSON.stringify({ avatarId: avatar!.id, styleId: "professional" }),
    });
    expect(started.status).toBe(200);
    const jobId = ((await started.json()) as { result: { data: { jobId: number } } }).result.data.jobId;
    const [job] = (await api.testDb.db.select().from(generationJobs)).filter((j) => j.id === jobId);
    expect(job!.requestId).toBe("start-req-0001");

    // A worker whose provider keeps failing: it logs each photo it gives up on.
    const worker = createGenerationWorker(
      {
        db: api.testDb.db,
        clock: api.clock,
        storage: api.deps.media.storage,
        provider: { name: "kie", maxConcurrency: 7, submit: async () => Promise.reject(new ProviderError("502 Bad Gateway", true)), check: async () => ({ kind: "pending" }) },
        callbackUrl: "http://pinglass.test/webhooks/kie",
        logger,
      },
      { maxAttempts: 1 },
    );
    lines.length = 0;
    await worker.tick(new AbortController().signal);
    const workerLines = parsedLines().filter((line) => line.msg === "generation slot failed for good after its last attempt");
    expect(workerLines).toHaveLength(7);
    expect(new Set(workerLines.map((line) => line.requestId))).toEqual(new Set(["start-req-0001"]));
  });
});

describe("configuration", () => {
  const base = { SESSION_SECRET: "x".repeat(32) };

  it("reads ADMIN_TELEGRAM_IDS as Telegram ids and METRICS_TOKEN as a secret, both off when unset", () => {
    expect(loadConfig(base)).toMatchObject({ admin: { telegramIds: [] }, metricsToken: null });
    expect(loadConfig({ ...base, ADMIN_TELEGRAM_IDS: " 123456789, 9007199254740993 ,123456789", METRICS_TOKEN: metricsToken })).toMatchObject({
      admin: { telegramIds: [123456789n, 9007199254740993n] },
      metricsToken,
    });
  });

  it("names a wrong value", () => {
    for (const [name, value] of [
      ["ADMIN_TELEGRAM_IDS", "123,abc"],
      ["ADMIN_TELEGRAM_IDS", "-5"],
      ["ADMIN_TELEGRAM_IDS", "1,,2"],
      ["METRICS_TOKEN", "short"],
      ["METRICS_TOKEN", "has spaces in the token"],
    ]) {
      expect(() => loadConfig({ ...base, [name!]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, [name!]: value })).toThrow(`${name}:`);
    }
  });
});
