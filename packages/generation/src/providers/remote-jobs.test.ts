import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { manualClock } from "@pinglass/core";
import { generatedPhotos, generationJobs, generationSlots } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { createFilesystemStorage, createMediaSigner, type Media, mediaRoutePrefix } from "@pinglass/media";
import { asc, eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { avatarWithSelfies, drain, paidPhotoset } from "../../test/fixtures.ts";
import { startJob } from "../start.ts";
import { createGenerationWorker, type GenerationWorker } from "../worker.ts";
import { startFakeKie } from "./fake-kie-server.ts";
import { startFakeReplicate } from "./fake-replicate-server.ts";
import { closeServer, listenLocal, sendJson, startCallbackReceiver } from "./fake-server.ts";
import { createKieProvider } from "./kie.ts";
import { createReplicateProvider } from "./replicate.ts";
import type { ImageProvider } from "./types.ts";

/**
 * Whole jobs through the real worker with the real remote providers against their fake servers:
 * selfies leave as signed URLs of our storage, outputs come back into it, callbacks are lost,
 * repeated and forged, and every slot still ends with exactly one photo.
 */

let testDb: TestDb;
const clock = manualClock(new Date(Math.floor(Date.now() / 1000) * 1000));
let media: Media;
let mediaRoot: string;
let mediaServer: Awaited<ReturnType<typeof listenLocal>>;

beforeAll(async () => {
  testDb = await createTestDb();
  mediaRoot = await mkdtemp(join(tmpdir(), "pinglass-remote-jobs-"));
  const signer = createMediaSigner({ secret: "remote-jobs-test-media-secret-0123456789abcdef", clock });
  // Our signed media URLs, served the way the server's /media/ route does, so the fakes can fetch selfies.
  mediaServer = await listenLocal(async (_req, res, url) => {
    const key = decodeURIComponent(url.pathname.slice(mediaRoutePrefix.length));
    const query = { exp: url.searchParams.get("exp"), sig: url.searchParams.get("sig"), dl: url.searchParams.get("dl") };
    const object = signer.verifyObject(key, query) ? await media.storage.get(key) : null;
    if (!object) return sendJson(res, 403, { error: "bad or expired signature" });
    res.writeHead(200, { "content-type": object.contentType, "content-length": object.size });
    object.body.pipe(res);
  });
  media = { storage: createFilesystemStorage({ root: mediaRoot, signer, publicBaseUrl: mediaServer.url }), signer, publicBaseUrl: mediaServer.url, logger: { warn: () => {} } };
});
afterAll(async () => {
  await closeServer(mediaServer.server);
  await testDb.close();
  await rm(mediaRoot, { recursive: true, force: true });
});
beforeEach(() => testDb.reset());

async function newJob(photoCount: number) {
  const owner = await avatarWithSelfies(testDb.db, media);
  await paidPhotoset(testDb.db, owner.userId, photoCount);
  return startJob(testDb.db, clock, { ...owner, styleId: "pinglass" });
}

const jobRow = async (jobId: number) => (await testDb.db.select().from(generationJobs).where(eq(generationJobs.id, jobId)))[0]!;
const photosOf = (jobId: number) => testDb.db.select().from(generatedPhotos).where(eq(generatedPhotos.jobId, jobId)).orderBy(asc(generatedPhotos.id));
const slotsOf = (jobId: number) => testDb.db.select().from(generationSlots).where(eq(generationSlots.jobId, jobId)).orderBy(asc(generationSlots.position));

/** A worker whose callbacks arrive over HTTP, are verified by the provider and handed to completeTask. */
async function wire(makeProvider: () => ImageProvider) {
  const provider = makeProvider();
  const receiver = await startCallbackReceiver(
    (headers, body) => provider.verifyCallback!(headers, body),
    (taskId) => worker.completeTask(provider.name, taskId),
  );
  // Callbacks only arrive after the first submit, by which time the worker exists.
  const worker = createGenerationWorker({ db: testDb.db, clock, storage: media.storage, provider, callbackUrl: receiver.url }, { pollMs: 20_000 });
  return { provider, worker, receiver };
}

/** Works the job round by round: submit what is due, let the fake finish, handle callbacks, move time on. */
async function runToEnd(jobId: number, worker: GenerationWorker, receiver: { idle(): Promise<void> }, settledAll: () => Promise<unknown>) {
  for (let round = 0; round < 12 && (await jobRow(jobId)).status === "processing"; round++) {
    await drain(worker);
    await settledAll();
    await receiver.idle();
    clock.advance(30_000);
  }
  return jobRow(jobId);
}

describe("whole jobs through remote providers", () => {
  it("Replicate: a 429, a lost webhook, a duplicated one, a 503 while polling and a forged webhook still give exactly 7 photos in our storage", async () => {
    const webhookSecret = `whsec_${randomBytes(24).toString("base64")}`;
    const fake = await startFakeReplicate({ apiToken: "r8_token", webhookSecret, clock });
    const { worker, receiver } = await wire(() => createReplicateProvider({ apiToken: "r8_token", baseUrl: fake.url, webhookSecret, timeoutMs: 5000, clock }));
    try {
      const job = await newJob(7);
      fake.faults.inject("create", { status: 429, retryAfter: "5" });
      fake.planNextPrediction({ callback: "lost" });
      fake.planNextPrediction({ callback: "duplicate" });

      await drain(worker);
      await Promise.all([...fake.predictions.keys()].map((id) => fake.settled(id)));
      await receiver.idle();
      // The lost webhook's prediction is polled later; that poll meets a 503 first.
      fake.faults.inject("get", { status: 503 });
      const forgedBody = JSON.stringify({ id: [...fake.predictions.keys()][0], status: "succeeded", output: "https://evil.example/x.jpg" });
      const forged = await fetch(receiver.url, { method: "POST", headers: { "content-type": "application/json", ...fake.signedHeaders(forgedBody, { key: randomBytes(24) }) }, body: forgedBody });
      expect(forged.status).toBe(401);

      const finished = await runToEnd(job.id, worker, receiver, () => Promise.all([...fake.predictions.keys()].map((id) => fake.settled(id))));
      expect(finished).toMatchObject({ status: "completed", completedPhotos: 7 });
      const photos = await photosOf(job.id);
      expect(photos).toHaveLength(7);
      expect(new Set(photos.map((p) => p.slotId)).size).toBe(7);
      for (const photo of photos) {
        expect(photo.imageUrl).not.toContain(fake.url);
        const stored = await media.storage.get(photo.imageUrl!);
        expect(stored).not.toBeNull();
      }
      // One prediction per slot: the 429 was retried before anything was created, the lost webhook covered by polls.
      expect(fake.predictions.size).toBe(7);
      expect((await slotsOf(job.id)).every((s) => s.status === "succeeded")).toBe(true);
      // Every prediction got our selfies through signed URLs of our own storage.
      const [first] = fake.predictions.values();
      expect(first!.input.image_input).toHaveLength(5);
      expect(first!.input.image_input.every((u) => u.startsWith(`${mediaServer.url}${mediaRoutePrefix}`) && u.includes("sig="))).toBe(true);
      const output = await media.storage.get(photos[0]!.imageUrl!);
      const chunks: Buffer[] = [];
      for await (const chunk of output!.body) chunks.push(chunk as Buffer);
      expect((await sharp(Buffer.concat(chunks)).metadata()).format).toBeDefined();
    } finally {
      await Promise.all([fake.close(), receiver.close()]);
    }
  });

  it("Kie.ai: a refused render fails its slot with Kie's reason, the rest finish; forged callbacks make no photo Kie did not render", async () => {
    const fake = await startFakeKie({ apiKey: "kie-key", clock });
    const { worker, receiver } = await wire(() => createKieProvider({ apiKey: "kie-key", baseUrl: fake.url, timeoutMs: 5000, clock }));
    try {
      const job = await newJob(5);
      fake.planNextTask({ callback: "duplicate" });
      fake.planNextTask({ fail: { code: "400", message: "Your prompt was flagged by Website as violating content policies" } });
      fake.planNextTask({ callback: "lost" });

      await drain(worker);
      const settledAll = () => Promise.all([...fake.tasks.keys()].map((id) => fake.settled(id)));
      await settledAll();
      await receiver.idle();
      // Kie's callbacks are unsigned here: a forged one only names a task, and the engine asks Kie.
      // So forged "successes" for every task (and an unknown one) make photos only of what Kie did
      // render (the lost callback's task is picked up early), never of the refused one.
      for (const taskId of [...fake.tasks.keys(), "task_forged_unknown"]) {
        const forged = JSON.stringify({ code: 200, data: { taskId, state: "success", resultJson: JSON.stringify({ resultUrls: ["https://evil.example/x.jpg"] }) } });
        expect((await fetch(receiver.url, { method: "POST", headers: { "content-type": "application/json" }, body: forged })).status).toBe(200);
      }
      await receiver.idle();
      const rendered = [...fake.tasks.values()].filter((t) => t.state === "success").length;
      expect(rendered).toBe(fake.tasks.size - 1);
      expect(await photosOf(job.id)).toHaveLength(rendered);

      const finished = await runToEnd(job.id, worker, receiver, settledAll);
      expect(finished).toMatchObject({ status: "failed", completedPhotos: 4 });
      expect(await photosOf(job.id)).toHaveLength(4);
      const slots = await slotsOf(job.id);
      expect(slots.filter((s) => s.status === "failed").map((s) => s.errorMessage)).toEqual([expect.stringContaining("violating content policies")]);
      expect(fake.tasks.size).toBe(5);
    } finally {
      await Promise.all([fake.close(), receiver.close()]);
    }
  });
});
