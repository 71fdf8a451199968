import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { manualClock } from "@pinglass/core";
import { avatars, generatedPhotos, generationJobs, telegramDeliveries, users } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBotApi } from "./bot-api.ts";
import { deliverDuePhotos, deliveryLeaseMs, type DeliveryDeps, galleryUrl, maxDeliveryAttempts, type PhotoSource, scheduleDeliveryForJob } from "./delivery.ts";
import { startFakeBotApi } from "./testing.ts";

const token = "7000000001:AAF-delivery-test";
const chatId = 5550001n;
let testDb: TestDb;
let fake: Awaited<ReturnType<typeof startFakeBotApi>>;
let mediaRoot: string;

/** Photo files on disk, read the way media storage reads them: by key, as a stream. */
const photoFiles: PhotoSource = {
  async get(key) {
    const path = join(mediaRoot, key);
    return existsSync(path) ? { body: createReadStream(path), contentType: "image/jpeg" } : null;
  },
};

beforeAll(async () => {
  testDb = await createTestDb();
  fake = await startFakeBotApi({ token });
  mediaRoot = mkdtempSync(join(tmpdir(), "pinglass-delivery-"));
});
afterAll(async () => {
  await fake.close();
  await testDb.close();
  rmSync(mediaRoot, { recursive: true, force: true });
});
beforeEach(async () => {
  await testDb.reset();
  fake.calls.length = 0;
});

/** A finished job of `photoCount` photos whose owner has the given Telegram id; rows inserted directly. */
async function finishedJob(photoCount: number, telegramUserId: bigint | null = chatId, languageCode = "ru") {
  const db = testDb.db;
  const [user] = await db.insert(users).values({ deviceId: crypto.randomUUID(), telegramUserId, languageCode }).returning();
  const [avatar] = await db.insert(avatars).values({ userId: user!.id, name: "Лето", status: "ready" }).returning();
  const [job] = await db.insert(generationJobs).values({ avatarId: avatar!.id, styleId: "summer", status: "completed", totalPhotos: photoCount, completedPhotos: photoCount }).returning();
  for (let i = 0; i < photoCount; i++) {
    const key = `photos/${job!.id}/${i}.jpg`;
    mkdirSync(dirname(join(mediaRoot, key)), { recursive: true });
    writeFileSync(join(mediaRoot, key), `job ${job!.id} photo ${i}`);
    await db.insert(generatedPhotos).values({ avatarId: avatar!.id, jobId: job!.id, styleId: "summer", imageUrl: key });
  }
  return { user: user!, avatar: avatar!, job: job! };
}

function deps(clock = manualClock(new Date(Date.now() + 60_000))): DeliveryDeps & { clock: ReturnType<typeof manualClock> } {
  return { db: testDb.db, clock, bot: createBotApi({ token, apiUrl: fake.url }), photos: photoFiles, publicUrl: "https://pinglass.test" };
}

const delivery = async (jobId: number) => (await testDb.db.select().from(telegramDeliveries).where(eq(telegramDeliveries.jobId, jobId)))[0];
/** Every photo the chat received, in order, as the bytes we stored. */
const photosReceived = () => fake.accepted().flatMap((c) => c.files.map((f) => f.bytes.toString()));
const expectEachPhotoOnce = (jobId: number, count: number) =>
  expect(photosReceived()).toEqual(Array.from({ length: count }, (_, i) => `job ${jobId} photo ${i}`));

describe("galleryUrl", () => {
  it("is the web app's gallery route of the avatar under PUBLIC_URL", () => {
    expect(galleryUrl("https://pinglass.test", 7)).toBe("https://pinglass.test/avatars/7");
    expect(galleryUrl("https://pinglass.test/", 7)).toBe("https://pinglass.test/avatars/7");
  });
});

