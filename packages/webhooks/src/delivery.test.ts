import { manualClock } from "@pinglass/core";
import { avatars, generatedPhotos, generationJobs, payments, users, webhookDeliveries, type WebhookEventType } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { asc } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deliverDueWebhooks, maxWebhookAttempts, webhookRetryDelaysMs } from "./delivery.ts";
import { createEndpoint, deleteEndpoint } from "./endpoints.ts";
import { webhookHooks } from "./events.ts";
import { startWebhookReceiver } from "./testing.ts";

let testDb: TestDb;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const clock = manualClock();
const hooks = webhookHooks(clock);
const allowed = { allowPrivateAddresses: true };

beforeAll(async () => {
  testDb = await createTestDb();
  // The receiver checks each signature's timestamp against the test's clock, as a receiver would against its own.
  receiver = await startWebhookReceiver({ clock });
});
afterAll(async () => {
  await receiver.close();
  await testDb.close();
});
beforeEach(async () => {
  await testDb.reset();
  receiver.received.length = 0;
  clock.set(new Date("2026-03-01T10:00:00Z"));
});

/** The delivery loop's dependencies; a receiver that never answers fails the attempt after `timeoutMs`. */
const delivery = (policy = allowed) => ({ db: testDb.db, clock, policy, timeoutMs: 3_000 });

/** A user with an avatar and a job of two photos, and an endpoint of the user's on the receiver. */
async function developer(events: WebhookEventType[] = ["job.completed", "job.failed", "photo.created", "payment.succeeded", "payment.refunded"]) {
  const db = testDb.db;
  const [user] = await db.insert(users).values({ deviceId: crypto.randomUUID() }).returning();
  const endpoint = await createEndpoint(db, allowed, user!.id, { url: receiver.url(), events }, clock.now());
  receiver.useSecret(endpoint.secret);
  return { user: user!, endpoint };
}

async function jobOf(userId: number, status: "completed" | "failed" = "completed") {
  const db = testDb.db;
  const [avatar] = await db.insert(avatars).values({ userId, name: "Лето", status: "ready" }).returning();
  const [job] = await db.insert(generationJobs).values({ avatarId: avatar!.id, styleId: "business", status, totalPhotos: 2, completedPhotos: 2, updatedAt: clock.now() }).returning();
  return job!;
}

const rows = () => testDb.db.select().from(webhookDeliveries).orderBy(asc(webhookDeliveries.id));
const bodyOf = (index: number) => JSON.parse(receiver.received[index]!.body) as { type: string; timestamp: string; data: Record<string, unknown> };
const bodies = () => receiver.received.map((_, index) => bodyOf(index));

