import { manualClock } from "@pinglass/core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeKie, startFakeKie } from "./fake-kie-server.ts";
import { startCallbackReceiver, startReferenceServer } from "./fake-server.ts";
import { createKieProvider, type KieProviderOptions } from "./kie.ts";
import { type ImageProvider, type ImageRequest, type ProviderOutcome, ProviderError } from "./types.ts";

const apiKey = "kie-test-key";
const hmacKey = "kie-webhook-hmac-key";
const clock = manualClock(new Date(Math.floor(Date.now() / 1000) * 1000));

let kie: FakeKie;
let refs: Awaited<ReturnType<typeof startReferenceServer>>;
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
let provider: ImageProvider;

const providerFor = (overrides: Partial<KieProviderOptions> = {}) =>
  createKieProvider({ apiKey, baseUrl: kie.url, webhookHmacKey: hmacKey, timeoutMs: 2000, maxConcurrency: 4, clock, ...overrides });

beforeAll(async () => {
  kie = await startFakeKie({ apiKey, hmacKey, clock });
  refs = await startReferenceServer();
  receiver = await startCallbackReceiver((headers, body) => provider.verifyCallback!(headers, body));
  provider = providerFor();
});
afterAll(async () => {
  await Promise.all([kie.close(), refs.close(), receiver.close()]);
});

const request = (overrides: Partial<ImageRequest> = {}): ImageRequest => ({
  prompt: "Portrait on a foggy bridge, cinematic; keep the person's face and identity",
  references: [1, 2, 3, 4, 5].map((n) => refs.reference(n)),
  seed: "avatar-1/scene-15",
  aspectRatio: "4:5",
  callbackUrl: receiver.url,
  ...overrides,
});

async function submitted(p: ImageProvider = provider, overrides: Partial<ImageRequest> = {}) {
  const result = await p.submit(request(overrides));
  if (result.kind !== "submitted") throw new Error("expected a task id");
  return result.taskId;
}

