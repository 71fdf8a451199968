import { manualClock } from "@pinglass/core";
import { avatars, generatedPhotos, generationJobs, generationSlots } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { asc, eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestMedia } from "@pinglass/media/testing";
import { rm } from "node:fs/promises";
import { avatarWithSelfies, drain, paidPhotoset } from "../test/fixtures.ts";
import { type ImageProvider, type ImageRequest, type ProviderOutcome, ProviderError, type SubmitResult } from "./providers/types.ts";
import { scenesOf } from "./scenes.ts";
import { claimSlots, finishSlots, type JobFinishHook } from "./slots.ts";
import { startJob } from "./start.ts";
import { createGenerationWorker, type WorkerOptions } from "./worker.ts";

let testDb: TestDb;
let media: ReturnType<typeof createTestMedia>;
let clock: ReturnType<typeof manualClock>;
let png: Buffer;

beforeAll(async () => {
  testDb = await createTestDb();
  clock = manualClock(new Date("2026-11-25T12:00:00Z"));
  media = createTestMedia(clock);
  png = await sharp({ create: { width: 400, height: 500, channels: 3, background: "#7a5" } }).png().toBuffer();
});
afterAll(async () => {
  await testDb.close();
  await rm(media.root, { recursive: true, force: true });
});
beforeEach(async () => {
  await testDb.reset();
  clock.set(new Date("2026-11-25T12:00:00Z"));
});

/**
 * A stand-in for a remote image service (an external system), scripted per call: it answers
 * submit() and check() with whatever the test says, and counts what is in flight.
 */
function scriptedProvider(script: { submit: (request: ImageRequest, call: number) => Promise<SubmitResult>; check?: (taskId: string) => Promise<ProviderOutcome> }, maxConcurrency = 8) {
  const calls = { submit: 0, check: 0, inFlight: 0, maxInFlight: 0 };
  const track = async <T>(work: () => Promise<T>) => {
    calls.inFlight++;
    calls.maxInFlight = Math.max(calls.maxInFlight, calls.inFlight);
    try {
      return await work();
    } finally {
      calls.inFlight--;
    }
  };
  const provider: ImageProvider = {
    name: "replicate",
    maxConcurrency,
    submit: (request) => track(() => script.submit(request, ++calls.submit)),
    check: (taskId) => track(() => (calls.check++, script.check ? script.check(taskId) : Promise.reject(new Error("no check scripted")))),
  };
  return { provider, calls };
}

/**
 * Holds each call until `size` calls wait together (then lets them all go), or until a short grace
 * passes when fewer will ever come: so the peak in flight shows the caps, however slow the database.
 */
const waiting: (() => void)[] = [];
function gathered(size: number): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length >= size) waiting.splice(0).forEach((release) => release());
    else
      setTimeout(() => {
        if (waiting.includes(resolve)) waiting.splice(waiting.indexOf(resolve), 1);
        resolve();
      }, 300);
  });
}

const hooksSeen: { jobId: number; status: string | null }[] = [];
const recordFinish: JobFinishHook = async (_tx, job) => void hooksSeen.push({ jobId: job.id, status: job.status });

function workerWith(provider: ImageProvider, options: Partial<WorkerOptions> = {}) {
  return createGenerationWorker(
    { db: testDb.db, clock, storage: media.storage, provider, callbackUrl: "http://127.0.0.1:1/webhooks/replicate", hooks: [recordFinish] },
    { maxAttempts: 4, pollMs: 20_000, ...options },
  );
}

async function newJob(photoCount: number) {
  const owner = await avatarWithSelfies(testDb.db, media);
  await paidPhotoset(testDb.db, owner.userId, photoCount);
  const job = await startJob(testDb.db, clock, { ...owner, styleId: "pinglass" });
  return { ...owner, job };
}