describe("scheduleDeliveryForJob", () => {
  it("queues one delivery inside the finishing transaction when the owner has Telegram and the job made photos", async () => {
    const { job } = await finishedJob(3);
    await testDb.db.transaction(async (tx) => {
      await scheduleDeliveryForJob(tx, job);
      await scheduleDeliveryForJob(tx, job);
    });
    expect(await testDb.db.select().from(telegramDeliveries)).toMatchObject([{ jobId: job.id, chatId, status: "pending", sentPhotos: 0 }]);
  });

  it("queues nothing for a web-only owner or a job without photos", async () => {
    const webOnly = await finishedJob(2, null);
    const empty = await finishedJob(0, 777n);
    await testDb.db.transaction(async (tx) => {
      await scheduleDeliveryForJob(tx, webOnly.job);
      await scheduleDeliveryForJob(tx, empty.job);
    });
    expect(await testDb.db.select().from(telegramDeliveries)).toEqual([]);
  });

  it("queues a job that ends again (an operator had its failed photos made again) once more: only the new photos go", async () => {
    const { job, avatar } = await finishedJob(3);
    await testDb.db.transaction((tx) => scheduleDeliveryForJob(tx, job));
    expect(await deliverDuePhotos(deps())).toBe(1);
    expect(await delivery(job.id)).toMatchObject({ status: "sent", sentPhotos: 3 });
    for (const i of [3, 4]) {
      const key = `photos/${job.id}/${i}.jpg`;
      writeFileSync(join(mediaRoot, key), `job ${job.id} photo ${i}`);
      await testDb.db.insert(generatedPhotos).values({ avatarId: avatar.id, jobId: job.id, styleId: "summer", imageUrl: key });
    }
    await testDb.db.transaction((tx) => scheduleDeliveryForJob(tx, job));
    expect(await delivery(job.id)).toMatchObject({ status: "pending", sentPhotos: 3, attempts: 0 });
    expect(await deliverDuePhotos(deps())).toBe(1);
    expect(await delivery(job.id)).toMatchObject({ status: "sent", sentPhotos: 5 });
    expectEachPhotoOnce(job.id, 5);
    expect(fake.accepted().filter((c) => c.method === "sendMessage")).toHaveLength(2);
  });
});

