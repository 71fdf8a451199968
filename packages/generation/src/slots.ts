/**
 * The slot rows as a work list shared by every worker process through Postgres (the leased-row
 * queue of @pinglass/db, with generation's caps on top), and the transactions that end a slot
 * and, with the last slot, its job. Times come from the Clock, so tests move them.
 */
import { defaultLocale, translate } from "@pinglass/core";
import { avatars, claimRows, type Db, type ExpiringLease, generatedPhotos, generationJobs, generationSlots, isClaimable, type LeasedTable, released, retryLater, rowsOf, type Tx, updateHeld } from "@pinglass/db";
import { remakeInsteadOfRefund } from "@pinglass/payments";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Job } from "./start.ts";

export type Slot = typeof generationSlots.$inferSelect;

export const slotQueue: LeasedTable<typeof generationSlots, ExpiringLease> = {
  table: generationSlots,
  key: generationSlots.id,
  attempts: generationSlots.attempts,
  lease: { availableAt: generationSlots.availableAt, expiresAt: generationSlots.leaseExpiresAt, token: generationSlots.claimToken },
};

/** Runs inside the transaction that ends a job (outbox style): payments and telegram register theirs. */
export type JobFinishHook = (tx: Tx, job: Job) => Promise<void>;

/** Runs inside the transaction that stores photos, before their jobs end (developer webhooks register theirs). */
export type PhotosCreatedHook = (tx: Tx, photos: (typeof generatedPhotos.$inferSelect)[]) => Promise<void>;

const ts = (date: Date) => sql`${date.toISOString()}::timestamp`;

/** Serialises claims across processes, so per-job and per-provider caps hold exactly. */
const claimLockKey = 7_270_001;

export interface ClaimLimits {
  provider: string;
  /** Slots this worker can take on now. */
  capacity: number;
  /** Slots one job may have in flight (held by a worker or waiting at the provider). */
  perJob: number;
  /** The provider's cap on tasks in flight. */
  providerCap: number;
  leaseMs: number;
  /**
   * Slots this worker holds whose render is over (their photos are being stored): still running,
   * but no longer in flight at the provider, so they count against neither cap. Another worker's
   * such slots still count: the caps can be undershot for a moment, never exceeded.
   */
  settling?: readonly number[];
}

/**
 * Claims slots that are due: pending ones whose available_at has come (new work or a retry after
 * backoff), running ones whose lease expired (a crashed worker's) or whose poll time came (a remote
 * task waiting for its callback). New work is limited per job and per provider (slots in flight
 * at the provider); taking back a running slot adds nothing in flight, so it always may. The
 * slots are chosen under the caps here, then claimed (leased) by the queue helper.
 */
