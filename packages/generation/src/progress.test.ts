import { getEventListeners } from "node:events";
import { createAvatar, getOrCreateUserByDevice } from "@pinglass/accounts";
import { sleep } from "@pinglass/core";
import { type Db, generatedPhotos, generationJobs } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { eq } from "drizzle-orm";
import { drizzle as drizzleNeon } from "drizzle-orm/neon-serverless";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createProgressHub, type JobProgress, watchJob } from "./progress.ts";

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.close());
beforeEach(() => testDb.reset());

/** The test database's own connection under a second drizzle handle that logs every statement it sends. */
function countingDb(): { db: Db; statements: { sql: string; at: number }[]; jobReads: () => number[] } {
  const statements: { sql: string; at: number }[] = [];
  const logger = { logQuery: (sql: string) => void statements.push({ sql, at: performance.now() }) };
  const client = (testDb.db as unknown as { $client: never }).$client;
  const db = (testDb.driver === "pglite" ? drizzlePglite({ client, logger }) : testDb.driver === "neon" ? drizzleNeon({ client, logger }) : drizzleNodePg({ client, logger })) as unknown as Db;
  return { db, statements, jobReads: () => statements.filter((s) => s.sql.includes('from "generation_jobs"')).map((s) => s.at) };
}

async function processingJob(totalPhotos = 3) {
  const user = await getOrCreateUserByDevice(testDb.db, crypto.randomUUID());
  const avatar = await createAvatar(testDb.db, user.id, "Progress");
  const [job] = await testDb.db.insert(generationJobs).values({ avatarId: avatar.id, styleId: "creative", status: "processing", totalPhotos }).returning();
  return { avatarId: avatar.id, jobId: job!.id };
}

async function photoLands(job: { avatarId: number; jobId: number }, completedPhotos: number, status: "processing" | "completed" = "processing") {
  const [photo] = await testDb.db.insert(generatedPhotos).values({ avatarId: job.avatarId, jobId: job.jobId, imageUrl: `photos/${crypto.randomUUID()}.jpg` }).returning();
  await testDb.db.update(generationJobs).set({ completedPhotos, status }).where(eq(generationJobs.id, job.jobId));
  return photo!.id;
}

/** A stream read to its end in the background; its events so far are always at hand. */
function collect(stream: AsyncGenerator<JobProgress>) {
  const events: JobProgress[] = [];
  const done = (async () => {
    for await (const event of stream) events.push(event);
  })();
  return { events, done, photoIds: () => events.flatMap((e) => e.newPhotos.map((p) => p.id)) };
}

const until = async (condition: () => boolean) => {
  while (!condition()) await sleep(2);
};

describe("progress streams", () => {
  it("50 streams of one job share one poll: two statements for all their first events", async () => {
    const job = await processingJob();
    const counting = countingDb();
    const streams = Array.from({ length: 50 }, () => watchJob(counting.db, job.jobId, { intervalMs: 3_600_000 }));
    const first = await Promise.all(streams.map((s) => s.next()));
    expect(first.every((r) => !r.done && r.value.status === "processing" && r.value.newPhotos.length === 0)).toBe(true);
    expect(counting.statements).toHaveLength(2);
    await Promise.all(streams.map((s) => s.return(undefined)));
  });

  it("gives every stream every photo exactly once, late joiners the photos so far at once, polls at most once per interval, and ends them all with the job", async () => {
    const intervalMs = 20;
    const job = await processingJob(3);
    const counting = countingDb();
    const hub = createProgressHub(counting.db, { intervalMs });
    const early = Array.from({ length: 50 }, () => collect(hub.watch(job.jobId)));
    await until(() => early.every((s) => s.events.length === 1));

    const first = await photoLands(job, 1);
    await until(() => early.every((s) => s.photoIds().length === 1));
    const late = collect(hub.watch(job.jobId));
    await until(() => late.events.length === 1);
    // The late stream's first event is the job as it is now, with the photo that landed before it came.
    expect(late.events[0]).toMatchObject({ status: "processing", completedPhotos: 1, totalPhotos: 3 });
    expect(late.photoIds()).toEqual([first]);

    const second = await photoLands(job, 2);
    const third = await photoLands(job, 3, "completed");
    await Promise.all([...early, late].map((s) => s.done));

    for (const stream of [...early, late]) {
      expect(stream.photoIds()).toEqual([first, second, third]);
      expect(stream.events.at(-1)).toMatchObject({ status: "completed", completedPhotos: 3 });
      expect(stream.events.map((e) => e.completedPhotos)).toEqual([...stream.events.map((e) => e.completedPhotos)].sort());
    }
    expect(hub.polls).toBe(0);
    // One poll for all 51 streams: one read of the job per round, the rounds an interval apart
    // (a timer may fire a little early, hence the half).
    const reads = counting.jobReads();
    for (let i = 1; i < reads.length; i++) expect(reads[i]! - reads[i - 1]!).toBeGreaterThanOrEqual(intervalMs / 2);
    expect(counting.statements).toHaveLength(2 * reads.length);
  });

  it("stops polling when the last stream leaves, and a long stream keeps one abort listener", async () => {
    const job = await processingJob();
    const counting = countingDb();
    const hub = createProgressHub(counting.db, { intervalMs: 1 });
    const controller = new AbortController();
    const stream = collect(hub.watch(job.jobId, controller.signal));
    const other = hub.watch(job.jobId);
    await other.next();
    expect(hub.polls).toBe(1);
    await until(() => counting.jobReads().length >= 200);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);

    await other.return(undefined);
    expect(hub.polls).toBe(1);
    controller.abort();
    await stream.done;
    expect(hub.polls).toBe(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    expect(stream.events).toHaveLength(1);
    // The poll's sleep was woken and its loop ended: at most the round in flight finishes.
    const atLeave = counting.statements.length;
    await sleep(50);
    expect(counting.statements.length - atLeave).toBeLessThanOrEqual(2);
  });

  it("ends at once without an event for a job that does not exist", async () => {
    const hub = createProgressHub(testDb.db, { intervalMs: 10 });
    const events: JobProgress[] = [];
    for await (const event of hub.watch(999_999)) events.push(event);
    expect(events).toEqual([]);
    expect(hub.polls).toBe(0);
  });
});
