/**
 * pnpm bench:generation — the job engine against a fake provider of fixed latency L, measured
 * against the floors the caps allow:
 *   one 23-photo job, per-job concurrency C:      floor = ceil(23 / C) · L
 *   50 such jobs at once, provider cap G:         floor = ceil(50 · 23 / G) · L
 * Everything else is real: the database (PGlite in memory, or TEST_POSTGRES_URL), the claims,
 * the storage of every photo on disk, the finishing transactions. Goal: within 1.25× of the floor.
 */
import { rm } from "node:fs/promises";
import { createAvatar, getOrCreateUserByDevice } from "@pinglass/accounts";
import { systemClock } from "@pinglass/core";
import { type Db, generationJobs, payments } from "@pinglass/db";
import { createTestDb } from "@pinglass/db/testing";
import { addReferencePhoto, type Media } from "@pinglass/media";
import { createTestMedia, distinctJpeg, photoJpeg } from "@pinglass/media/testing";
import { inArray } from "drizzle-orm";
import sharp from "sharp";
import { type ImageProvider, startJob } from "../src/index.ts";
import { createGenerationWorker } from "../src/worker.ts";

const latencyMs = 500;
const perJob = Number(process.env.BENCH_PER_JOB ?? 4);
const providerCap = Number(process.env.BENCH_PROVIDER_CAP ?? 50);
const jobsAtOnce = 50;
const photos = 23;

/** The provider as the engine sees it: every task takes exactly L and returns a portrait-sized JPEG. */
function fixedLatencyProvider(image: Buffer): ImageProvider {
  return {
    name: "replicate",
    maxConcurrency: providerCap,
    submit: () => new Promise((resolve) => setTimeout(() => resolve({ kind: "succeeded", image, contentType: "image/jpeg" }), latencyMs)),
    check: () => Promise.reject(new Error("the fake provider finishes on submit")),
  };
}

async function avatarsReady(db: Db, media: Media, count: number, selfie: Buffer) {
  const user = await getOrCreateUserByDevice(db, crypto.randomUUID());
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const avatar = await createAvatar(db, user.id, `Bench ${i}`);
    // Five different files: the same bytes twice would be one selfie.
    for (let r = 0; r < 5; r++) await addReferencePhoto(db, media, user.id, avatar.id, distinctJpeg(selfie, r));
    await db.insert(payments).values({ userId: user.id, status: "succeeded", photoCount: photos, tierId: "premium", amount: "1499.00", orderId: crypto.randomUUID() });
    ids.push(avatar.id);
  }
  return { userId: user.id, avatarIds: ids };
}

async function run(label: string, jobCount: number, floorMs: number) {
  const testDb = await createTestDb();
  const media = createTestMedia(systemClock);
  try {
    const image = await sharp({ create: { width: 832, height: 1040, channels: 3, background: "#8a6" } }).jpeg({ quality: 80 }).toBuffer();
    const { userId, avatarIds } = await avatarsReady(testDb.db, media, jobCount, await photoJpeg(640, 800));
    const worker = createGenerationWorker(
      { db: testDb.db, clock: systemClock, storage: media.storage, provider: fixedLatencyProvider(image), callbackUrl: "http://127.0.0.1:1/webhooks/replicate" },
      { perJobConcurrency: perJob },
    );
    const started = performance.now();
    const jobIds: number[] = [];
    for (const avatarId of avatarIds) jobIds.push((await startJob(testDb.db, systemClock, { userId, avatarId, styleId: "pinglass" })).id);
    await worker.tick(new AbortController().signal);
    const wallMs = performance.now() - started;
    const jobs = await testDb.db.select().from(generationJobs).where(inArray(generationJobs.id, jobIds));
    const made = jobs.reduce((sum, j) => sum + (j.completedPhotos ?? 0), 0);
    if (made !== jobCount * photos || jobs.some((j) => j.status !== "completed")) throw new Error(`${label}: expected ${jobCount * photos} photos, got ${made}`);
    console.log(`${label.padEnd(44)} ${(wallMs / 1000).toFixed(2).padStart(7)} s   floor ${(floorMs / 1000).toFixed(2).padStart(6)} s   ratio ${(wallMs / floorMs).toFixed(3)}×`);
  } finally {
    await testDb.close();
    await rm(media.root, { recursive: true, force: true });
  }
}

console.log(`generation bench: L = ${latencyMs} ms, C = ${perJob} per job, provider cap G = ${providerCap}, database ${process.env.TEST_DB ?? "pglite"}`);
await run(`1 job × ${photos} photos (C = ${perJob})`, 1, Math.ceil(photos / perJob) * latencyMs);
await run(`${jobsAtOnce} jobs × ${photos} photos (G = ${providerCap})`, jobsAtOnce, Math.ceil((jobsAtOnce * photos) / providerCap) * latencyMs);