const slotsOf = (jobId: number) => testDb.db.select().from(generationSlots).where(eq(generationSlots.jobId, jobId)).orderBy(asc(generationSlots.position));
const jobRow = async (jobId: number) => (await testDb.db.select().from(generationJobs).where(eq(generationJobs.id, jobId)))[0]!;
const photoCount = async (jobId: number) => (await testDb.db.select().from(generatedPhotos).where(eq(generatedPhotos.jobId, jobId))).length;
const succeeded = async (): Promise<SubmitResult> => ({ kind: "succeeded", image: png, contentType: "image/png" });

describe("retries", () => {
  it("waits as long as a 429 asks, backs off exponentially after a 5xx, then succeeds", async () => {
    const { job } = await newJob(1);
    const { provider, calls } = scriptedProvider({
      submit: async (_r, call) => {
        if (call === 1) throw new ProviderError("429 Too Many Requests", true, 30_000);
        if (call === 2) throw new ProviderError("503 Service Unavailable", true);
        return succeeded();
      },
    });
    const worker = workerWith(provider);
    await drain(worker);
    let [slot] = await slotsOf(job.id);
    expect(slot).toMatchObject({ status: "pending", attempts: 1, errorMessage: "429 Too Many Requests" });
    expect(slot!.availableAt.getTime() - clock.now().getTime()).toBe(30_000);

    clock.advance(29_999);
    await drain(worker);
    expect(calls.submit).toBe(1);
    clock.advance(1);
    await drain(worker);
    [slot] = await slotsOf(job.id);
    // Second attempt failed: the queue's backoff, 5 s · 4^(2-1).
    expect(slot).toMatchObject({ status: "pending", attempts: 2 });
    expect(slot!.availableAt.getTime() - clock.now().getTime()).toBe(20_000);

    clock.advance(20_000);
    await drain(worker);
    expect(await jobRow(job.id)).toMatchObject({ status: "completed", completedPhotos: 1 });
    expect(calls.submit).toBe(3);
  });

  it("fails a slot for good after the last attempt with a readable reason; the job ends failed, the avatar keeps what was made", async () => {
    const { job, avatarId } = await newJob(2);
    const failingScene = scenesOf("pinglass")[1]!.id;
    const { provider } = scriptedProvider({
      submit: async (request) => {
        if (request.scene?.sceneId === failingScene) throw new ProviderError("502 Bad Gateway", true);
        return succeeded();
      },
    });
    const worker = workerWith(provider);
    hooksSeen.length = 0;
    for (let i = 0; i < 4; i++) {
      await drain(worker);
      // At least the longest backoff on the way (80 s, after the third attempt).
      clock.advance(80_000);
    }
    const slots = await slotsOf(job.id);
    expect(slots.map((s) => s.status)).toEqual(["succeeded", "failed"]);
    expect(slots[1]).toMatchObject({ attempts: 4, errorMessage: "Сервис генерации не ответил после 4 попыток." });
    expect(await jobRow(job.id)).toMatchObject({ status: "failed", completedPhotos: 1, errorMessage: "Не удалось сделать 1 из 2 фото. Деньги за них вернутся." });
    expect(await photoCount(job.id)).toBe(1);
    const [avatar] = await testDb.db.select().from(avatars).where(eq(avatars.id, avatarId));
    expect(avatar!.status).toBe("ready");
    expect(hooksSeen).toEqual([{ jobId: job.id, status: "failed" }]);
  });

  it("does not retry a refusal; with nothing made the avatar goes back to draft", async () => {
    const { job, avatarId } = await newJob(2);
    const { provider, calls } = scriptedProvider({ submit: () => Promise.reject(new ProviderError("prompt rejected by the safety filter", false)) });
    await drain(workerWith(provider));
    expect(calls.submit).toBe(2);
    const slots = await slotsOf(job.id);
    expect(slots.every((s) => s.status === "failed" && s.errorMessage === "Сервис генерации не смог сделать это фото: prompt rejected by the safety filter")).toBe(true);
    expect(await jobRow(job.id)).toMatchObject({ status: "failed", completedPhotos: 0 });
    const [avatar] = await testDb.db.select().from(avatars).where(eq(avatars.id, avatarId));
    expect(avatar).toMatchObject({ status: "draft", thumbnailUrl: null });
  });
});

