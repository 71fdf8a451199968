import { randomBytes } from "node:crypto";
import { manualClock } from "@pinglass/core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeReplicate, startFakeReplicate } from "./fake-replicate-server.ts";
import { startCallbackReceiver, startReferenceServer } from "./fake-server.ts";
import { createReplicateProvider, type ReplicateProviderOptions } from "./replicate.ts";
import { type ImageProvider, type ImageRequest, type ProviderOutcome, ProviderError } from "./types.ts";

const apiToken = "r8_test_token";
const webhookSecret = `whsec_${randomBytes(24).toString("base64")}`;
const clock = manualClock(new Date(Math.floor(Date.now() / 1000) * 1000));

let replicate: FakeReplicate;
let refs: Awaited<ReturnType<typeof startReferenceServer>>;
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
let provider: ImageProvider;

const providerFor = (overrides: Partial<ReplicateProviderOptions> = {}) =>
  createReplicateProvider({ apiToken, baseUrl: replicate.url, webhookSecret, timeoutMs: 2000, maxConcurrency: 4, clock, ...overrides });

beforeAll(async () => {
  replicate = await startFakeReplicate({ apiToken, webhookSecret, clock });
  refs = await startReferenceServer();
  receiver = await startCallbackReceiver((headers, body) => provider.verifyCallback!(headers, body));
  provider = providerFor();
});
afterAll(async () => {
  await Promise.all([replicate.close(), refs.close(), receiver.close()]);
});

const request = (overrides: Partial<ImageRequest> = {}): ImageRequest => ({
  prompt: "Portrait in a Japanese garden, soft light; keep the person's face and identity",
  references: [1, 2, 3, 4, 5, 6].map((n) => refs.reference(n)),
  seed: "avatar-1/scene-18",
  aspectRatio: "4:5",
  callbackUrl: receiver.url,
  ...overrides,
});

async function submitted(p: ImageProvider = provider, overrides: Partial<ImageRequest> = {}) {
  const result = await p.submit(request(overrides));
  if (result.kind !== "submitted") throw new Error("expected a prediction id");
  return result.taskId;
}