describe("delivering photos", () => {
  it("sends 23 photos as albums of at most 10, then a message with a button to the avatar's gallery, each photo exactly once", async () => {
    const { job, avatar } = await finishedJob(23);
    await testDb.db.transaction((tx) => scheduleDeliveryForJob(tx, job));
    const d = deps();
    expect(await deliverDuePhotos(d)).toBe(1);
    const albums = fake.accepted().filter((c) => c.method === "sendMediaGroup");
    expect(albums.map((c) => c.files.length)).toEqual([10, 10, 3]);
    expect(fake.accepted().every((c) => c.params.chat_id === String(chatId))).toBe(true);
    expectEachPhotoOnce(job.id, 23);
    const last = fake.accepted().at(-1)!;
    expect(last.method).toBe("sendMessage");
    expect(last.params).toMatchObject({ text: expect.stringContaining("23"), reply_markup: { inline_keyboard: [[{ text: "Открыть галерею", web_app: { url: `https://pinglass.test/avatars/${avatar.id}` } }]] } });
    expect(await delivery(job.id)).toMatchObject({ status: "sent", sentPhotos: 23, leaseExpiresAt: null });
    expect(await deliverDuePhotos(d)).toBe(0);
  });

  it("waits as long as a 429 says, resumes after a 5xx where it stopped, and never sends a photo twice", async () => {
    const { job } = await finishedJob(21, chatId, "en");
    await testDb.db.transaction((tx) => scheduleDeliveryForJob(tx, job));
    const d = deps();

    fake.failNext("sendMediaGroup", { kind: "rateLimit", retryAfter: 30 });
    await deliverDuePhotos(d);
    expect(await delivery(job.id)).toMatchObject({ status: "pending", sentPhotos: 0, attempts: 0 });
    expect(fake.accepted()).toEqual([]);
    d.clock.advance(29_000);
    expect(await deliverDuePhotos(d)).toBe(0);

    d.clock.advance(1_000);
    // The first album goes through, the second meets a 502.
    fake.failNext("sendMediaGroup", { kind: "error", status: 502 }, { passes: 1 });
    await deliverDuePhotos(d);
    expect(await delivery(job.id)).toMatchObject({ status: "pending", sentPhotos: 10, attempts: 1 });

    d.clock.advance(5_000);
    await deliverDuePhotos(d);
    expect(await delivery(job.id)).toMatchObject({ status: "sent", sentPhotos: 21 });
    expect(fake.accepted().filter((c) => c.method === "sendMediaGroup").map((c) => c.files.length)).toEqual([10, 9, 2]);
    expectEachPhotoOnce(job.id, 21);
    expect(fake.accepted().at(-1)!.params).toMatchObject({ text: "Your photos are ready: 21. The whole gallery is in the app." });
  });

  it("leaves a delivery alone while another worker's lease holds, then resumes after the last accepted album", async () => {
    const { job } = await finishedJob(13);
    const d = deps();
    // A worker sent the first album (10 photos), wrote sent_photos, and died holding the lease.
    await testDb.db.insert(telegramDeliveries).values({ jobId: job.id, chatId, sentPhotos: 10, leaseExpiresAt: new Date(d.clock.now().getTime() + deliveryLeaseMs) });
    expect(await deliverDuePhotos(d)).toBe(0);
    d.clock.advance(deliveryLeaseMs);
    expect(await deliverDuePhotos(d)).toBe(1);
    expect(photosReceived()).toEqual([10, 11, 12].map((i) => `job ${job.id} photo ${i}`));
    expect(await delivery(job.id)).toMatchObject({ status: "sent", sentPhotos: 13 });
  });

  it("gives up after a few transient failures, and at once when Telegram refuses for good", async () => {
    const flaky = await finishedJob(4, chatId);
    const blocked = await finishedJob(4, 999n);
    await testDb.db.transaction(async (tx) => {
      await scheduleDeliveryForJob(tx, flaky.job);
      await scheduleDeliveryForJob(tx, blocked.job);
    });
    const d = deps();
    fake.failNext("sendMediaGroup", { kind: "error", status: 403, description: "Forbidden: bot was blocked by the user" });
    const transient = [{ kind: "error", status: 500 }, { kind: "drop" }, { kind: "error", status: 503 }, { kind: "drop" }, { kind: "error", status: 502 }] as const;
    expect(transient).toHaveLength(maxDeliveryAttempts);
    for (const failure of transient) fake.failNext("sendMediaGroup", failure);
    for (let i = 0; i < maxDeliveryAttempts + 2; i++) {
      await deliverDuePhotos(d);
      d.clock.advance(60 * 60_000);
    }
    const states = await testDb.db.select().from(telegramDeliveries).orderBy(telegramDeliveries.attempts);
    expect(states.map((s) => [s.status, s.attempts])).toEqual([
      ["failed", 1],
      ["failed", maxDeliveryAttempts],
    ]);
    expect(states[0]!.errorMessage).toContain("blocked");
    expect(fake.accepted()).toEqual([]);
  });

  it("sends nothing when the job's owner is no longer linked to the chat, and never a provider's URL", async () => {
    const unlinked = await finishedJob(2, chatId);
    await testDb.db.transaction((tx) => scheduleDeliveryForJob(tx, unlinked.job));
    await testDb.db.update(users).set({ telegramUserId: null }).where(eq(users.id, unlinked.user.id));
    const d = deps();
    await deliverDuePhotos(d);
    expect(await delivery(unlinked.job.id)).toMatchObject({ status: "failed" });

    const mixed = await finishedJob(3, 31337n);
    await testDb.db.update(generatedPhotos).set({ imageUrl: "https://provider.example/result/abc.jpg" }).where(eq(generatedPhotos.imageUrl, `photos/${mixed.job.id}/1.jpg`));
    await testDb.db.transaction((tx) => scheduleDeliveryForJob(tx, mixed.job));
    await deliverDuePhotos(d);
    expect(photosReceived()).toEqual([`job ${mixed.job.id} photo 0`, `job ${mixed.job.id} photo 2`]);
    expect(fake.accepted().every((c) => c.params.chat_id === "31337")).toBe(true);
  });

  it("two workers at once deliver each photo once", async () => {
    const first = await finishedJob(12, 111n);
    const second = await finishedJob(12, 222n);
    await testDb.db.transaction(async (tx) => {
      await scheduleDeliveryForJob(tx, first.job);
      await scheduleDeliveryForJob(tx, second.job);
    });
    const clock = manualClock(new Date(Date.now() + 60_000));
    const worked = await Promise.all([deliverDuePhotos(deps(clock)), deliverDuePhotos(deps(clock))]);
    expect(worked.reduce((a, b) => a + b)).toBe(2);
    const received = photosReceived();
    expect(received).toHaveLength(24);
    expect(new Set(received).size).toBe(24);
  });
});