describe("remote tasks", () => {
  it("stores the task, finishes on the callback, and polls a task whose callback never came", async () => {
    const { job } = await newJob(2);
    const ready = new Set<string>();
    const { provider, calls } = scriptedProvider({
      submit: async (request) => ({ kind: "submitted", taskId: `task-${request.scene!.sceneId}` }),
      check: async (taskId) => (ready.has(taskId) ? { kind: "succeeded", image: png, contentType: "image/png" } : { kind: "pending" }),
    });
    const worker = workerWith(provider);
    await drain(worker);
    const waiting = await slotsOf(job.id);
    expect(waiting.map((s) => [s.status, s.providerTaskId, s.leaseExpiresAt])).toEqual([
      ["running", `task-${scenesOf("pinglass")[0]!.id}`, null],
      ["running", `task-${scenesOf("pinglass")[1]!.id}`, null],
    ]);

    // The callback of the first: checked at once, photo stored.
    ready.add(`task-${scenesOf("pinglass")[0]!.id}`);
    expect(await worker.completeTask("replicate", `task-${scenesOf("pinglass")[0]!.id}`)).toBe("handled");
    expect(await photoCount(job.id)).toBe(1);
    // A repeated (or forged) callback for a task that is not waiting changes nothing.
    expect(await worker.completeTask("replicate", `task-${scenesOf("pinglass")[0]!.id}`)).toBe("not-waiting");
    expect(await worker.completeTask("replicate", "task-unknown")).toBe("not-waiting");

    // The second one's callback is lost: the poll finds it when its time comes, not before.
    ready.add(`task-${scenesOf("pinglass")[1]!.id}`);
    await drain(worker);
    expect(calls.check).toBe(1);
    clock.advance(20_000);
    await drain(worker);
    expect(await jobRow(job.id)).toMatchObject({ status: "completed", completedPhotos: 2 });
    expect(calls.submit).toBe(2);
  });
});

describe("remote tasks that go wrong", () => {
  it("renders again when the provider says a render failed, instead of polling the dead task", async () => {
    const { job } = await newJob(1);
    const checked: string[] = [];
    const { provider, calls } = scriptedProvider({
      submit: async (_r, call) => ({ kind: "submitted", taskId: `task-${call}` }),
      check: async (taskId) => {
        checked.push(taskId);
        return taskId === "task-1" ? { kind: "failed", retryable: true, reason: "output expired" } : { kind: "succeeded", image: png, contentType: "image/png" };
      },
    });
    const worker = workerWith(provider);
    await drain(worker);
    clock.advance(20_000);
    await drain(worker);
    let [slot] = await slotsOf(job.id);
    expect(slot).toMatchObject({ status: "pending", providerTaskId: null, attempts: 1, errorMessage: "output expired" });

    clock.advance(5000);
    await drain(worker);
    [slot] = await slotsOf(job.id);
    expect(slot).toMatchObject({ status: "running", providerTaskId: "task-2", attempts: 2 });
    clock.advance(20_000);
    await drain(worker);
    expect(checked).toEqual(["task-1", "task-2"]);
    expect(calls.submit).toBe(2);
    expect(await jobRow(job.id)).toMatchObject({ status: "completed", completedPhotos: 1 });
  });

  it("keeps the task of a submission that outlasts a lease renewal, so it is never submitted (and paid for) twice", async () => {
    const { job } = await newJob(1);
    const { provider, calls } = scriptedProvider({
      submit: () => {
        clock.advance(100);
        return new Promise((resolve) => setTimeout(() => resolve({ kind: "submitted", taskId: "slow-task" }), 400));
      },
      check: async () => ({ kind: "succeeded", image: png, contentType: "image/png" }),
    });
    // Renewals every 100 ms of real time, each to a later lease: the submission spans several of them.
    const worker = workerWith(provider, { leaseMs: 300 });
    await drain(worker);
    const [slot] = await slotsOf(job.id);
    expect(slot).toMatchObject({ status: "running", providerTaskId: "slow-task", attempts: 1, leaseExpiresAt: null, claimToken: null });

    clock.advance(20_000);
    await drain(worker);
    expect(calls.submit).toBe(1);
    expect(await jobRow(job.id)).toMatchObject({ status: "completed", completedPhotos: 1 });
  });

  it("submits a slot again to the configured provider when its task belongs to another one", async () => {
    const { job } = await newJob(1);
    const before = scriptedProvider({ submit: async () => ({ kind: "submitted", taskId: "replicate-task" }) });
    await drain(workerWith(before.provider));
    const after = scriptedProvider({
      submit: async () => ({ kind: "submitted", taskId: "kie-task" }),
      check: async (taskId) => (taskId === "kie-task" ? { kind: "succeeded", image: png, contentType: "image/png" } : { kind: "failed", retryable: false, reason: "unknown task" }),
    });
    const kie = workerWith({ ...after.provider, name: "kie" });
    clock.advance(20_000);
    await drain(kie);
    let [slot] = await slotsOf(job.id);
    expect(slot).toMatchObject({ provider: "kie", providerTaskId: "kie-task", attempts: 2 });
    clock.advance(20_000);
    await drain(kie);
    [slot] = await slotsOf(job.id);
    expect(slot).toMatchObject({ status: "succeeded", provider: "kie" });
    expect(after.calls).toMatchObject({ submit: 1, check: 1 });
  });
});

