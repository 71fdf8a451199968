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

/**
 * The progress of a job as it happens: one event at once, then one whenever a photo lands or the
 * job ends, and nothing after the end. It reads the database (every intervalMs), so it sees the
 * work of workers in any process. The caller checks ownership first.
 */
export async function* watchJob(db: Db, jobId: number, options: { intervalMs?: number; signal?: AbortSignal } = {}): AsyncGenerator<JobProgress> {
  const intervalMs = options.intervalMs ?? 1000;
  let lastPhotoId = 0;
  let previous: string | null = null;
  while (!options.signal?.aborted) {
    const [job] = await db.select().from(generationJobs).where(eq(generationJobs.id, jobId));
    if (!job) return;
    const newPhotos = await db
      .select()
      .from(generatedPhotos)
      .where(and(eq(generatedPhotos.jobId, jobId), gt(generatedPhotos.id, lastPhotoId)))
      .orderBy(asc(generatedPhotos.id));
    lastPhotoId = newPhotos.at(-1)?.id ?? lastPhotoId;
    const event: JobProgress = {
      jobId,
      status: job.status ?? "processing",
      completedPhotos: job.completedPhotos ?? 0,
      totalPhotos: job.totalPhotos ?? 0,
      errorMessage: job.errorMessage,
      newPhotos,
    };
    const state = `${event.status}:${event.completedPhotos}`;
    if (previous === null || newPhotos.length > 0 || state !== previous) yield event;
    previous = state;
    if (event.status !== "processing") return;
    await sleep(intervalMs, options.signal);
  }
}
