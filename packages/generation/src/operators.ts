/**
 * What the operators' console does with photosets: list stuck, failed and recent jobs, look into
 * one slot by slot, make a job's failed photos again, cancel a running job. Who may, and the
 * audit log, are the caller's (packages/api); refunds and deliveries follow through the job
 * finish hooks the caller passes, as when a worker ends a job.
 */
import { DomainError } from "@pinglass/core";
import { avatars, type DbOrTx, generationJobs, generationSlots, isRowId, released, rowsOf, type Tx } from "@pinglass/db";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { endJobAsItStands, type JobFinishHook, slotQueue } from "./slots.ts";

export const jobListKinds = ["stuck", "failed", "recent"] as const;
export type JobListKind = (typeof jobListKinds)[number];

/** A job as an operator sees it in a list. */
export interface JobRow {
  id: number;
  avatarId: number | null;
  userId: number | null;
  styleId: string | null;
  status: "processing" | "completed" | "failed";
  totalPhotos: number;
  completedPhotos: number;
  slots: { pending: number; running: number; succeeded: number; failed: number };
  paymentId: number | null;
  errorMessage: string | null;
  requestId: string | null;
  createdAt: Date | null;
  /** The last time the job or one of its slots changed. */
  lastProgressAt: Date | null;
  /** When its next slot is due (a retry after backoff, a provider poll), if one is waiting. */
  nextDueAt: Date | null;
}

interface RawJobRow {
  id: number;
  avatar_id: number | null;
  user_id: number | null;
  style_id: string | null;
  status: JobRow["status"] | null;
  total_photos: number | null;
  completed_photos: number | null;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  payment_id: number | null;
  error_message: string | null;
  request_id: string | null;
  created_at: Date | string | null;
  last_progress_at: Date | string | null;
  next_due_at: Date | string | null;
}

/** Drivers hand timestamps of raw queries back as Date or as text (UTC, without a zone). */
const dateOf = (value: Date | string | null): Date | null => (value === null ? null : value instanceof Date ? value : new Date(`${value.replace(" ", "T")}Z`));

const jobRowOf = (r: RawJobRow): JobRow => ({
  id: Number(r.id),
  avatarId: r.avatar_id === null ? null : Number(r.avatar_id),
  userId: r.user_id === null ? null : Number(r.user_id),
  styleId: r.style_id,
  status: r.status ?? "processing",
  totalPhotos: Number(r.total_photos ?? 0),
  completedPhotos: Number(r.completed_photos ?? 0),
  slots: { pending: Number(r.pending), running: Number(r.running), succeeded: Number(r.succeeded), failed: Number(r.failed) },
  paymentId: r.payment_id === null ? null : Number(r.payment_id),
  errorMessage: r.error_message,
  requestId: r.request_id,
  createdAt: dateOf(r.created_at),
  lastProgressAt: dateOf(r.last_progress_at),
  nextDueAt: dateOf(r.next_due_at),
});

const ts = (date: Date) => sql`${date.toISOString()}::timestamp`;

/** The jobs picked by `where` (over j, the job, and s, its slot counts), ordered, with their slot counts and owner. */
async function selectJobs(db: DbOrTx, where: ReturnType<typeof sql>, orderBy: ReturnType<typeof sql>, limit: number): Promise<JobRow[]> {
  const rows = rowsOf<RawJobRow>(
    await db.execute(sql`
      SELECT j.id, j.avatar_id, a.user_id, j.style_id, j.status, j.total_photos, j.completed_photos, j.payment_id, j.error_message, j.request_id, j.created_at,
        s.pending, s.running, s.succeeded, s.failed, greatest(j.updated_at, s.last_update) AS last_progress_at, s.next_due_at
      FROM generation_jobs j
      LEFT JOIN avatars a ON a.id = j.avatar_id
      CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE status = 'running')::int AS running,
          count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded, count(*) FILTER (WHERE status = 'failed')::int AS failed,
          max(updated_at) AS last_update, min(available_at) FILTER (WHERE status IN ('pending', 'running')) AS next_due_at
        FROM generation_slots WHERE job_id = j.id
      ) s
      WHERE ${where}
      ORDER BY ${orderBy}
      LIMIT ${limit}`),
  );
  return rows.map(jobRowOf);
}

/**
 * Jobs for the console: `stuck` are running jobs where nothing (the job, any of its slots) has
 * changed for longer than a slot's lease, longest first (a worker that holds a slot renews its
 * lease well within that, and a waiting slot is looked at again when due); `failed` are jobs
 * that ended with photos missing, latest first; `recent` are the latest jobs.
 */