describe("finishing photos", () => {
  it("writes photos of several jobs in one go: every photo, counter and finished job, and nothing twice", async () => {
    const first = await newJob(3);
    const second = await newJob(2);
    const claimed = await claimSlots(testDb.db, clock.now(), { provider: "replicate", capacity: 10, perJob: 4, providerCap: 10, leaseMs: 60_000 });
    expect(claimed).toHaveLength(5);
    const jobOf = (jobId: number) => (jobId === first.job.id ? first.job : second.job);
    const finished = claimed.map((slot) => ({ slot, job: jobOf(slot.jobId), photo: { imageKey: `photos/t/${slot.id}.jpg`, thumbnailKey: `photos/t/${slot.id}.thumb.webp` } }));
    hooksSeen.length = 0;

    const done = await finishSlots(testDb.db, finished, clock.now(), [recordFinish]);
    expect([...done].sort()).toEqual(claimed.map((s) => s.id).sort());
    expect(await jobRow(first.job.id)).toMatchObject({ status: "completed", completedPhotos: 3 });
    expect(await jobRow(second.job.id)).toMatchObject({ status: "completed", completedPhotos: 2 });
    expect(hooksSeen.map((h) => h.jobId).sort()).toEqual([first.job.id, second.job.id].sort());

    expect((await finishSlots(testDb.db, finished, clock.now(), [recordFinish])).size).toBe(0);
    expect(await photoCount(first.job.id)).toBe(3);
    expect(await photoCount(second.job.id)).toBe(2);
    expect(hooksSeen).toHaveLength(2);
  });

  it("does not let one photo that cannot be written hold back the others landing with it", async () => {
    const broken = await newJob(1);
    const healthy = await newJob(1);
    const failingHook: JobFinishHook = async (_tx, job) => {
      if (job.id === broken.job.id) throw new Error("the outbox is down");
    };
    const { provider } = scriptedProvider({ submit: () => gathered(2).then(succeeded) });
    const worker = createGenerationWorker(
      { db: testDb.db, clock, storage: media.storage, provider, callbackUrl: "http://127.0.0.1:1/webhooks/replicate", hooks: [failingHook] },
    );
    await drain(worker);
    expect(await jobRow(healthy.job.id)).toMatchObject({ status: "completed", completedPhotos: 1 });
    expect(await photoCount(healthy.job.id)).toBe(1);
    // The other one is rolled back whole and tried again later: no photo, no count.
    expect(await jobRow(broken.job.id)).toMatchObject({ status: "processing", completedPhotos: 0 });
    expect(await photoCount(broken.job.id)).toBe(0);
    expect((await slotsOf(broken.job.id))[0]).toMatchObject({ status: "pending", errorMessage: "the outbox is down" });
  });
});