/** The engine's fallback for lost callbacks: ask until the task is no longer pending. */
async function pollUntilDone(p: ImageProvider, taskId: string): Promise<ProviderOutcome> {
  for (;;) {
    const outcome = await p.check(taskId);
    if (outcome.kind !== "pending") return outcome;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const providerError = (promise: Promise<unknown>) => promise.then(() => expect.fail("expected a ProviderError")).catch((error: unknown) => error as ProviderError);

describe("Kie.ai provider", () => {
  it("creates a task with the callback URL and the signed reference URLs, then downloads the image after the signed callback", async () => {
    const before = receiver.deliveries.length;
    const taskId = await submitted();
    const task = await kie.settled(taskId);
    expect(task.request).toEqual({
      model: "nano-banana-pro",
      callBackUrl: receiver.url,
      input: { prompt: request().prompt, image_input: request().references.map((r) => r.url), aspect_ratio: "4:5", resolution: "2K", output_format: "jpg" },
    });
    expect(receiver.deliveries.slice(before)).toEqual([{ taskId, status: 200 }]);
    const outcome = await provider.check(taskId);
    expect(outcome.kind).toBe("succeeded");
    if (outcome.kind !== "succeeded") return;
    expect(outcome.contentType).toBe("image/jpeg");
    expect((await sharp(outcome.image).metadata()).format).toBe("jpeg");
  });

  it("a reference URL Kie cannot read fails the task with Kie's reason, not worth retrying", async () => {
    const taskId = await submitted(provider, { references: [refs.reference(1), refs.reference(2, "expired")] });
    await kie.settled(taskId);
    const outcome = await provider.check(taskId);
    expect(outcome).toMatchObject({ kind: "failed", retryable: false });
    expect((outcome as { reason: string }).reason).toMatch(/Failed to fetch the image.*\(400\)/);
  });

  it("a generation failure on Kie's side is a retryable failed outcome", async () => {
    kie.planNextTask({ fail: { code: "500", message: "Internal error, please try again later" } });
    const taskId = await submitted();
    await kie.settled(taskId);
    expect(await provider.check(taskId)).toEqual({ kind: "failed", reason: "Kie.ai could not generate the image: Internal error, please try again later (500)", retryable: true });
  });

  it("a wrong API key (401), missing credits (402) and a refused request (422) are not retryable and say why", async () => {
    const unauthorised = await providerError(providerFor({ apiKey: "wrong" }).submit(request()));
    expect(unauthorised).toBeInstanceOf(ProviderError);
    expect(unauthorised).toMatchObject({ retryable: false, message: "Kie.ai rejected the API key (401: You do not have access permissions)" });

    kie.faults.inject("createTask", { status: 200, body: { code: 402, msg: "Credits insufficient", data: null } });
    expect(await providerError(provider.submit(request()))).toMatchObject({ retryable: false, message: "the Kie.ai account has run out of credits (402: Credits insufficient)" });

    const refused = await providerError(providerFor({ model: "nano-banana-ultra" }).submit(request()));
    expect(refused).toMatchObject({ retryable: false, message: "Kie.ai refused the request (422: model must be nano-banana-pro)" });
  });

  it("429 is retryable and honours Retry-After in seconds or as a date", async () => {
    kie.faults.inject("createTask", { status: 429, retryAfter: "7", body: { code: 429, msg: "Too many requests" } });
    expect(await providerError(provider.submit(request()))).toMatchObject({ retryable: true, retryAfterMs: 7000 });

    const taskId = await submitted();
    kie.faults.inject("recordInfo", { status: 429, retryAfter: new Date(clock.now().getTime() + 3000).toUTCString() });
    expect(await providerError(provider.check(taskId))).toMatchObject({ retryable: true, retryAfterMs: 3000 });
  });

  it("500, 503 and Kie's 455 (maintenance) are retryable; 505 (feature disabled) is not", async () => {
    kie.faults.inject("createTask", { status: 500 });
    expect(await providerError(provider.submit(request()))).toMatchObject({ retryable: true, message: expect.stringContaining("(500") });
    const taskId = await submitted();
    kie.faults.inject("recordInfo", { status: 503 });
    expect(await providerError(provider.check(taskId))).toMatchObject({ retryable: true, message: expect.stringContaining("(503") });
    kie.faults.inject("createTask", { status: 200, body: { code: 455, msg: "Service unavailable" } });
    expect(await providerError(provider.submit(request()))).toMatchObject({ retryable: true, message: "Kie.ai is under maintenance (455: Service unavailable)" });
    kie.faults.inject("createTask", { status: 200, body: { code: 505, msg: "The feature is disabled" } });
    expect(await providerError(provider.submit(request()))).toMatchObject({ retryable: false });
    await kie.settled(taskId);
    expect((await provider.check(taskId)).kind).toBe("succeeded");
  });

  it("a slow answer hits the client timeout as a retryable error; the next call goes through", async () => {
    const impatient = providerFor({ timeoutMs: 100 });
    kie.faults.inject("createTask", { delayMs: 1500 });
    expect(await providerError(impatient.submit(request()))).toMatchObject({ retryable: true, message: "Kie.ai did not answer within 100 ms" });
    const taskId = await submitted(impatient);
    await kie.settled(taskId);
    kie.faults.inject("download", { delayMs: 1500 });
    expect(await providerError(impatient.check(taskId))).toMatchObject({ retryable: true });
    expect((await impatient.check(taskId)).kind).toBe("succeeded");
  });

  it("the engine's own abort is passed through, not turned into a provider failure", async () => {
    kie.faults.inject("createTask", { delayMs: 1500 });
    const controller = new AbortController();
    const pending = provider.submit(request(), controller.signal);
    setTimeout(() => controller.abort(new Error("worker stopping")), 20);
    await expect(pending).rejects.toThrow("worker stopping");
  });

  it("a lost callback: polling recordInfo still finishes the task", async () => {
    kie.planNextTask({ callback: "lost" });
    const before = receiver.deliveries.length;
    const taskId = await submitted();
    expect((await pollUntilDone(provider, taskId)).kind).toBe("succeeded");
    await kie.settled(taskId);
    expect(receiver.deliveries.length).toBe(before);
  });

  it("a duplicated callback names the same task twice and checking it again gives the same image", async () => {
    kie.planNextTask({ callback: "duplicate" });
    const before = receiver.deliveries.length;
    const taskId = await submitted();
    await kie.settled(taskId);
    expect(receiver.deliveries.slice(before)).toEqual([
      { taskId, status: 200 },
      { taskId, status: 200 },
    ]);
    const [first, second] = [await provider.check(taskId), await provider.check(taskId)];
    expect(first.kind === "succeeded" && second.kind === "succeeded" && first.image.equals(second.image)).toBe(true);
  });

  it("an output that has expired on Kie's file server means rendering again", async () => {
    const taskId = await submitted();
    await kie.settled(taskId);
    kie.faults.inject("download", { status: 404 });
    expect(await provider.check(taskId)).toMatchObject({ kind: "failed", retryable: true });
  });

  it("forged callbacks are refused: a wrong signature, a stale timestamp, no signature, a body that is not JSON", async () => {
    const taskId = await submitted();
    const body = JSON.stringify({ code: 200, msg: "ok", data: { taskId, state: "success", resultJson: JSON.stringify({ resultUrls: ["https://evil.example/x.jpg"] }) } });
    const post = async (headers: Record<string, string>, payload = body) =>
      (await fetch(receiver.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: payload })).status;
    const now = Math.floor(clock.now().getTime() / 1000);
    expect(await post(kie.signedHeaders(taskId, now, "not-the-key"))).toBe(401);
    expect(await post(kie.signedHeaders(taskId, now - 6 * 60))).toBe(401);
    expect(await post({})).toBe(401);
    expect(await post(kie.signedHeaders(taskId, now), "not json")).toBe(400);
    expect(await post(kie.signedHeaders(taskId, now))).toBe(200);
    await kie.settled(taskId);
  });

  it("a callback's content is never believed: a forged success for a pending task changes nothing, an unknown task is just unknown", async () => {
    // Kie signs callbacks only when its HMAC key is enabled; without one, check() is the only truth.
    const slow = await startFakeKie({ apiKey, stepMs: 60_000, clock });
    try {
      const unsigned = createKieProvider({ apiKey, baseUrl: slow.url, timeoutMs: 2000, clock });
      const taskId = await submitted(unsigned);
      const forged = Buffer.from(JSON.stringify({ code: 200, data: { taskId, state: "success", resultJson: JSON.stringify({ resultUrls: [`${slow.url}/x.jpg`] }) } }));
      expect(unsigned.verifyCallback!({}, forged)).toEqual({ taskId });
      expect(await unsigned.check(taskId)).toEqual({ kind: "pending" });
      expect(await unsigned.check("task_nobody_knows")).toMatchObject({ kind: "failed", retryable: true, reason: expect.stringContaining("does not know this task") });
    } finally {
      await slow.close();
    }
  });
});