export async function claimSlots(db: Db, now: Date, limits: ClaimLimits): Promise<Slot[]> {
  if (limits.capacity <= 0) return [];
  const atProvider = limits.settling?.length ? sql` AND id NOT IN (${sql.join(limits.settling.map((id) => sql`${id}`), sql`, `)})` : sql``;
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${claimLockKey})`);
    // Taken back first: expired leases of crashed workers, and remote tasks due for a poll.
    const due = rowsOf<{ id: number }>(
      await tx.execute(sql`
        SELECT generation_slots.id FROM generation_slots JOIN generation_jobs j ON j.id = generation_slots.job_id
        WHERE j.status = 'processing' AND generation_slots.status = 'running' AND ${isClaimable(slotQueue, now, { leaseMs: limits.leaseMs })}
        ORDER BY generation_slots.available_at, generation_slots.id
        LIMIT ${limits.capacity}`),
    );
    const [inFlight] = rowsOf<{ n: number }>(
      await tx.execute(sql`SELECT count(*)::int AS n FROM generation_slots WHERE status = 'running' AND provider = ${limits.provider}${atProvider}`),
    );
    const room = Math.min(limits.capacity - due.length, limits.providerCap - Number(inFlight?.n ?? 0));
    // New work: per processing job, its next due pending slots up to what the job may still have
    // in flight; taken across jobs position by position, so jobs share the provider fairly.
    const fresh =
      room <= 0
        ? []
        : rowsOf<{ id: number }>(
            await tx.execute(sql`
              SELECT next.id FROM generation_jobs j
              CROSS JOIN LATERAL (
                SELECT s.id, s.position FROM generation_slots s
                WHERE s.job_id = j.id AND s.status = 'pending' AND s.available_at <= ${ts(now)}
                ORDER BY s.position
                LIMIT greatest(0, ${limits.perJob} - (SELECT count(*) FROM generation_slots WHERE job_id = j.id AND status = 'running'${atProvider}))
              ) next
              WHERE j.status = 'processing'
              ORDER BY next.position, j.id
              LIMIT ${room}`),
          );
    const ids = [...due, ...fresh].map((row) => Number(row.id));
    if (ids.length === 0) return [];
    return claimRows(tx, slotQueue, {
      now,
      leaseMs: limits.leaseMs,
      limit: ids.length,
      where: and(inArray(generationSlots.id, ids), inArray(generationSlots.status, ["pending", "running"])),
      // A claim without a provider task is a (re)submission and counts as an attempt; so is a task
      // of another provider (the configuration changed): it is submitted again to this one.
      countAttempt: sql`${generationSlots.providerTaskId} IS NULL OR ${generationSlots.provider} IS DISTINCT FROM ${limits.provider}`,
      set: {
        status: "running",
        providerTaskId: sql`CASE WHEN ${generationSlots.provider} IS DISTINCT FROM ${limits.provider} THEN NULL ELSE ${generationSlots.providerTaskId} END`,
        provider: limits.provider,
        updatedAt: now,
      },
    });
  });
}

/** Takes the slot of a provider task whose callback just arrived (before its poll time), unless a worker holds it. */
export async function claimTask(db: Db, now: Date, provider: string, taskId: string, leaseMs: number): Promise<Slot | null> {
  const [slot] = await claimRows(db, slotQueue, {
    now,
    leaseMs,
    limit: 1,
    early: true,
    where: and(
      eq(generationSlots.provider, provider),
      eq(generationSlots.providerTaskId, taskId),
      eq(generationSlots.status, "running"),
      sql`EXISTS (SELECT 1 FROM generation_jobs j WHERE j.id = ${generationSlots.jobId} AND j.status = 'processing')`,
    ),
    set: { updatedAt: now },
  });
  return slot ?? null;
}

/** The provider took the task: the slot waits for its callback, or for its poll time. */
export async function markSubmitted(db: Db, slot: Slot, taskId: string, pollAt: Date, now: Date): Promise<void> {
  await updateHeld(db, slotQueue, slot, { ...released(slotQueue), providerTaskId: taskId, availableAt: pollAt, updatedAt: now });
}

/** The provider is still working: look again at pollAt. */
export async function markWaiting(db: Db, slot: Slot, pollAt: Date, now: Date): Promise<void> {
  await updateHeld(db, slotQueue, slot, { ...released(slotQueue), availableAt: pollAt, updatedAt: now });
}

/**
 * A transient failure after `attempts` attempts: try again after the backoff (or `retryAfterMs`,
 * when the provider asked for longer). When the provider said the render itself failed
 * (`renderAgain`), its task is dropped and the next claim submits anew (counting that attempt).
 * Otherwise a slot whose task is still at the provider keeps it (a failed poll is not a failed
 * render) and its attempt is counted here, since its next claim will not count it.
 */
export async function scheduleRetry(db: Db, slot: Slot, now: Date, retry: { reason: string; attempts: number; retryAfterMs?: number; renderAgain: boolean }): Promise<void> {
  const keepTask = slot.providerTaskId !== null && !retry.renderAgain;
  await updateHeld(db, slotQueue, slot, {
    ...retryLater(slotQueue, { attempts: retry.attempts, now, atLeastMs: retry.retryAfterMs }),
    status: keepTask ? "running" : "pending",
    providerTaskId: keepTask ? slot.providerTaskId : null,
    errorMessage: retry.reason,
    updatedAt: now,
  });
}

/**
 * The likeness gate refused the render: the slot is submitted again at once, with a new seed (see
 * the worker's requestFor). It is the same attempt as far as the provider's failures go: only the
 * gate's own count (likeness_rejections) grows.
 */
export async function renderAgain(db: Db, slot: Slot, now: Date, likenessRejections: number): Promise<void> {
  await updateHeld(db, slotQueue, slot, {
    ...released(slotQueue),
    status: "pending",
    providerTaskId: null,
    likenessRejections,
    // The next claim counts a submission as an attempt; this one is not the provider's failure.
    attempts: Math.max(0, slot.attempts - 1),
    availableAt: now,
    updatedAt: now,
  });
}

/** The slot will never make its photo; with the last slot, the job ends. */
export async function failSlot(db: Db, slot: Slot, reason: string, now: Date, hooks: readonly JobFinishHook[]): Promise<void> {
  await db.transaction(async (tx) => {
    await lockJobs(tx, [slot.jobId]);
    const failed = await updateHeld(tx, slotQueue, slot, { ...released(slotQueue), status: "failed", errorMessage: reason, updatedAt: now });
    if (failed) await endJobsIfDone(tx, [slot.jobId], now, hooks);
  });
}

export interface StoredPhoto {
  imageKey: string;
  thumbnailKey: string;
}

export interface FinishedSlot {
  slot: Slot;
  job: Job;
  photo: StoredPhoto;
  /** The likeness gate's score of the photo (null: the gate did not look at it). */
  likeness?: number | null;
}

/**
 * Writes photos, their slots' success and their jobs' counters in one transaction (a group
 * commit: photos that land together cost one commit, not one each); with a job's last slot, the
 * job ends too. Returns the ids of the slots finished here; a slot already done (another worker
 * finished it after this one's lease ran out) is left out, and the unique slot_id makes a second
 * photo impossible anyway.
 */
export async function finishSlots(
  db: Db,
  finished: readonly FinishedSlot[],
  now: Date,
  hooks: readonly JobFinishHook[],
  photoHooks: readonly PhotosCreatedHook[] = [],
): Promise<Set<number>> {
  if (finished.length === 0) return new Set();
  return db.transaction(async (tx) => {
    const jobIds = [...new Set(finished.map((f) => f.slot.jobId))];
    await lockJobs(tx, jobIds);
    const marked = await tx
      .update(generationSlots)
      .set({ ...released(slotQueue), status: "succeeded", errorMessage: null, updatedAt: now })
      .where(and(inArray(generationSlots.id, finished.map((f) => f.slot.id)), inArray(generationSlots.status, ["pending", "running"])))
      .returning({ id: generationSlots.id });
    const done = new Set(marked.map((row) => row.id));
    const written = finished.filter((f) => done.has(f.slot.id));
    if (written.length === 0) return done;
    const photos = await tx
      .insert(generatedPhotos)
      .values(
        written.map(({ slot, job, photo, likeness }) => ({
          avatarId: job.avatarId,
          styleId: job.styleId,
          prompt: slot.prompt,
          imageUrl: photo.imageKey,
          thumbnailUrl: photo.thumbnailKey,
          jobId: job.id,
          slotId: slot.id,
          sceneId: slot.sceneId,
          likeness: likeness ?? null,
          createdAt: now,
        })),
      )
      .returning();
    for (const hook of photoHooks) await hook(tx, photos);
    const perJob = new Map<number, number>();
    for (const { slot } of written) perJob.set(slot.jobId, (perJob.get(slot.jobId) ?? 0) + 1);
    await tx.execute(sql`
      UPDATE generation_jobs SET completed_photos = completed_photos + v.n, updated_at = ${ts(now)}
      FROM (VALUES ${sql.join([...perJob].map(([jobId, n]) => sql`(${jobId}::int, ${n}::int)`), sql`, `)}) AS v(id, n)
      WHERE generation_jobs.id = v.id`);
    await endJobsIfDone(tx, [...perJob.keys()], now, hooks);
    return done;
  });
}

/**
 * Slots of one job end one at a time, so exactly one of them sees that all are done. Jobs are
 * locked in id order, so two workers finishing slots of the same jobs never deadlock.
 */
async function lockJobs(tx: Tx, jobIds: number[]): Promise<void> {
  await tx.select({ id: generationJobs.id }).from(generationJobs).where(inArray(generationJobs.id, jobIds)).orderBy(asc(generationJobs.id)).for("update");
}

/** Ends each of these jobs whose every slot has ended. */
async function endJobsIfDone(tx: Tx, jobIds: number[], now: Date, hooks: readonly JobFinishHook[]): Promise<void> {
  const counts = await tx
    .select({
      jobId: generationSlots.jobId,
      total: sql<number>`count(*)::int`,
      succeeded: sql<number>`count(*) FILTER (WHERE ${generationSlots.status} = 'succeeded')::int`,
      failed: sql<number>`count(*) FILTER (WHERE ${generationSlots.status} = 'failed')::int`,
    })
    .from(generationSlots)
    .where(inArray(generationSlots.jobId, jobIds))
    .groupBy(generationSlots.jobId)
    .orderBy(asc(generationSlots.jobId));
  for (const count of counts) {
    const failed = Number(count.failed);
    if (Number(count.succeeded) + failed === Number(count.total)) await endJob(tx, count.jobId, failed, Number(count.total), now, hooks);
  }
}

/**
 * Ends a job whose every slot has ended, as it stands: no remake rounds (an operator cancelled
 * it), its finish hooks as always. The caller holds the job's row lock.
 */
export async function endJobAsItStands(tx: Tx, jobId: number, now: Date, hooks: readonly JobFinishHook[]): Promise<void> {
  const [count] = await tx
    .select({ total: sql<number>`count(*)::int`, failed: sql<number>`count(*) FILTER (WHERE ${generationSlots.status} = 'failed')::int` })
    .from(generationSlots)
    .where(eq(generationSlots.jobId, jobId));
  await endJob(tx, jobId, Number(count?.failed ?? 0), Number(count?.total ?? 0), now, hooks, false);
}

async function endJob(tx: Tx, jobId: number, failed: number, total: number, now: Date, hooks: readonly JobFinishHook[], remake = true): Promise<void> {
  // A payment that can only be refunded whole (Telegram Stars) gets its missing photos made again instead, a bounded number of times.
  const [paid] = await tx.select({ paymentId: generationJobs.paymentId }).from(generationJobs).where(eq(generationJobs.id, jobId));
  if (remake && paid && (await remakeInsteadOfRefund(tx, paid, failed, total))) {
    await tx
      .update(generationSlots)
      .set({ ...released(slotQueue), status: "pending", attempts: 0, providerTaskId: null, errorMessage: null, availableAt: now, updatedAt: now })
      .where(and(eq(generationSlots.jobId, jobId), eq(generationSlots.status, "failed")));
    return;
  }
  const [job] = await tx
    .update(generationJobs)
    .set({
      status: failed === 0 ? "completed" : "failed",
      errorMessage: failed === 0 ? null : translate("errors.generation.jobPartlyFailed", defaultLocale, { failed, total }),
      updatedAt: now,
    })
    .where(and(eq(generationJobs.id, jobId), eq(generationJobs.status, "processing")))
    .returning();
  if (!job) return;

  const [first] = await tx
    .select({ image: generatedPhotos.imageUrl, thumbnail: generatedPhotos.thumbnailUrl })
    .from(generatedPhotos)
    .innerJoin(generationSlots, eq(generationSlots.id, generatedPhotos.slotId))
    .where(eq(generatedPhotos.jobId, jobId))
    .orderBy(asc(generationSlots.position))
    .limit(1);
  if (first) {
    await tx.update(avatars).set({ status: "ready", thumbnailUrl: first.thumbnail ?? first.image, updatedAt: now }).where(eq(avatars.id, job.avatarId!));
  } else {
    // Nothing new: the avatar is ready only if an earlier photoset left photos.
    await tx
      .update(avatars)
      .set({ status: sql`CASE WHEN EXISTS (SELECT 1 FROM generated_photos gp WHERE gp.avatar_id = ${job.avatarId}) THEN 'ready' ELSE 'draft' END`, updatedAt: now })
      .where(eq(avatars.id, job.avatarId!));
  }
  for (const hook of hooks) await hook(tx, job);
}
