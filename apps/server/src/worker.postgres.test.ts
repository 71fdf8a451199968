import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createAvatar, getOrCreateUserByDevice } from "@pinglass/accounts";
import { systemClock } from "@pinglass/core";
import { generatedPhotos, generationJobs, generationSlots, payments } from "@pinglass/db";
import { createTestDb, testDriver, type TestDb } from "@pinglass/db/testing";
import { startJob } from "@pinglass/generation";
import { addReferencePhoto } from "@pinglass/media";
import { createTestMedia, photoJpeg, testMediaSigningSecret } from "@pinglass/media/testing";
import { and, eq, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const serverDir = fileURLToPath(new URL("..", import.meta.url));
/** The database and media folder this test shares with the workers it spawns. */
const media = createTestMedia(systemClock, "http://127.0.0.1:1");
let testDb: TestDb;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  testDb = await createTestDb();
});

afterAll(async () => {
  for (const worker of workers) worker.kill("SIGKILL");
  await testDb.close();
  rmSync(media.root, { recursive: true, force: true });
});

/** `pnpm worker` itself: the real entry point, on this database and media folder, with short leases. */
function startWorker() {
  const child = spawn(process.execPath, ["--import", "tsx", "src/worker-main.ts"], {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: testDb.url!,
      MEDIA_DIR: media.root,
      MEDIA_SIGNING_SECRET: testMediaSigningSecret,
      SESSION_SECRET: "s".repeat(40),
      GENERATION_LEASE_SECONDS: "2",
      GENERATION_CONCURRENCY_PER_JOB: "2",
      LOG_LEVEL: "warn",
    },
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  workers.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, output })));
  return { child, exited };
}

async function jobState(jobId: number) {
  const [job] = await testDb.db.select().from(generationJobs).where(eq(generationJobs.id, jobId));
  const photos = await testDb.db.select().from(generatedPhotos).where(eq(generatedPhotos.jobId, jobId));
  const held = await testDb.db.select().from(generationSlots).where(and(eq(generationSlots.jobId, jobId), eq(generationSlots.status, "running"), isNotNull(generationSlots.claimToken)));
  return { job: job!, photos, held };
}

/** Polls the database (the workers are other processes) until the condition holds. */
async function until(jobId: number, condition: (state: Awaited<ReturnType<typeof jobState>>) => boolean, what: string) {
  for (let i = 0; i < 1200; i++) {
    const state = await jobState(jobId);
    if (condition(state)) return state;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting until ${what}`);
}

describe("a worker killed with SIGKILL mid-job", () => {
  it("loses nothing: restarted workers take back the expired leases and make exactly N photos", async () => {
    expect(testDriver()).toBe("postgres");
    const user = await getOrCreateUserByDevice(testDb.db, crypto.randomUUID());
    const avatar = await createAvatar(testDb.db, user.id, "Crash");
    for (let i = 0; i < 5; i++) await addReferencePhoto(testDb.db, media, user.id, avatar.id, await photoJpeg(600 + i * 10, 750));
    await testDb.db.insert(payments).values({ userId: user.id, status: "succeeded", photoCount: 23, tierId: "premium", amount: "1499.00", orderId: crypto.randomUUID() });
    const job = await startJob(testDb.db, systemClock, { userId: user.id, avatarId: avatar.id, styleId: "pinglass" });

    const first = startWorker();
    await until(job.id, (s) => (s.job.completedPhotos ?? 0) >= 4 && s.held.length > 0, "the first worker has made a few photos and holds more");
    first.child.kill("SIGKILL");
    const death = await first.exited;
    expect(death.signal).toBe("SIGKILL");

    const afterCrash = await jobState(job.id);
    expect(afterCrash.job.status).toBe("processing");
    expect(afterCrash.job.completedPhotos).toBe(afterCrash.photos.length);
    expect(afterCrash.photos.length).toBeLessThan(23);
    // It died holding slots: their leases are what the next workers must take back.
    expect(afterCrash.held.length).toBeGreaterThan(0);

    // Two workers now: the same one restarted, and another beside it.
    const restarted = [startWorker(), startWorker()];
    const done = await until(job.id, (s) => s.job.status !== "processing", "the job has ended");
    for (const worker of restarted) worker.child.kill("SIGTERM");
    for (const worker of restarted) expect((await worker.exited).code).toBe(0);

    expect(done.job).toMatchObject({ status: "completed", completedPhotos: 23, totalPhotos: 23 });
    expect(done.photos).toHaveLength(23);
    expect(new Set(done.photos.map((p) => p.slotId)).size).toBe(23);
    expect(new Set(done.photos.map((p) => p.sceneId)).size).toBe(23);
    for (const photo of done.photos) expect(await media.storage.get(photo.imageUrl!)).not.toBeNull();
  }, 120_000);
});