describe("webhook delivery", () => {
  it("POSTs the event signed as Standard Webhooks, which the receiver's library verifies", async () => {
    const { user, endpoint } = await developer();
    const job = await jobOf(user.id);
    await hooks.jobFinished(testDb.db, job);
    expect(await deliverDueWebhooks(delivery())).toBe(1);

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request).toMatchObject({ path: "/hooks/pinglass", verified: true, answer: 204 });
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers["webhook-id"]).toMatch(/^msg_[\w-]{22}$/);
    expect(request!.headers["webhook-timestamp"]).toBe(String(clock.now().getTime() / 1000));
    expect(request!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(bodyOf(0)).toEqual({
      type: "job.completed",
      timestamp: clock.now().toISOString(),
      data: { jobId: job.id, avatarId: job.avatarId, styleId: "business", status: "completed", totalPhotos: 2, completedPhotos: 2, paymentId: null },
    });
    expect(await rows()).toMatchObject([{ endpointId: endpoint.id, status: "delivered", attempts: 1, lastStatusCode: 204, lastError: null, leaseExpiresAt: null }]);
    expect(await deliverDueWebhooks(delivery())).toBe(0);
  });

  it("is refused by the receiver's library when signed with another secret", async () => {
    const { user } = await developer();
    await hooks.jobFinished(testDb.db, await jobOf(user.id));
    receiver.useSecret(`whsec_${Buffer.alloc(32, 7).toString("base64")}`);
    await deliverDueWebhooks(delivery());
    expect(receiver.received[0]).toMatchObject({ verified: false, verifyError: "No matching signature found", answer: 400 });
    expect(await rows()).toMatchObject([{ status: "pending", lastStatusCode: 400 }]);
  });

  it("retries failures and timeouts on the schedule (5 s, 30 s, 5 min…), re-signed each time with the same webhook-id", async () => {
    const { user } = await developer();
    await hooks.jobFinished(testDb.db, await jobOf(user.id));
    receiver.answerNext(500, "none", 503);

    await deliverDueWebhooks(delivery());
    expect(await rows()).toMatchObject([{ status: "pending", attempts: 1, lastStatusCode: 500, lastError: null, availableAt: new Date(clock.now().getTime() + 5_000) }]);
    clock.advance(4_999);
    expect(await deliverDueWebhooks(delivery())).toBe(0);
    clock.advance(1);
    await deliverDueWebhooks(delivery());
    const [timedOut] = await rows();
    expect(timedOut).toMatchObject({ status: "pending", attempts: 2, lastStatusCode: null, availableAt: new Date(clock.now().getTime() + 30_000) });
    expect(timedOut!.lastError).toContain("no answer within 3 s");
    clock.advance(30_000);
    await deliverDueWebhooks(delivery());
    expect(await rows()).toMatchObject([{ attempts: 3, lastStatusCode: 503, availableAt: new Date(clock.now().getTime() + 5 * 60_000) }]);
    clock.advance(5 * 60_000);
    await deliverDueWebhooks(delivery());
    expect(await rows()).toMatchObject([{ status: "delivered", attempts: 4, lastStatusCode: 204, lastError: null }]);

    expect(receiver.received.map((r) => r.answer)).toEqual([500, "none", 503, 204]);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-timestamp"])).size).toBe(4);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
  });

  it("gives up after the eighth failed attempt, about 21 hours on, and only then sends the next event of the same job", async () => {
    const { user } = await developer();
    const job = await jobOf(user.id);
    await hooks.photosCreated(testDb.db, [{ id: 1, jobId: job.id, avatarId: job.avatarId, styleId: "business", sceneId: "office", createdAt: clock.now() }]);
    await hooks.jobFinished(testDb.db, job);
    receiver.answerNext(...Array<number>(maxWebhookAttempts).fill(500));
    const start = clock.now().getTime();

    for (const delay of [...webhookRetryDelaysMs, 0]) {
      expect(await deliverDueWebhooks(delivery())).toBe(1);
      clock.advance(delay);
    }
    expect(clock.now().getTime() - start).toBe(webhookRetryDelaysMs.reduce((a, b) => a + b));
    const [photo, finished] = await rows();
    expect(photo).toMatchObject({ eventType: "photo.created", status: "failed", attempts: 8, lastStatusCode: 500 });
    // Held back the whole time behind the photo of its job.
    expect(finished).toMatchObject({ eventType: "job.completed", status: "pending", attempts: 0 });
    expect(bodies().map((body) => body.type)).toEqual(Array(8).fill("photo.created"));

    await deliverDueWebhooks(delivery());
    expect(bodyOf(8).type).toBe("job.completed");
    expect(await rows()).toMatchObject([{ status: "failed" }, { status: "delivered" }]);
  });

  it("keeps one job's events in order while another job's go on", async () => {
    const { user } = await developer();
    const [first, second] = [await jobOf(user.id), await jobOf(user.id, "failed")];
    await testDb.db.insert(generatedPhotos).values({ avatarId: first.avatarId, jobId: first.id, imageUrl: "photos/1.jpg" });
    await hooks.photosCreated(testDb.db, [{ id: 1, jobId: first.id, avatarId: first.avatarId, styleId: "business", sceneId: null, createdAt: clock.now() }]);
    await hooks.jobFinished(testDb.db, first);
    await hooks.jobFinished(testDb.db, second);
    receiver.answerNext(500);

    // The first job's photo fails; its job.completed waits, the second job's job.failed goes.
    expect(await deliverDueWebhooks(delivery())).toBe(2);
    expect(bodies().map((body) => body.type).sort()).toEqual(["job.failed", "photo.created"]);
    clock.advance(5_000);
    expect(await deliverDueWebhooks(delivery())).toBe(1);
    clock.advance(5_000);
    expect(await deliverDueWebhooks(delivery())).toBe(1);
    expect(bodies().slice(2)).toMatchObject([{ type: "photo.created" }, { type: "job.completed", data: { jobId: first.id } }]);
  });

  it("delivers each event once when several workers take turns at once", async () => {
    const { user } = await developer();
    for (let i = 0; i < 6; i++) await hooks.jobFinished(testDb.db, await jobOf(user.id));
    const attempted = await Promise.all([1, 2, 3].map(() => deliverDueWebhooks(delivery(), 2)));
    attempted.push(await deliverDueWebhooks(delivery()));
    expect(attempted.reduce((a, b) => a + b)).toBe(6);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(6);
    expect(receiver.received).toHaveLength(6);
  });

  it("checks the address again at every delivery: an endpoint that now leads inside is refused without a request", async () => {
    const { user } = await developer();
    await hooks.jobFinished(testDb.db, await jobOf(user.id));
    await deliverDueWebhooks(delivery({ allowPrivateAddresses: false }));
    expect(receiver.received).toHaveLength(0);
    expect(await rows()).toMatchObject([{ status: "pending", attempts: 1, lastStatusCode: null, lastError: "refused: 127.0.0.1 resolves to an address that is not public" }]);
  });

  it("sends each event only to endpoints of its owner that subscribed to it", async () => {
    const { user } = await developer(["job.failed"]);
    const other = await developer(["job.completed"]);
    await hooks.jobFinished(testDb.db, await jobOf(user.id, "completed"));
    await hooks.jobFinished(testDb.db, await jobOf(user.id, "failed"));
    expect((await rows()).map((r) => r.eventType)).toEqual(["job.failed"]);
    expect((await rows())[0]!.endpointId).not.toBe(other.endpoint.id);
  });

  it("tells of a payment paid and refunded, whole or in part", async () => {
    const { user } = await developer(["payment.succeeded", "payment.refunded"]);
    const [payment] = await testDb.db.insert(payments).values({ userId: user.id, amount: "499.00", status: "succeeded", tierId: "starter", photoCount: 7, orderId: "order-1" }).returning();
    await hooks.paymentChanged(testDb.db, payment!, "succeeded");
    await hooks.paymentChanged(testDb.db, { ...payment!, refundedAmount: "142.57" }, "refunded");
    await deliverDueWebhooks(delivery());
    await deliverDueWebhooks(delivery());
    expect(bodies()).toMatchObject([
      { type: "payment.succeeded", data: { paymentId: payment!.id, status: "succeeded", tierId: "starter", photoCount: 7, amount: "499.00", refundedAmount: "0.00" } },
      { type: "payment.refunded", data: { paymentId: payment!.id, status: "succeeded", refundedAmount: "142.57" } },
    ]);
    expect((await rows()).map((r) => r.orderKey)).toEqual([`payment:${payment!.id}`, `payment:${payment!.id}`]);
  });

  it("queues nothing for a user without endpoints, and an endpoint's deliveries go with it", async () => {
    const [user] = await testDb.db.insert(users).values({ deviceId: crypto.randomUUID() }).returning();
    await hooks.jobFinished(testDb.db, await jobOf(user!.id));
    expect(await rows()).toEqual([]);
    const { user: listener, endpoint } = await developer();
    await hooks.jobFinished(testDb.db, await jobOf(listener.id));
    expect(await rows()).toHaveLength(1);
    await deleteEndpoint(testDb.db, listener.id, endpoint.id);
    expect(await rows()).toEqual([]);
    expect(await deliverDueWebhooks(delivery())).toBe(0);
  });
});
