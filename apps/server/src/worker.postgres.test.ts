import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAvatar, getOrCreateUserByDevice } from "@pinglass/accounts";
import { systemClock } from "@pinglass/core";
import { createDb, type DbHandle, generatedPhotos, generationJobs, generationSlots, migrate, payments } from "@pinglass/db";
import { testDriver } from "@pinglass/db/testing";
import { startJob } from "@pinglass/generation";
import { addReferencePhoto, createFilesystemStorage, createMediaSigner, type Media } from "@pinglass/media";
import { photoJpeg } from "@pinglass/media/testing";
import { and, eq, isNotNull } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const adminUrl = process.env.TEST_POSTGRES_URL!;
const databaseName = `pinglass_crash_${process.pid}_${randomBytes(3).toString("hex")}`;
const mediaDir = mkdtempSync(join(tmpdir(), "pinglass-crash-media-"));
const mediaSecret = "crash-test-media-signing-secret-0123456789abcdef";
let databaseUrl: string;
let handle: DbHandle;
let media: Media;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${databaseName}`;
  databaseUrl = url.toString();
  handle = await createDb(databaseUrl, { poolSize: 3 });
  await migrate(handle);
  const signer = createMediaSigner({ secret: mediaSecret, clock: systemClock });
  media = { storage: createFilesystemStorage({ root: mediaDir, signer, publicBaseUrl: "http://127.0.0.1:1" }), signer, publicBaseUrl: "http://127.0.0.1:1", logger: { warn: () => {} } };
});

afterAll(async () => {
  for (const worker of workers) worker.kill("SIGKILL");
  await handle.close();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.end();
  rmSync(mediaDir, { recursive: true, force: true });
});

/** `pnpm worker` itself: the real entry point, on this database and media folder, with short leases. */
function startWorker() {
  const child = spawn(process.execPath, ["--import", "tsx", "src/worker-main.ts"], {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      MEDIA_DIR: mediaDir,
      MEDIA_SIGNING_SECRET: mediaSecret,
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
  const [job] = await handle.db.select().from(generationJobs).where(eq(generationJobs.id, jobId));
  const photos = await handle.db.select().from(generatedPhotos).where(eq(generatedPhotos.jobId, jobId));
  const held = await handle.db.select().from(generationSlots).where(and(eq(generationSlots.jobId, jobId), eq(generationSlots.status, "running"), isNotNull(generationSlots.claimToken)));
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
    const user = await getOrCreateUserByDevice(handle.db, crypto.randomUUID());
    const avatar = await createAvatar(handle.db, user.id, "Crash");
    for (let i = 0; i < 5; i++) await addReferencePhoto(handle.db, media, user.id, avatar.id, await photoJpeg(600 + i * 10, 750));
    await handle.db.insert(payments).values({ userId: user.id, status: "succeeded", photoCount: 23, tierId: "premium", amount: "1499.00", orderId: crypto.randomUUID() });
    const job = await startJob(handle.db, systemClock, { userId: user.id, avatarId: avatar.id, styleId: "pinglass" });

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