async function pollUntilDone(p: ImageProvider, taskId: string): Promise<ProviderOutcome> {
  for (;;) {
    const outcome = await p.check(taskId);
    if (outcome.kind !== "pending") return outcome;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const providerError = (promise: Promise<unknown>) => promise.then(() => expect.fail("expected a ProviderError")).catch((error: unknown) => error as ProviderError);

describe("Replicate provider", () => {
  it("creates a prediction with a completed-only webhook and the signed reference URLs, then downloads the image after the signed webhook", async () => {
    const before = receiver.deliveries.length;
    const taskId = await submitted();
    const prediction = await replicate.settled(taskId);
    expect(prediction).toMatchObject({
      model: "google/nano-banana-pro",
      webhook: receiver.url,
      webhook_events_filter: ["completed"],
      input: { prompt: request().prompt, image_input: request().references.map((r) => r.url), aspect_ratio: "4:5", resolution: "2K", output_format: "jpg" },
      status: "succeeded",
    });
    expect(receiver.deliveries.slice(before)).toEqual([{ taskId, status: 200 }]);
    const outcome = await provider.check(taskId);
    expect(outcome.kind).toBe("succeeded");
    if (outcome.kind !== "succeeded") return;
    expect(outcome.contentType).toBe("image/jpeg");
    expect((await sharp(outcome.image).metadata()).format).toBe("jpeg");
  });

  it("a pinned version goes through POST /v1/predictions; an array output works too", async () => {
    const pinned = await startFakeReplicate({ apiToken, webhookSecret, clock, outputAsArray: true });
    try {
      const p = providerFor({ baseUrl: pinned.url, model: `google/nano-banana-pro:${pinned.version}` });
      const taskId = await submitted(p);
      expect((await pinned.settled(taskId)).version).toBe(pinned.version);
      expect((await p.check(taskId)).kind).toBe("succeeded");
      const wrongVersion = await providerError(providerFor({ baseUrl: pinned.url, model: "google/nano-banana-pro:0000" }).submit(request()));
      expect(wrongVersion).toMatchObject({ retryable: false, message: expect.stringContaining("Replicate refused the input (422") });
    } finally {
      await pinned.close();
    }
  });

  it("a failed prediction is a failed outcome; a flagged one (E005) is not worth retrying", async () => {
    replicate.planNextPrediction({ fail: "Prediction interrupted; please retry (code: PA)" });
    const interrupted = await submitted();
    await replicate.settled(interrupted);
    expect(await provider.check(interrupted)).toEqual({ kind: "failed", reason: "Replicate could not generate the image: Prediction interrupted; please retry (code: PA)", retryable: true });

    replicate.planNextPrediction({ fail: "The input or output was flagged as sensitive. Please try again with different inputs. (E005)" });
    const flagged = await submitted();
    await replicate.settled(flagged);
    expect(await provider.check(flagged)).toMatchObject({ kind: "failed", retryable: false });

    const unreadable = await submitted(provider, { references: [refs.reference(1, "expired")] });
    await replicate.settled(unreadable);
    expect(await provider.check(unreadable)).toMatchObject({ kind: "failed", reason: expect.stringContaining("failed to fetch the image") });
  });

  it("a wrong token (401), an unknown model (404) and invalid input (422) are not retryable and say why", async () => {
    expect(await providerError(providerFor({ apiToken: "r8_wrong" }).submit(request()))).toMatchObject({
      retryable: false,
      message: "Replicate rejected the API token (401: You did not pass a valid authentication token)",
    });
    expect(await providerError(providerFor({ model: "google/no-such-model" }).submit(request()))).toMatchObject({ retryable: false, message: expect.stringContaining("(404") });
    expect(await providerError(provider.submit(request({ prompt: "" })))).toMatchObject({ retryable: false, message: "Replicate refused the input (422: - input: prompt is required)" });
    replicate.faults.inject("create", { status: 402, body: { title: "Payment required", detail: "You have insufficient credit", status: 402 } });
    expect(await providerError(provider.submit(request()))).toMatchObject({ retryable: false, message: expect.stringContaining("no credit left") });
  });

  it("429 is retryable and honours Retry-After; 500 and 503 are retryable", async () => {
    replicate.faults.inject("create", { status: 429, retryAfter: "4", body: { title: "Request was throttled.", detail: "Expected available in 4 seconds.", status: 429 } });
    expect(await providerError(provider.submit(request()))).toMatchObject({ retryable: true, retryAfterMs: 4000 });
    replicate.faults.inject("create", { status: 500 });
    expect(await providerError(provider.submit(request()))).toMatchObject({ retryable: true, message: expect.stringContaining("(500") });
    const taskId = await submitted();
    replicate.faults.inject("get", { status: 503, retryAfter: new Date(clock.now().getTime() + 2000).toUTCString() });
    expect(await providerError(provider.check(taskId))).toMatchObject({ retryable: true, retryAfterMs: 2000 });
    await replicate.settled(taskId);
    expect((await provider.check(taskId)).kind).toBe("succeeded");
  });

  it("a slow answer hits the client timeout as a retryable error; the next call goes through", async () => {
    const impatient = providerFor({ timeoutMs: 100 });
    replicate.faults.inject("create", { delayMs: 1500 });
    expect(await providerError(impatient.submit(request()))).toMatchObject({ retryable: true, message: "Replicate did not answer within 100 ms" });
    const taskId = await submitted(impatient);
    await replicate.settled(taskId);
    replicate.faults.inject("get", { delayMs: 1500 });
    expect(await providerError(impatient.check(taskId))).toMatchObject({ retryable: true });
    expect((await impatient.check(taskId)).kind).toBe("succeeded");
  });

  it("a lost webhook: polling the prediction still finishes it", async () => {
    replicate.planNextPrediction({ callback: "lost" });
    const before = receiver.deliveries.length;
    const taskId = await submitted();
    expect((await pollUntilDone(provider, taskId)).kind).toBe("succeeded");
    await replicate.settled(taskId);
    expect(receiver.deliveries.length).toBe(before);
  });

  it("a duplicated webhook (a retried delivery) names the same prediction twice and gives the same image", async () => {
    replicate.planNextPrediction({ callback: "duplicate" });
    const before = receiver.deliveries.length;
    const taskId = await submitted();
    await replicate.settled(taskId);
    expect(receiver.deliveries.slice(before)).toEqual([
      { taskId, status: 200 },
      { taskId, status: 200 },
    ]);
    const [first, second] = [await provider.check(taskId), await provider.check(taskId)];
    expect(first.kind === "succeeded" && second.kind === "succeeded" && first.image.equals(second.image)).toBe(true);
  });

  it("an output that has expired means rendering again", async () => {
    const taskId = await submitted();
    await replicate.settled(taskId);
    replicate.faults.inject("download", { status: 404 });
    expect(await provider.check(taskId)).toMatchObject({ kind: "failed", retryable: true });
    expect(await provider.check("unknownprediction0")).toMatchObject({ kind: "failed", retryable: true, reason: expect.stringContaining("(404") });
  });

  it("verifies the Standard Webhooks signature: any of several v1 signatures, raw bytes, a 5-minute window", () => {
    const body = JSON.stringify({ id: "abc123", status: "succeeded", output: "https://replicate.delivery/x.jpg" });
    const raw = Buffer.from(body);
    const now = Math.floor(clock.now().getTime() / 1000);
    const good = replicate.signedHeaders(body, { id: "msg_1", timestamp: now });
    expect(provider.verifyCallback!(good, raw)).toEqual({ taskId: "abc123" });
    // Key rotation: the sender lists an old and a new signature; one matching is enough.
    const rotated = { ...good, "webhook-signature": `v1,${Buffer.alloc(32).toString("base64")} ${good["webhook-signature"]}` };
    expect(provider.verifyCallback!(rotated, raw)).toEqual({ taskId: "abc123" });
    const reject = (headers: Record<string, string>, payload = raw) => {
      try {
        provider.verifyCallback!(headers, payload);
        return "accepted";
      } catch (error) {
        return (error as { status: number }).status;
      }
    };
    expect(reject(good, Buffer.from(body.replace("succeeded", "failed")))).toBe(401);
    expect(reject(replicate.signedHeaders(body, { timestamp: now, key: randomBytes(24) }))).toBe(401);
    expect(reject(replicate.signedHeaders(body, { timestamp: now - 301 }))).toBe(401);
    expect(reject(replicate.signedHeaders(body, { timestamp: now + 301 }))).toBe(401);
    expect(reject(replicate.signedHeaders(body, { timestamp: now - 299 }))).toBe("accepted");
    expect(reject({ ...good, "webhook-signature": good["webhook-signature"]!.replace("v1,", "v2,") })).toBe(401);
    expect(reject({ "webhook-id": "msg_1", "webhook-timestamp": String(now) })).toBe(401);
    expect(reject(replicate.signedHeaders("[]", { timestamp: now }), Buffer.from("[]"))).toBe(400);
  });

  it("forged webhooks over HTTP are refused and change nothing; a genuine one for an unknown prediction only names it", async () => {
    const taskId = await submitted();
    await replicate.settled(taskId);
    const before = receiver.deliveries.length;
    const body = JSON.stringify({ id: taskId, status: "failed", error: "forged" });
    const post = async (headers: Record<string, string>) => (await fetch(receiver.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body })).status;
    expect(await post(replicate.signedHeaders(body, { key: randomBytes(24) }))).toBe(401);
    clock.advance(10 * 60 * 1000);
    const stale = replicate.signedHeaders(body, { timestamp: Math.floor(clock.now().getTime() / 1000) - 10 * 60 });
    expect(await post(stale)).toBe(401);
    expect(receiver.deliveries.slice(before).every((d) => d.taskId === undefined)).toBe(true);
    // The prediction is still what Replicate says it is, whatever the forged body claimed.
    expect((await provider.check(taskId)).kind).toBe("succeeded");
    const unknown = JSON.stringify({ id: "neverheardofthisone", status: "succeeded", output: "https://evil.example/x.jpg" });
    expect(provider.verifyCallback!(replicate.signedHeaders(unknown), Buffer.from(unknown))).toEqual({ taskId: "neverheardofthisone" });
    expect(await provider.check("neverheardofthisone")).toMatchObject({ kind: "failed" });
  });

  it("refuses a webhook secret that is not whsec_<base64> and a malformed model name at construction", () => {
    expect(() => providerFor({ webhookSecret: "whsec_" })).toThrow(/whsec_/);
    expect(() => providerFor({ model: "nano-banana-pro" })).toThrow(/owner\/name/);
  });
});
