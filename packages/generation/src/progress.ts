import { sleep } from "@pinglass/core";
import { type Db, generatedPhotos, generationJobs } from "@pinglass/db";
import { and, asc, eq, gt } from "drizzle-orm";

export type Photo = typeof generatedPhotos.$inferSelect;

export interface JobProgress {
  jobId: number;
  status: "processing" | "completed" | "failed";
  completedPhotos: number;
  totalPhotos: number;
  errorMessage: string | null;
  /** Photos that landed since the previous event, oldest first. */
  newPhotos: Photo[];
}

export interface ProgressHub {
  /**
   * The progress of a job as it happens: one event at once, then one whenever a photo lands or
   * the job ends, and nothing after the end. The caller checks ownership first.
   */
  watch(jobId: number, signal?: AbortSignal): AsyncGenerator<JobProgress>;
  /** Jobs being polled right now (one poll per job, however many streams watch it). */
  readonly polls: number;
}

/** What the last read of a job saw; `photos` are all of its photos so far, oldest first. */
interface Snapshot {
  job: Omit<JobProgress, "newPhotos">;
  photos: Photo[];
}

interface Poll {
  subscribers: Set<() => void>;
  /** Bumped on every read that saw something new; each stream remembers the one it last looked at. */
  version: number;
  /** null until the first read; "gone" when the job does not exist. */
  snapshot: Snapshot | "gone" | null;
  failure: unknown;
  done: boolean;
  /** Wakes the poll's sleep when its last stream leaves. */
  stop: AbortController;
}

/**
 * Progress streams that share one poll per job: the first stream of a job starts reading it
 * (two queries every intervalMs), the last one leaving stops that. Thousands of streams of one
 * job cost the database what one does. It reads the database, so it sees the work of workers in
 * any process.
 */
export function createProgressHub(db: Db, options: { intervalMs: number }): ProgressHub {
  const polls = new Map<number, Poll>();

  async function run(jobId: number, poll: Poll) {
    let lastPhotoId = 0;
    let previous: string | null = null;
    try {
      while (poll.subscribers.size > 0) {
        const [job] = await db.select().from(generationJobs).where(eq(generationJobs.id, jobId));
        if (!job) {
          poll.snapshot = "gone";
          poll.done = true;
          break;
        }
        const newPhotos = await db
          .select()
          .from(generatedPhotos)
          .where(and(eq(generatedPhotos.jobId, jobId), gt(generatedPhotos.id, lastPhotoId)))
          .orderBy(asc(generatedPhotos.id));
        lastPhotoId = newPhotos.at(-1)?.id ?? lastPhotoId;
        const status = job.status ?? "processing";
        const state = `${status}:${job.completedPhotos ?? 0}`;
        if (previous === null || newPhotos.length > 0 || state !== previous) {
          const photos = poll.snapshot && poll.snapshot !== "gone" ? [...poll.snapshot.photos, ...newPhotos] : newPhotos;
          poll.snapshot = {
            job: { jobId, status, completedPhotos: job.completedPhotos ?? 0, totalPhotos: job.totalPhotos ?? 0, errorMessage: job.errorMessage },
            photos,
          };
          poll.done = status !== "processing";
          poll.version++;
          for (const wake of poll.subscribers) wake();
        }
        previous = state;
        if (poll.done) break;
        await sleep(options.intervalMs, poll.stop.signal);
      }
    } catch (error) {
      poll.failure = error;
      poll.done = true;
    } finally {
      if (polls.get(jobId) === poll) polls.delete(jobId);
      poll.version++;
      for (const wake of poll.subscribers) wake();
    }
  }

  function join(jobId: number, wake: () => void): Poll {
    let poll = polls.get(jobId);
    if (!poll) {
      poll = { subscribers: new Set(), version: 0, snapshot: null, failure: undefined, done: false, stop: new AbortController() };
      polls.set(jobId, poll);
      poll.subscribers.add(wake);
      void run(jobId, poll);
    } else {
      poll.subscribers.add(wake);
    }
    return poll;
  }

  function leave(jobId: number, poll: Poll, wake: () => void) {
    poll.subscribers.delete(wake);
    if (poll.subscribers.size > 0) return;
    if (polls.get(jobId) === poll) polls.delete(jobId);
    poll.stop.abort();
  }

  return {
    get polls() {
      return polls.size;
    },
    async *watch(jobId, signal) {
      if (signal?.aborted) return;
      let pending: (() => void) | null = null;
      const wake = () => {
        const resolve = pending;
        pending = null;
        resolve?.();
      };
      const poll = join(jobId, wake);
      // One listener for the whole stream, however long it runs.
      signal?.addEventListener("abort", wake);
      try {
        let seenVersion = 0;
        let sentPhotos = 0;
        let sentState: string | null = null;
        while (!signal?.aborted) {
          if (poll.version === seenVersion) {
            if (poll.done) return;
            await new Promise<void>((resolve) => (pending = resolve));
            continue;
          }
          seenVersion = poll.version;
          const snapshot = poll.snapshot;
          if (snapshot === "gone") return;
          if (snapshot) {
            const newPhotos = snapshot.photos.slice(sentPhotos);
            const state = `${snapshot.job.status}:${snapshot.job.completedPhotos}`;
            if (sentState === null || newPhotos.length > 0 || state !== sentState) {
              sentPhotos = snapshot.photos.length;
              sentState = state;
              yield { ...snapshot.job, newPhotos };
            }
            if (snapshot.job.status !== "processing") return;
          }
          if (poll.failure !== undefined) throw poll.failure;
        }
      } finally {
        signal?.removeEventListener("abort", wake);
        leave(jobId, poll, wake);
      }
    },
  };
}

const hubs = new WeakMap<Db, Map<number, ProgressHub>>();

/** A job's progress through the one hub of this database and interval, so streams in this process share their polls. */
export function watchJob(db: Db, jobId: number, options: { intervalMs?: number; signal?: AbortSignal } = {}): AsyncGenerator<JobProgress> {
  const intervalMs = options.intervalMs ?? 1000;
  let byInterval = hubs.get(db);
  if (!byInterval) hubs.set(db, (byInterval = new Map()));
  let hub = byInterval.get(intervalMs);
  if (!hub) byInterval.set(intervalMs, (hub = createProgressHub(db, { intervalMs })));
  return hub.watch(jobId, options.signal);
}
