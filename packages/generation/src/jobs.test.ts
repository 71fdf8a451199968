import { deleteAvatarRows } from "@pinglass/accounts";
import { manualClock } from "@pinglass/core";
import { avatars, generatedPhotos, generationJobs, generationSlots } from "@pinglass/db";
import { and, asc, eq } from "drizzle-orm";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { mediaUserData } from "@pinglass/media";
import { paymentsUserData } from "@pinglass/payments";
import { avatarWithSelfies, drain, paidPhotoset, testDbAndMedia } from "../test/fixtures.ts";
import { createLocalRenderer } from "./providers/local.ts";
import { scenesOf } from "./scenes.ts";
import { generationUserData } from "./user-data.ts";
import type { JobFinishHook } from "./slots.ts";
import { startJob } from "./start.ts";
import { createGenerationWorker } from "./worker.ts";

const clock = manualClock(new Date("2026-11-25T12:00:00Z"));
const { testDb, media } = testDbAndMedia(clock);

const finished: { jobId: number; status: string | null; inTransaction: boolean }[] = [];
const recordFinish: JobFinishHook = async (tx, job) => {
  const [row] = await tx.select({ status: generationJobs.status }).from(generationJobs).where(eq(generationJobs.id, job.id));
  finished.push({ jobId: job.id, status: job.status, inTransaction: row?.status === job.status });
};

function localWorker() {
  return createGenerationWorker(
    { db: testDb.db, clock, storage: media.storage, provider: createLocalRenderer(media.storage), callbackUrl: "http://127.0.0.1:1/webhooks/local", hooks: [recordFinish] },
    { perJobConcurrency: 3 },
  );
}

async function photosOf(jobId: number) {
  return testDb.db.select().from(generatedPhotos).where(eq(generatedPhotos.jobId, jobId)).orderBy(asc(generatedPhotos.id));
}

describe("a photoset with the local renderer", () => {
  it("makes exactly the paid number of photos from the avatar's selfies and readies the avatar", async () => {
    const { userId, avatarId } = await avatarWithSelfies(testDb.db, media);
    const paymentId = await paidPhotoset(testDb.db, userId, 7);
    const job = await startJob(testDb.db, clock, { userId, avatarId, styleId: "professional" });
    expect(job).toMatchObject({ status: "processing", totalPhotos: 7, completedPhotos: 0, paymentId });
    const [processing] = await testDb.db.select().from(avatars).where(eq(avatars.id, avatarId));
    expect(processing!.status).toBe("processing");

    finished.length = 0;
    await drain(localWorker());

    const [done] = await testDb.db.select().from(generationJobs).where(eq(generationJobs.id, job.id));
    expect(done).toMatchObject({ status: "completed", completedPhotos: 7, errorMessage: null });
    const photos = await photosOf(job.id);
    expect(photos.map((p) => p.sceneId).sort()).toEqual(scenesOf("professional").slice(0, 7).map((s) => s.id).sort());
    // Every photo is our own stored file (a real JPEG 4:5), never a provider URL.
    for (const photo of photos) {
      const object = await media.storage.get(photo.imageUrl!);
      const chunks: Buffer[] = [];
      for await (const chunk of object!.body) chunks.push(chunk as Buffer);
      const meta = await sharp(Buffer.concat(chunks)).metadata();
      expect(meta.format).toBe("jpeg");
      expect(meta.width! / meta.height!).toBeCloseTo(0.8, 2);
    }
    const [avatar] = await testDb.db.select().from(avatars).where(eq(avatars.id, avatarId));
    const firstSlot = await testDb.db.select().from(generationSlots).where(and(eq(generationSlots.jobId, job.id), eq(generationSlots.position, 0)));
    const firstPhoto = photos.find((p) => p.slotId === firstSlot[0]!.id)!;
    expect(avatar).toMatchObject({ status: "ready", thumbnailUrl: firstPhoto.thumbnailUrl });
    expect(finished).toEqual([{ jobId: job.id, status: "completed", inTransaction: true }]);
  });

  it("never repeats a scene across photosets of a style, and starts a new round only when all 23 are used", async () => {
    const { userId, avatarId } = await avatarWithSelfies(testDb.db, media);
    const worker = localWorker();
    const seen: string[][] = [];
    for (const count of [7, 15, 7]) {
      await paidPhotoset(testDb.db, userId, count);
      const job = await startJob(testDb.db, clock, { userId, avatarId, styleId: "lifestyle" });
      await drain(worker);
      seen.push((await photosOf(job.id)).map((p) => p.sceneId!));
    }
    expect(new Set([...seen[0]!, ...seen[1]!]).size).toBe(22);
    // The third set takes the one scene left, then the first six of a new round.
    expect(seen[2]).toContain(scenesOf("lifestyle")[22]!.id);
    expect(new Set(seen[2]).size).toBe(7);
    expect(seen[2]!.filter((id) => seen[0]!.includes(id))).toHaveLength(6);
    // Another style has its own 23, none of them lifestyle's.
    await paidPhotoset(testDb.db, userId, 7);
    const creative = await startJob(testDb.db, clock, { userId, avatarId, styleId: "creative" });
    await drain(worker);
    expect((await photosOf(creative.id)).map((p) => p.sceneId).sort()).toEqual(scenesOf("creative").slice(0, 7).map((s) => s.id).sort());
  });

  it("renders the same avatar and scene to the same picture, and a second round of a scene differently", async () => {
    const renderer = createLocalRenderer(media.storage);
    const { avatarId } = await avatarWithSelfies(testDb.db, media);
    const refs = await testDb.db.query.referencePhotos.findMany({ where: (r, { eq }) => eq(r.avatarId, avatarId) });
    const request = (seed: string, sceneId: string) => ({
      prompt: "p",
      references: refs.map((r) => ({ key: r.storageKey, url: "" })),
      seed,
      aspectRatio: "4:5" as const,
      callbackUrl: "",
      scene: { styleId: "pinglass", sceneId },
    });
    const bytes = async (seed: string, sceneId: string) => {
      const result = await renderer.submit(request(seed, sceneId));
      if (result.kind !== "succeeded") throw new Error("the local renderer always finishes at once");
      return result.image;
    };
    const beach = "pinglass-golden-hour-beach";
    const first = await bytes(`1:pinglass:${beach}`, beach);
    expect((await bytes(`1:pinglass:${beach}`, beach)).equals(first)).toBe(true);
    expect((await bytes(`1:pinglass:${beach}:1`, beach)).equals(first)).toBe(false);
    const all = await Promise.all(scenesOf("pinglass").map((s) => bytes(`1:pinglass:${s.id}`, s.id)));
    expect(new Set(all.map((b) => b.toString("base64"))).size).toBe(23);
  });
});

