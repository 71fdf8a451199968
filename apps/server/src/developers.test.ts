import type { AddressInfo } from "node:net";
import type { AppRouter } from "@pinglass/api";
import { createTestApi } from "@pinglass/api/testing";
import { generationJobs, payments, webhookDeliveries } from "@pinglass/db";
import { createGenerationWorker, createLocalRenderer } from "@pinglass/generation";
import { addReferencePhoto } from "@pinglass/media";
import { photoJpeg } from "@pinglass/media/testing";
import { startWebhookReceiver } from "@pinglass/webhooks/testing";
import { createTRPCClient, httpLink } from "@trpc/client";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { developersArea } from "./developers.ts";
import { finishHooks } from "./generation.ts";
import { mediaArea } from "./media.ts";
import { buildLimits } from "./rate-limits.ts";

const logger = pino({ level: "silent" });
const config = loadConfig({ SESSION_SECRET: "x".repeat(32), RATE_LIMIT_API_KEY: "3/60" });
let api: Awaited<ReturnType<typeof createTestApi>>;
let developers: ReturnType<typeof developersArea>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let server: ReturnType<typeof createApp>;
let base: string;

beforeAll(async () => {
  api = await createTestApi({ webhookUrls: { allowPrivateAddresses: true } });
  // As parts.ts wires them: payments tell developer webhooks of their changes.
  developers = developersArea(logger, api.clock);
  api.deps.onPaymentChange = developers.hooks.paymentChanged;
  receiver = await startWebhookReceiver({ clock: api.clock });
  server = createApp({ deps: api.deps, logger, routes: mediaArea(config, logger, api.clock).parts(api.deps).routes });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await receiver.close();
  await api.testDb.close();
});
beforeEach(async () => {
  await api.testDb.reset();
  api.deps.limits = undefined;
  receiver.received.length = 0;
});

/** A typed client of the server, as a developer's program makes one: plain JSON, a bearer token or key. */
const clientWith = (bearer: string, headers: Record<string, string> = {}) =>
  createTRPCClient<AppRouter>({ links: [httpLink({ url: `${base}/trpc`, headers: () => ({ authorization: `Bearer ${bearer}`, ...headers }) })] });