describe("concurrency and leases", () => {
  it("keeps at most perJobConcurrency of a job and maxConcurrency of a provider in flight", async () => {
    const jobs = await Promise.all([newJob(6), newJob(6), newJob(6)]);
    const { provider, calls } = scriptedProvider({ submit: () => gathered(5).then(succeeded) }, 5);
    await drain(workerWith(provider, { perJobConcurrency: 2 }));
    expect(calls.maxInFlight).toBe(5);
    for (const { job } of jobs) expect(await jobRow(job.id)).toMatchObject({ status: "completed", completedPhotos: 6 });

    const single = await newJob(6);
    const { provider: second, calls: secondCalls } = scriptedProvider({ submit: () => gathered(5).then(succeeded) }, 5);
    await drain(workerWith(second, { perJobConcurrency: 2 }));
    expect(secondCalls.maxInFlight).toBe(2);
    expect(await photoCount(single.job.id)).toBe(6);
  });

  it("gives a finished render's place at the provider to the next slot while its photo is still being stored", async () => {
    const { job } = await newJob(3);
    const { provider, calls } = scriptedProvider({ submit: succeeded }, 1);
    // Storage that keeps every write waiting until the test lets them go.
    let release!: () => void;
    const writesMayEnd = new Promise<void>((resolve) => (release = resolve));
    const slowStorage = { ...media.storage, put: async (...args: Parameters<typeof media.storage.put>) => (await writesMayEnd, media.storage.put(...args)) };
    const worker = createGenerationWorker(
      { db: testDb.db, clock, storage: slowStorage, provider, callbackUrl: "http://127.0.0.1:1/webhooks/replicate" },
      { perJobConcurrency: 1 },
    );
    const running = drain(worker);
    // The second render starts before the first photo is written; both caps still hold at the provider.
    await expect.poll(() => calls.submit, { timeout: 5000 }).toBe(2);
    expect(await photoCount(job.id)).toBe(0);
    // Two photos waiting to be written are the bound (one provider's worth): no third render yet.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls.submit).toBe(2);
    release();
    await running;
    expect(calls.maxInFlight).toBe(1);
    expect(await jobRow(job.id)).toMatchObject({ status: "completed", completedPhotos: 3 });
  });

  it("takes back the slots of a worker that vanished once their lease runs out, and never makes a slot's photo twice", async () => {
    const { job } = await newJob(3);
    // A worker claims two slots and dies without a word.
    const lost = await claimSlots(testDb.db, clock.now(), { provider: "replicate", capacity: 2, perJob: 4, providerCap: 8, leaseMs: 60_000 });
    expect(lost).toHaveLength(2);
    const { provider } = scriptedProvider({ submit: succeeded });
    const worker = workerWith(provider, { leaseMs: 60_000 });
    await drain(worker);
    expect(await photoCount(job.id)).toBe(1);

    clock.advance(60_000);
    await drain(worker);
    expect(await jobRow(job.id)).toMatchObject({ status: "completed", completedPhotos: 3 });

    // The vanished worker comes back and tries to finish its slot: already done, nothing doubles.
    const again = await finishSlots(testDb.db, [{ slot: lost[0]!, job, photo: { imageKey: "photos/x/late.jpg", thumbnailKey: "photos/x/late.thumb.webp" } }], clock.now(), []);
    expect(again.size).toBe(0);
    expect(await photoCount(job.id)).toBe(3);
    expect((await jobRow(job.id)).completedPhotos).toBe(3);
  });
});
