import { rm } from "node:fs/promises";
import { createAvatar, getOrCreateUserByDevice } from "@pinglass/accounts";
import { manualClock } from "@pinglass/core";
import { generatedPhotos, generationJobs, generationSlots } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { createFaceAnalyzer, faceThresholds } from "@pinglass/faces";
import { selfieOf } from "@pinglass/faces/testing";
import { addReferencePhoto } from "@pinglass/media";
import { createTestMedia } from "@pinglass/media/testing";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { drain, paidPhotoset } from "../test/fixtures.ts";
import { createLocalRenderer } from "./providers/local.ts";
import type { ImageProvider, ImageRequest } from "./providers/types.ts";
import { startJob } from "./start.ts";
import { createGenerationWorker } from "./worker.ts";

let testDb: TestDb;
const clock = manualClock(new Date("2026-12-06T12:00:00Z"));
const faces = createFaceAnalyzer({ poolSize: 2 });
const media = { ...createTestMedia(clock), faces };

beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(async () => {
  await faces.close();
  await testDb.close();
  await rm(media.root, { recursive: true, force: true });
});
beforeEach(() => testDb.reset());

/** An avatar with six checked selfies of one man (the fifth a turned picture), and a paid photoset of `photos`. */
async function paidAvatar(photos: number) {
  const user = await getOrCreateUserByDevice(testDb.db, crypto.randomUUID());
  const avatar = await createAvatar(testDb.db, user.id, "Me");
  for (let i = 0; i < 6; i++) await addReferencePhoto(testDb.db, media, user.id, avatar.id, await selfieOf("man", i));
  await paidPhotoset(testDb.db, user.id, photos);
  const job = await startJob(testDb.db, clock, { userId: user.id, avatarId: avatar.id, styleId: "pinglass" });
  return { avatarId: avatar.id, jobId: job.id };
}

/** What the worker logs (pino's shape). */
function logs() {
  const warnings: { details: Record<string, unknown>; message: string }[] = [];
  return { warnings, logger: { warn: (details: object, message: string) => warnings.push({ details: details as Record<string, unknown>, message }), error: () => undefined } };
}

/**
 * A stand-in for a remote image service (an external system) that answers the first renders of
 * each slot with `wrong` (another person's face, a crowd...) and the rest with the offline
 * renderer's picture of the avatar's person.
 */
function unreliableProvider(wrong: () => Promise<Buffer>, wrongRenders: number): { provider: ImageProvider; requests: ImageRequest[] } {
  const local = createLocalRenderer(media.storage);
  const requests: ImageRequest[] = [];
  const perScene = new Map<string, number>();
  return {
    requests,
    provider: {
      name: "kie",
      maxConcurrency: 4,
      async submit(request, signal) {
        requests.push(request);
        const scene = request.scene!.sceneId;
        const n = (perScene.get(scene) ?? 0) + 1;
        perScene.set(scene, n);
        if (n <= wrongRenders) return { kind: "succeeded", image: await wrong(), contentType: "image/jpeg" };
        return local.submit(request, signal);
      },
      check: local.check,
    },
  };
}