const post = (path: string, bearer: string, input: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${bearer}`, ...headers }, body: JSON.stringify(input) });

/** A user signed in on the web, and a key of theirs with these scopes. */
async function developerWith(scopes: ("read" | "create" | "generate" | "pay")[]) {
  const { token, userId } = await api.signIn();
  const key = await clientWith(token).account.apiKeys.create.mutate({ name: "my program", scopes });
  return { token, userId, key };
}

describe("API keys over HTTP", () => {
  it("call /trpc like a session within their scopes, and get 403 with the reason outside them", async () => {
    const { key, userId } = await developerWith(["read"]);
    expect((await clientWith(key.secret).session.me.query()).user.id).toBe(userId);
    const refused = await post("avatars.create", key.secret, { name: "No" }, { "accept-language": "en" });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: { message: "This API key lacks the “create” scope that avatars.create needs.", data: { code: "FORBIDDEN", messageKey: "errors.apiKey.scope" } },
    });
    const revokedOrMadeUp = await post("avatars.create", `pg_live_${"x".repeat(43)}`, {});
    expect(revokedOrMadeUp.status).toBe(401);
  });

  it("upload selfies with the `create` scope, and are refused them with `read`", async () => {
    const { key: writer, token } = await developerWith(["create"]);
    const avatar = await clientWith(writer.secret).avatars.create.mutate({ name: "Selfies" });
    const upload = (bearer: string) => {
      const form = new FormData();
      form.append("files", new Blob(["not a photo"], { type: "text/plain" }), "notes.txt");
      return fetch(`${base}/uploads/avatars/${avatar.id}/references`, { method: "POST", body: form, headers: { authorization: `Bearer ${bearer}`, "accept-language": "en" } });
    };
    // Past the door: the file itself is what gets refused.
    const accepted = await upload(writer.secret);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ accepted: [], rejected: [{ name: "notes.txt" }] });
    const reader = await clientWith(token).account.apiKeys.create.mutate({ name: "reader", scopes: ["read"] });
    const refused = await upload(reader.secret);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: { code: "FORBIDDEN", messageKey: "errors.apiKey.scope", message: "This API key lacks the “create” scope that uploads needs." } });
  });

  it("have each their own rate limit: 429 with Retry-After for one key while another of the same user goes on", async () => {
    api.deps.limits = buildLimits(config.limits, api.testDb.handle);
    const { key, token } = await developerWith(["read"]);
    const other = await clientWith(token).account.apiKeys.create.mutate({ name: "other", scopes: ["read"] });
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/trpc/avatars.list`, { headers: { authorization: `Bearer ${key.secret}` } })).status).toBe(200);
    const limited = await fetch(`${base}/trpc/avatars.list`, { headers: { authorization: `Bearer ${key.secret}`, "accept-language": "en" } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${base}/trpc/avatars.list`, { headers: { authorization: `Bearer ${other.secret}` } })).status).toBe(200);
    // The app's own session is not counted against its keys.
    expect((await fetch(`${base}/trpc/avatars.list`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});

describe("idempotency over HTTP", () => {
  it("replays the first answer and says so (Idempotent-Replayed), with the key in the input or in the Idempotency-Key header", async () => {
    const { key } = await developerWith(["create"]);
    const first = await post("avatars.create", key.secret, { name: "Once", idempotencyKey: "create-once" });
    const again = await post("avatars.create", key.secret, { name: "Once", idempotencyKey: "create-once" });
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    const byHeader = () => post("avatars.create", key.secret, { name: "Header" }, { "idempotency-key": "header-once" });
    const [a, b] = [await byHeader(), await byHeader()];
    expect(await b.json()).toEqual(await a.json());
    const conflict = await post("avatars.create", key.secret, { name: "Other" }, { "idempotency-key": "header-once", "accept-language": "en" });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ error: { data: { messageKey: "errors.idempotency.mismatch" } } });
  });
});

describe("webhooks, from the domains to a developer's receiver", () => {
  it("tell of the payment, each photo and the finished photoset, in order, each signed and verified", async () => {
    const { key, userId } = await developerWith(["read", "create", "generate", "pay"]);
    const program = clientWith(key.secret);
    const endpoint = await program.account.webhooks.create.mutate({ url: receiver.url(), events: ["payment.succeeded", "photo.created", "job.completed", "job.failed"] });
    receiver.useSecret(endpoint.secret);
    const avatar = await program.avatars.create.mutate({ name: "Анна" });
    for (let i = 0; i < 6; i++) await addReferencePhoto(api.deps.db, api.deps.media, userId, avatar.id, await photoJpeg(640 + i * 8, 800));

    // Paid at the (local test) bank: the photoset starts by itself and payment.succeeded is queued with it.
    const created = await program.payments.create.mutate({ tierId: "starter", email: "ann@example.com", avatarId: avatar.id, styleId: "professional" });
    const payment = (await api.testDb.db.select().from(payments)).find((p) => p.id === created.paymentId);
    await api.localBank.complete(payment!.tbankPaymentId!, "pay");
    const job = (await api.testDb.db.select().from(generationJobs)).find((j) => j.paymentId === created.paymentId);

    // A worker with the hooks the generation area gives it, and the server's delivery loop.
    const webhooks = developers.hooks;
    const worker = createGenerationWorker({
      db: api.deps.db,
      clock: api.clock,
      storage: api.deps.media.storage,
      provider: createLocalRenderer(api.deps.media.storage),
      callbackUrl: `${base}/webhooks/local`,
      hooks: [...finishHooks, webhooks.jobFinished],
      photoHooks: [webhooks.photosCreated],
    });
    await worker.tick(new AbortController().signal);
    const [deliver] = developers.parts(api.deps).loops;
    await deliver!.tick(new AbortController().signal);

    const events = receiver.received.map((r) => ({ verified: r.verified, ...(JSON.parse(r.body) as { type: string; data: Record<string, unknown> }) }));
    expect(events.every((e) => e.verified)).toBe(true);
    // The payment's event and the job's go side by side; the job's own, one after another.
    const [paid] = events.filter((e) => e.type === "payment.succeeded");
    expect(paid!.data).toMatchObject({ paymentId: created.paymentId, status: "succeeded", tierId: "starter" });
    const ofJob = events.filter((e) => e.type !== "payment.succeeded");
    expect(ofJob.map((e) => e.type)).toEqual([...Array<string>(7).fill("photo.created"), "job.completed"]);
    expect(ofJob.at(-1)!.data).toMatchObject({ jobId: job!.id, avatarId: avatar.id, status: "completed", completedPhotos: 7, totalPhotos: 7 });
    expect(new Set(ofJob.slice(0, 7).map((e) => e.data.photoId)).size).toBe(7);

    const deliveries = await program.account.webhooks.deliveries.query({ webhookId: endpoint.id });
    expect(deliveries.items).toHaveLength(9);
    expect(deliveries.items.every((d) => d.status === "delivered" && d.lastStatusCode === 204 && d.attempts === 1)).toBe(true);
    const rows = await api.testDb.db.select().from(webhookDeliveries);
    expect(rows.map((r) => r.messageId).sort()).toEqual(receiver.received.map((r) => r.headers["webhook-id"]).sort());
  });
});