export function listJobs(db: DbOrTx, kind: JobListKind, options: { now: Date; leaseMs: number; limit?: number }): Promise<JobRow[]> {
  const limit = options.limit ?? 50;
  switch (kind) {
    case "stuck":
      return selectJobs(
        db,
        sql`j.status = 'processing' AND greatest(j.updated_at, s.last_update) < ${ts(new Date(options.now.getTime() - options.leaseMs))}`,
        sql`greatest(j.updated_at, s.last_update), j.id`,
        limit,
      );
    case "failed":
      return selectJobs(db, sql`j.status = 'failed'`, sql`j.updated_at DESC, j.id DESC`, limit);
    case "recent":
      return selectJobs(db, sql`true`, sql`j.created_at DESC, j.id DESC`, limit);
  }
}

/** A user's jobs, latest first. */
export function jobsOfUser(db: DbOrTx, userId: number, limit = 50): Promise<JobRow[]> {
  return selectJobs(db, sql`a.user_id = ${userId}`, sql`j.created_at DESC, j.id DESC`, limit);
}

export interface SlotRow {
  id: number;
  position: number;
  sceneId: string;
  status: "pending" | "running" | "succeeded" | "failed";
  attempts: number;
  provider: string | null;
  providerTaskId: string | null;
  errorMessage: string | null;
  availableAt: Date;
  leaseExpiresAt: Date | null;
  updatedAt: Date;
}

/** A job with every slot (its photo's state, attempts, provider task and last error), in photo order. */
export async function jobDetail(db: DbOrTx, jobId: number): Promise<{ job: JobRow; slots: SlotRow[] }> {
  const [job] = isRowId(jobId) ? await selectJobs(db, sql`j.id = ${jobId}`, sql`j.id`, 1) : [];
  if (!job) throw new DomainError("NOT_FOUND", "errors.job.notFound");
  const slots = await db.select().from(generationSlots).where(eq(generationSlots.jobId, jobId)).orderBy(asc(generationSlots.position));
  return {
    job,
    slots: slots.map((s) => ({
      id: s.id,
      position: s.position,
      sceneId: s.sceneId,
      status: s.status,
      attempts: s.attempts,
      provider: s.provider,
      providerTaskId: s.providerTaskId,
      errorMessage: s.errorMessage,
      availableAt: s.availableAt,
      leaseExpiresAt: s.leaseExpiresAt,
      updatedAt: s.updatedAt,
    })),
  };
}

/** What a retry or a cancel changed, for the audit log. */
export interface JobState {
  status: JobRow["status"];
  completedPhotos: number;
  slots: JobRow["slots"];
}

async function lockedJob(tx: Tx, jobId: number) {
  const [job] = isRowId(jobId) ? await tx.select().from(generationJobs).where(eq(generationJobs.id, jobId)).for("update") : [];
  if (!job) throw new DomainError("NOT_FOUND", "errors.job.notFound");
  return job;
}

async function stateOf(tx: Tx, jobId: number): Promise<JobState> {
  const { job } = await jobDetail(tx, jobId);
  return { status: job.status, completedPhotos: job.completedPhotos, slots: job.slots };
}

/**
 * Makes a job's failed photos again, inside the caller's transaction: its failed slots go back
 * to pending with fresh attempts, and a job that had ended runs again (its avatar with it, unless
 * the avatar is busy with another photoset). The workers take the slots as new work; when the
 * job ends again its finish hooks run again (its refund worked out anew if none was sent, its
 * new photos delivered). The job row is locked, as when slots end, so a worker cannot end it
 * half-way through.
 */
export async function retryFailedSlots(tx: Tx, jobId: number, now: Date): Promise<{ before: JobState; after: JobState; retried: number }> {
  const job = await lockedJob(tx, jobId);
  const before = await stateOf(tx, jobId);
  if (before.slots.failed === 0) throw new DomainError("CONFLICT", "errors.admin.job.nothingToRetry");
  if (job.status !== "processing") {
    const [avatar] = job.avatarId === null ? [] : await tx.select().from(avatars).where(eq(avatars.id, job.avatarId)).for("update");
    if (!avatar) throw new DomainError("CONFLICT", "errors.admin.job.avatarGone");
    if (avatar.status === "processing") throw new DomainError("CONFLICT", "errors.avatar.busy");
    await tx.update(generationJobs).set({ status: "processing", errorMessage: null, updatedAt: now }).where(eq(generationJobs.id, jobId));
    await tx.update(avatars).set({ status: "processing", updatedAt: now }).where(eq(avatars.id, avatar.id));
  }
  const retried = await tx
    .update(generationSlots)
    .set({ ...released(slotQueue), status: "pending", attempts: 0, providerTaskId: null, errorMessage: null, availableAt: now, updatedAt: now })
    .where(and(eq(generationSlots.jobId, jobId), eq(generationSlots.status, "failed")))
    .returning({ id: generationSlots.id });
  return { before, after: await stateOf(tx, jobId), retried: retried.length };
}

