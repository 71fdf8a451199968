/**
 * pnpm bench:generation — the job engine against a fake provider of fixed latency L, measured
 * against the floors the caps allow:
 *   one 23-photo job, per-job concurrency C:      floor = ceil(23 / C) · L
 *   50 such jobs at once, provider cap G:         floor = ceil(50 · 23 / G) · L
 * Everything else is real: the database (PGlite in memory, or TEST_POSTGRES_URL), the claims,
 * the storage of every photo on disk, the finishing transactions. Goal: within 1.25× of the floor.
 *
 * With the likeness gate (on by default in the server): the same 23-photo job, its avatar's
 * selfies real faces (checked at upload), every render analysed by the real face analyser (2
 * worker threads) against the avatar's identity before it becomes a photo. Goal: within 1.4× of
 * the floor; the same job with the gate off is printed beside it.
 */
import { rm } from "node:fs/promises";
import { createAvatar, getOrCreateUserByDevice } from "@pinglass/accounts";
import { systemClock } from "@pinglass/core";
import { type Db, generationJobs, payments } from "@pinglass/db";
import { createTestDb } from "@pinglass/db/testing";
import { addReferencePhoto, type Media } from "@pinglass/media";
import { createFaceAnalyzer, type FaceAnalyzer } from "@pinglass/faces";
import { selfieOf } from "@pinglass/faces/testing";
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

async function avatarsReady(db: Db, media: Media, count: number, selfie: (r: number) => Promise<Buffer>) {
  const user = await getOrCreateUserByDevice(db, crypto.randomUUID());
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const avatar = await createAvatar(db, user.id, `Bench ${i}`);
    for (let r = 0; r < 5; r++) await addReferencePhoto(db, media, user.id, avatar.id, await selfie(r));
    await db.insert(payments).values({ userId: user.id, status: "succeeded", photoCount: photos, tierId: "premium", amount: "1499.00", orderId: crypto.randomUUID() });
    ids.push(avatar.id);
  }
  return { userId: user.id, avatarIds: ids };
}

/** `faces`: real selfies of one man, and every render (a portrait of him) through the likeness gate unless `gate` is false. */
async function run(label: string, jobCount: number, floorMs: number, likeness?: { faces: FaceAnalyzer; gate: boolean }) {
  const testDb = await createTestDb();
  const media = { ...createTestMedia(systemClock), ...(likeness ? { faces: likeness.faces } : {}) };
  try {
    let image: Buffer;
    let selfie: (r: number) => Promise<Buffer>;
    if (likeness) {
      image = await sharp(await selfieOf("man", 5)).resize(832, 1040).jpeg({ quality: 86 }).toBuffer();
      selfie = (r) => selfieOf("man", r);
    } else {
      image = await sharp({ create: { width: 832, height: 1040, channels: 3, background: "#8a6" } }).jpeg({ quality: 80 }).toBuffer();
      const plain = await photoJpeg(640, 800);
      // Five different files: the same bytes twice would be one selfie.
      selfie = async (r) => distinctJpeg(plain, r);
    }
    const { userId, avatarIds } = await avatarsReady(testDb.db, media, jobCount, selfie);
    const worker = createGenerationWorker(
      { db: testDb.db, clock: systemClock, storage: media.storage, provider: fixedLatencyProvider(image), callbackUrl: "http://127.0.0.1:1/webhooks/replicate", faces: likeness?.faces },
      { perJobConcurrency: perJob, likenessGate: likeness?.gate ?? false },
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
const faces = createFaceAnalyzer({ poolSize: 2 });
try {
  // The models load once, before the clock starts: a server has them warm after its first selfie.
  await faces.analyse(await selfieOf("man"));
  await run(`1 job × ${photos} photos, likeness gate on (goal ≤ 1.4×)`, 1, Math.ceil(photos / perJob) * latencyMs, { faces, gate: true });
  await run(`1 job × ${photos} photos, likeness gate off`, 1, Math.ceil(photos / perJob) * latencyMs, { faces, gate: false });
} finally {
  await faces.close();
}