describe("starting a photoset", () => {
  it("needs five selfies, a paid photoset and a known style, and changes nothing when refused", async () => {
    const few = await avatarWithSelfies(testDb.db, media, 4);
    await paidPhotoset(testDb.db, few.userId, 7);
    await expect(startJob(testDb.db, clock, { ...few, styleId: "pinglass" })).rejects.toMatchObject({ key: "errors.face.notEnoughSelfies", params: { min: 5, count: 4 } });

    const unpaid = await avatarWithSelfies(testDb.db, media);
    await expect(startJob(testDb.db, clock, { ...unpaid, styleId: "pinglass" })).rejects.toMatchObject({ key: "errors.generation.noPaidPhotoset" });
    await expect(startJob(testDb.db, clock, { ...unpaid, styleId: "baroque" })).rejects.toMatchObject({ key: "errors.generation.unknownStyle" });

    expect(await testDb.db.select().from(generationJobs)).toHaveLength(0);
    const rows = await testDb.db.select({ status: avatars.status }).from(avatars);
    expect(rows.every((a) => a.status === "draft")).toBe(true);
  });

  it("takes the oldest unused payment, accepts a chosen one only if it is the user's and unused", async () => {
    const a = await avatarWithSelfies(testDb.db, media);
    const other = await avatarWithSelfies(testDb.db, media);
    const older = await paidPhotoset(testDb.db, a.userId, 7, new Date("2026-11-01T00:00:00Z"));
    const newer = await paidPhotoset(testDb.db, a.userId, 23, new Date("2026-11-02T00:00:00Z"));
    const foreign = await paidPhotoset(testDb.db, other.userId, 15);

    await expect(startJob(testDb.db, clock, { ...a, styleId: "pinglass", paymentId: foreign })).rejects.toMatchObject({ code: "NOT_FOUND", key: "errors.payment.notFound" });
    const job = await startJob(testDb.db, clock, { ...a, styleId: "pinglass" });
    expect(job).toMatchObject({ paymentId: older, totalPhotos: 7 });
    await drain(localWorker());
    // Asking again for that payment on the same avatar and style answers with its job; elsewhere it is used up.
    expect(await startJob(testDb.db, clock, { ...a, styleId: "pinglass", paymentId: older })).toMatchObject({ id: job.id, status: "completed" });
    await expect(startJob(testDb.db, clock, { ...a, styleId: "creative", paymentId: older })).rejects.toMatchObject({ key: "errors.generation.paymentUnavailable" });
    expect(await testDb.db.select().from(generationJobs)).toHaveLength(1);
    const second = await startJob(testDb.db, clock, { ...a, styleId: "pinglass", paymentId: newer });
    expect(second).toMatchObject({ paymentId: newer, totalPhotos: 23 });
  });

  it("never frees a payment when the avatar it paid for is deleted", async () => {
    const a = await avatarWithSelfies(testDb.db, media);
    await paidPhotoset(testDb.db, a.userId, 7);
    await startJob(testDb.db, clock, { ...a, styleId: "pinglass" });
    await drain(localWorker());
    await deleteAvatarRows(testDb.db, a.userId, a.avatarId, [paymentsUserData, mediaUserData, generationUserData]);

    const next = await avatarWithSelfies(testDb.db, media, 5, a.userId);
    await expect(startJob(testDb.db, clock, { ...next, styleId: "pinglass" })).rejects.toMatchObject({ key: "errors.generation.noPaidPhotoset" });
    expect(await testDb.db.select().from(generationJobs)).toEqual([]);
  });

  it("gives one job and one clear error for two simultaneous starts", async () => {
    const { userId, avatarId } = await avatarWithSelfies(testDb.db, media);
    await paidPhotoset(testDb.db, userId, 7);
    await paidPhotoset(testDb.db, userId, 7);
    const sameAvatar = await Promise.allSettled([0, 1].map(() => startJob(testDb.db, clock, { userId, avatarId, styleId: "pinglass" })));
    expect(sameAvatar.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(sameAvatar.find((r) => r.status === "rejected")).toMatchObject({ reason: { key: "errors.avatar.busy" } });

    // One payment left, two avatars racing for it.
    const second = await avatarWithSelfies(testDb.db, media, 5, userId);
    const third = await avatarWithSelfies(testDb.db, media, 5, userId);
    const racing = await Promise.allSettled([second, third].map((a) => startJob(testDb.db, clock, { ...a, styleId: "pinglass" })));
    expect(racing.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = racing.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(["errors.generation.noPaidPhotoset", "errors.generation.paymentUnavailable"]).toContain(refused.reason.key);
    const jobs = await testDb.db.select().from(generationJobs);
    expect(new Set(jobs.map((j) => j.paymentId)).size).toBe(jobs.length);
  });
});