/**
 * Cancels a running job, inside the caller's transaction: every photo not made yet fails with
 * `reason` (a worker still holding one loses it: its writes are fenced by the claim it no longer
 * has), and the job ends as it stands through the finish hooks, so the unmade photos are refunded
 * by the same path as failed ones (no remake rounds) and the photos made are delivered.
 */
export async function cancelJob(tx: Tx, jobId: number, now: Date, reason: string, hooks: readonly JobFinishHook[]): Promise<{ before: JobState; after: JobState; canceled: number }> {
  const job = await lockedJob(tx, jobId);
  if (job.status !== "processing") throw new DomainError("CONFLICT", "errors.admin.job.notRunning");
  const before = await stateOf(tx, jobId);
  const canceled = await tx
    .update(generationSlots)
    .set({ ...released(slotQueue), status: "failed", errorMessage: reason, updatedAt: now })
    .where(and(eq(generationSlots.jobId, jobId), inArray(generationSlots.status, ["pending", "running"])))
    .returning({ id: generationSlots.id });
  await endJobAsItStands(tx, jobId, now, hooks);
  return { before, after: await stateOf(tx, jobId), canceled: canceled.length };
}

/** The overview's figures of generation. */
export interface GenerationOverview {
  inFlight: number;
  stuck: number;
  /** Of the jobs and slots that ended in the last day, how many failed. */
  lastDay: { jobs: number; failedJobs: number; slots: number; failedSlots: number };
}

export async function generationOverview(db: DbOrTx, now: Date, leaseMs: number): Promise<GenerationOverview> {
  const dayAgo = ts(new Date(now.getTime() - 86_400_000));
  const [jobs] = rowsOf<{ in_flight: number; stuck: number; ended: number; failed: number }>(
    await db.execute(sql`
      SELECT
        (SELECT count(*)::int FROM generation_jobs WHERE status = 'processing') AS in_flight,
        (SELECT count(*)::int FROM generation_jobs j WHERE j.status = 'processing' AND j.updated_at < ${ts(new Date(now.getTime() - leaseMs))}
          AND NOT EXISTS (SELECT 1 FROM generation_slots s WHERE s.job_id = j.id AND s.updated_at >= ${ts(new Date(now.getTime() - leaseMs))})) AS stuck,
        count(*) FILTER (WHERE status IN ('completed', 'failed'))::int AS ended,
        count(*) FILTER (WHERE status = 'failed')::int AS failed
      FROM generation_jobs WHERE updated_at >= ${dayAgo}`),
  );
  // Slots of the jobs touched in the last day: their slots ended within it or are still going.
  const [slots] = rowsOf<{ ended: number; failed: number }>(
    await db.execute(sql`
      SELECT count(*) FILTER (WHERE s.status IN ('succeeded', 'failed') AND s.updated_at >= ${dayAgo})::int AS ended,
        count(*) FILTER (WHERE s.status = 'failed' AND s.updated_at >= ${dayAgo})::int AS failed
      FROM generation_slots s JOIN generation_jobs j ON j.id = s.job_id
      WHERE j.updated_at >= ${dayAgo}`),
  );
  return {
    inFlight: Number(jobs?.in_flight ?? 0),
    stuck: Number(jobs?.stuck ?? 0),
    lastDay: { jobs: Number(jobs?.ended ?? 0), failedJobs: Number(jobs?.failed ?? 0), slots: Number(slots?.ended ?? 0), failedSlots: Number(slots?.failed ?? 0) },
  };
}

/** Jobs by status and the slots waiting or being made (the /metrics gauges): each an index's count. */
export async function generationCounts(db: DbOrTx): Promise<{ jobs: Record<string, number>; slots: { pending: number; running: number } }> {
  const jobRows = await db.select({ status: generationJobs.status, n: sql<number>`count(*)::int` }).from(generationJobs).groupBy(generationJobs.status);
  const slotRows = await db
    .select({ status: generationSlots.status, n: sql<number>`count(*)::int` })
    .from(generationSlots)
    .where(inArray(generationSlots.status, ["pending", "running"]))
    .groupBy(generationSlots.status);
  const slotCount = (status: string) => Number(slotRows.find((r) => r.status === status)?.n ?? 0);
  return {
    jobs: Object.fromEntries(jobRows.filter((r) => r.status !== null).map((r) => [r.status!, Number(r.n)])),
    slots: { pending: slotCount("pending"), running: slotCount("running") },
  };
}