describe("the likeness gate", { timeout: 120_000 }, () => {
  it("sends the best selfies cropped around the face, and stores every photo of the offline renderer with its likeness", async () => {
    const { jobId } = await paidAvatar(7);
    const { provider, requests } = unreliableProvider(() => Promise.reject(new Error("unused")), 0);
    const { warnings, logger } = logs();
    await drain(createGenerationWorker({ db: testDb.db, clock, storage: media.storage, provider, callbackUrl: "http://pinglass.test/webhooks/kie", faces, logger }));

    const [job] = await testDb.db.select().from(generationJobs).where(eq(generationJobs.id, jobId));
    expect(job).toMatchObject({ status: "completed", completedPhotos: 7 });
    const photos = await testDb.db.select().from(generatedPhotos).where(eq(generatedPhotos.jobId, jobId));
    expect(photos).toHaveLength(7);
    for (const photo of photos) expect(photo.likeness).toBeGreaterThanOrEqual(faceThresholds.minSimilarity);
    expect(warnings).toEqual([]);
    // Six of the six selfies at most, each the crop around its face; the most frontal and sharp first.
    expect(requests[0]!.references.length).toBeGreaterThanOrEqual(4);
    expect(requests[0]!.references.length).toBeLessThanOrEqual(6);
    for (const reference of requests[0]!.references) expect(reference.key).toMatch(/\.face\.jpg$/);
  });

  it("renders a slot again when the picture is another person, and the user never sees it", async () => {
    const { jobId } = await paidAvatar(2);
    const { provider, requests } = unreliableProvider(() => selfieOf("blonde"), 1);
    const { warnings, logger } = logs();
    await drain(createGenerationWorker({ db: testDb.db, clock, storage: media.storage, provider, callbackUrl: "http://pinglass.test/webhooks/kie", faces, logger }));

    const photos = await testDb.db.select().from(generatedPhotos).where(eq(generatedPhotos.jobId, jobId));
    expect(photos).toHaveLength(2);
    for (const photo of photos) expect(photo.likeness).toBeGreaterThanOrEqual(faceThresholds.minSimilarity);
    // Each scene asked twice, the second time from another seed.
    expect(requests).toHaveLength(4);
    const seeds = requests.filter((r) => r.scene!.sceneId === requests[0]!.scene!.sceneId).map((r) => r.seed);
    expect(seeds[1]).toBe(`${seeds[0]}:again1`);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ message: "likeness gate: render refused", details: { reason: "unlike", rejections: 1 } });
    expect(warnings[0]!.details.likeness).toBeLessThan(faceThresholds.minSimilarity);
    const slots = await testDb.db.select().from(generationSlots).where(eq(generationSlots.jobId, jobId));
    expect(slots.map((s) => [s.status, s.likenessRejections])).toEqual([
      ["succeeded", 1],
      ["succeeded", 1],
    ]);
  });

  it("fails a slot after LIKENESS_RETRIES refused renders, as the provider's failures do (its share is refunded)", async () => {
    const { jobId } = await paidAvatar(1);
    const { provider, requests } = unreliableProvider(async () => selfieOf("beard"), 10);
    const { warnings, logger } = logs();
    await drain(createGenerationWorker({ db: testDb.db, clock, storage: media.storage, provider, callbackUrl: "http://pinglass.test/webhooks/kie", faces, logger }, { likenessRetries: 1 }));

    expect(requests).toHaveLength(2);
    expect(warnings.map((w) => w.details.rejections)).toEqual([1, 2]);
    expect(await testDb.db.select().from(generatedPhotos).where(eq(generatedPhotos.jobId, jobId))).toEqual([]);
    const [slot] = await testDb.db.select().from(generationSlots).where(eq(generationSlots.jobId, jobId)).orderBy(asc(generationSlots.id));
    expect(slot).toMatchObject({ status: "failed", likenessRejections: 1, errorMessage: "Ни один из 2 вариантов этого фото не был похож на вас, поэтому мы его не показываем." });
    const [job] = await testDb.db.select().from(generationJobs).where(eq(generationJobs.id, jobId));
    expect(job!.status).toBe("failed");
  });

  it("with LIKENESS_GATE=off, takes what the provider made, without a likeness", async () => {
    const { jobId } = await paidAvatar(1);
    const { provider, requests } = unreliableProvider(() => selfieOf("beard"), 1);
    await drain(createGenerationWorker({ db: testDb.db, clock, storage: media.storage, provider, callbackUrl: "http://pinglass.test/webhooks/kie", faces }, { likenessGate: false }));
    expect(requests).toHaveLength(1);
    const [photo] = await testDb.db.select().from(generatedPhotos).where(eq(generatedPhotos.jobId, jobId));
    expect(photo!.likeness).toBeNull();
  });
});
