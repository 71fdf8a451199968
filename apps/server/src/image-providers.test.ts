import { createHmac, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { manualClock } from "@pinglass/core";
import { createKieProvider, createReplicateProvider, type ImageProvider } from "@pinglass/generation";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";
import { providerWebhookRoutes } from "./image-providers.ts";
import { createRouter, sendRefusal } from "./http/router.ts";

const clock = manualClock(new Date("2026-11-25T12:00:00Z"));
const now = () => Math.floor(clock.now().getTime() / 1000);
const secretKey = randomBytes(24);
const webhookSecret = `whsec_${secretKey.toString("base64")}`;

let server: Server | undefined;
afterEach(async () => {
  const running = server;
  server = undefined;
  if (!running) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

/** The routes on a bare server, with an engine stand-in that records which tasks it was handed. */
async function serve(provider: ImageProvider, completeTask = async (_provider: string, _taskId: string): Promise<unknown> => "handled") {
  const handed: Array<[string, string]> = [];
  const routes = providerWebhookRoutes({
    provider,
    completeTask: (name, taskId) => {
      handed.push([name, taskId]);
      return completeTask(name, taskId);
    },
    logger: pino({ level: "silent" }),
  });
  const handle = createRouter(routes, (req, res) => sendRefusal(req, res, 404, "errors.notFound"));
  server = createServer((req, res) => void handle(req, res, new URL(req.url ?? "/", "http://localhost")));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = async (path: string, body: string, headers: Record<string, string> = {}) =>
    (await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body })).status;
  return { handed, post };
}

function standardWebhookHeaders(body: string, options: { id?: string; timestamp?: number; key?: Buffer } = {}) {
  const id = options.id ?? "msg_2mZ4";
  const timestamp = options.timestamp ?? now();
  const signature = createHmac("sha256", options.key ?? secretKey).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": `v1,${signature}` };
}

const replicate = () => createReplicateProvider({ apiToken: "r8_x", baseUrl: "http://127.0.0.1:9", webhookSecret, clock });

describe("POST /webhooks/replicate", () => {
  it("answers 200 to a genuine webhook, also when it comes again, and hands the prediction to the engine each time", async () => {
    const { handed, post } = await serve(replicate());
    const body = JSON.stringify({ id: "q7mkr2x3ebrj00cmsd8bzvd3sr", status: "succeeded", output: "https://replicate.delivery/x.jpg" });
    expect(await post("/webhooks/replicate", body, standardWebhookHeaders(body))).toBe(200);
    expect(await post("/webhooks/replicate", body, standardWebhookHeaders(body))).toBe(200);
    expect(handed).toEqual([
      ["replicate", "q7mkr2x3ebrj00cmsd8bzvd3sr"],
      ["replicate", "q7mkr2x3ebrj00cmsd8bzvd3sr"],
    ]);
  });

  it("refuses forged webhooks (wrong key, stale or future timestamp, no signature, tampered body) with 401 and hands nothing on", async () => {
    const { handed, post } = await serve(replicate());
    const body = JSON.stringify({ id: "q7mkr2x3ebrj00cmsd8bzvd3sr", status: "succeeded" });
    expect(await post("/webhooks/replicate", body, standardWebhookHeaders(body, { key: randomBytes(24) }))).toBe(401);
    expect(await post("/webhooks/replicate", body, standardWebhookHeaders(body, { timestamp: now() - 6 * 60 }))).toBe(401);
    expect(await post("/webhooks/replicate", body, standardWebhookHeaders(body, { timestamp: now() + 6 * 60 }))).toBe(401);
    expect(await post("/webhooks/replicate", body)).toBe(401);
    expect(await post("/webhooks/replicate", body.replace("succeeded", "failed"), standardWebhookHeaders(body))).toBe(401);
    expect(await post("/webhooks/replicate", "{}", standardWebhookHeaders("{}"))).toBe(400);
    expect(handed).toEqual([]);
  });

  it("refuses a body over the size limit without reading it all, and a provider that is not configured", async () => {
    const { handed, post } = await serve(replicate());
    const huge = JSON.stringify({ id: "abc", logs: "x".repeat(2 * 1024 * 1024) });
    expect(await post("/webhooks/replicate", huge, standardWebhookHeaders(huge))).toBe(413);
    expect(await post("/webhooks/kie", JSON.stringify({ data: { taskId: "task_1" } }))).toBe(404);
    expect(handed).toEqual([]);
  });

  it("still answers 200 when the engine cannot handle the task right now (its poll will)", async () => {
    const { handed, post } = await serve(replicate(), async () => {
      throw new Error("database is restarting");
    });
    const body = JSON.stringify({ id: "abc123", status: "succeeded" });
    expect(await post("/webhooks/replicate", body, standardWebhookHeaders(body))).toBe(200);
    expect(handed).toEqual([["replicate", "abc123"]]);
  });
});

describe("POST /webhooks/kie", () => {
  const body = JSON.stringify({ code: 200, msg: "done", data: { taskId: "task_nanobanana_1", state: "success" } });
  const kieHeaders = (key: string, timestamp = now()) => ({
    "x-webhook-timestamp": String(timestamp),
    "x-webhook-signature": createHmac("sha256", key).update(`task_nanobanana_1.${timestamp}`).digest("base64"),
  });

  it("with Kie's webhook HMAC key configured, only signed callbacks get through", async () => {
    const { handed, post } = await serve(createKieProvider({ apiKey: "k", baseUrl: "http://127.0.0.1:9", webhookHmacKey: "hmac-key", clock }));
    expect(await post("/webhooks/kie", body, kieHeaders("other-key"))).toBe(401);
    expect(await post("/webhooks/kie", body, kieHeaders("hmac-key", now() - 600))).toBe(401);
    expect(await post("/webhooks/kie", body)).toBe(401);
    expect(await post("/webhooks/kie", body, kieHeaders("hmac-key"))).toBe(200);
    expect(handed).toEqual([["kie", "task_nanobanana_1"]]);
  });

  it("without a key the callback only names a task (the engine asks Kie for the truth); garbage is 400", async () => {
    const { handed, post } = await serve(createKieProvider({ apiKey: "k", baseUrl: "http://127.0.0.1:9", clock }));
    expect(await post("/webhooks/kie", body)).toBe(200);
    expect(await post("/webhooks/kie", "not json")).toBe(400);
    expect(await post("/webhooks/kie", JSON.stringify({ data: { taskId: "../../etc/passwd" } }))).toBe(400);
    expect(handed).toEqual([["kie", "task_nanobanana_1"]]);
  });
});

describe("image provider configuration", () => {
  const base = { NODE_ENV: "test", SESSION_SECRET: "x".repeat(32) };

  it("is the local renderer unless a provider key is set; a key picks its provider", () => {
    expect(loadConfig(base).imageProvider).toEqual({ kind: "local" });
    expect(loadConfig({ ...base, KIE_API_KEY: "kie-key" }).imageProvider).toEqual({
      kind: "kie",
      apiKey: "kie-key",
      apiUrl: "https://api.kie.ai",
      model: "nano-banana-pro",
      webhookHmacKey: undefined,
      maxConcurrency: 8,
    });
    expect(loadConfig({ ...base, REPLICATE_API_TOKEN: "r8_x", REPLICATE_WEBHOOK_SECRET: webhookSecret, REPLICATE_MAX_CONCURRENCY: "3" }).imageProvider).toMatchObject({
      kind: "replicate",
      model: "google/nano-banana-pro",
      maxConcurrency: 3,
    });
    expect(loadConfig({ ...base, KIE_API_KEY: "kie-key", IMAGE_PROVIDER: "local" }).imageProvider).toEqual({ kind: "local" });
  });

  it("names what is missing or wrong", () => {
    expect(() => loadConfig({ ...base, IMAGE_PROVIDER: "kie" })).toThrow(/KIE_API_KEY: is required/);
    expect(() => loadConfig({ ...base, REPLICATE_API_TOKEN: "r8_x" })).toThrow(/REPLICATE_WEBHOOK_SECRET: both are required/);
    expect(() => loadConfig({ ...base, IMAGE_PROVIDER: "midjourney" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, REPLICATE_WEBHOOK_SECRET: "plain-secret" })).toThrow(/REPLICATE_WEBHOOK_SECRET: must look like whsec_/);
    expect(() => loadConfig({ ...base, REPLICATE_MODEL: "nano-banana-pro" })).toThrow(/REPLICATE_MODEL: must be owner\/name/);
  });
});
