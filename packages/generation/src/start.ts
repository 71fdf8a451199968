import { requireOwnedAvatar } from "@pinglass/accounts";
import { type Clock, DomainError } from "@pinglass/core";
import { avatars, type Db, type DbOrTx, generatedPhotos, generationJobs, generationSlots, type Tx } from "@pinglass/db";
import { requireEnoughReferences } from "@pinglass/media";
import { type Payment, takePaidPhotoset } from "@pinglass/payments";
import { and, eq, sql } from "drizzle-orm";
import { type Scene, scenesOf } from "./scenes.ts";
import { promptFor, requireStyle, type StyleId } from "./styles.ts";

export type Job = typeof generationJobs.$inferSelect;

export interface StartJobInput {
  userId: number;
  avatarId: number;
  styleId: string;
  /** A specific paid photoset to use; the oldest unused one otherwise. */
  paymentId?: number;
  /** The request that starts it (x-request-id): the job keeps it, and the worker's lines about it carry it. */
  requestId?: string | null;
}

/**
 * Starts a photoset: takes one paid, unused photoset of this user (takePaidPhotoset), creates the
 * job with one slot per paid photo and moves the avatar to processing, all in one transaction. The
 * avatar row lock serialises starts on one avatar; the unique generation_jobs.payment_id backs the
 * payment's own lock. The photo count comes from the payment, never from the client. Asking again
 * for a payment whose photoset already started on this avatar and style (the bank's notification
 * started it, or a second tap) answers with that job.
 */
export async function startJob(db: Db, clock: Clock, input: StartJobInput): Promise<Job> {
  return db.transaction((tx) => startJobIn(tx, clock, input));
}

/** startJob inside the caller's transaction. */
export async function startJobIn(tx: Tx, clock: Clock, input: StartJobInput): Promise<Job> {
  const style = requireStyle(input.styleId);
  const avatar = await requireOwnedAvatar(tx, input.userId, input.avatarId, { forUpdate: true });
  if (input.paymentId !== undefined) {
    const [started] = await tx
      .select()
      .from(generationJobs)
      .where(and(eq(generationJobs.paymentId, input.paymentId), eq(generationJobs.avatarId, avatar.id), eq(generationJobs.styleId, style.id)));
    if (started) return started;
  }
  if (avatar.status === "processing") throw new DomainError("CONFLICT", "errors.avatar.busy");

  await requireEnoughReferences(tx, avatar.id);

  const now = clock.now();
  const payment = await takePaidPhotoset(tx, now, input.userId, input.paymentId);
  const photoCount = payment.photoCount;
  const [job] = await tx
    .insert(generationJobs)
    .values({ avatarId: avatar.id, styleId: style.id, status: "processing", totalPhotos: photoCount, completedPhotos: 0, paymentId: payment.id, requestId: input.requestId ?? null, createdAt: now, updatedAt: now })
    .returning();
  const chosen = await nextScenes(tx, avatar.id, style.id, photoCount);
  await tx.insert(generationSlots).values(
    chosen.map((scene, position) => ({ jobId: job!.id, position, sceneId: scene.id, prompt: promptFor(style, scene), availableAt: now, createdAt: now, updatedAt: now })),
  );
  await tx.update(avatars).set({ status: "processing", updatedAt: now }).where(eq(avatars.id, avatar.id));
  return job!;
}

/**
 * The payments' onPaid hook: a payment bound to an avatar and style, just recorded as paid inside
 * `tx`, starts its photoset there through the same rule and checks as the app's start (the avatar
 * is still the payer's, not busy, has enough selfies). When one of them fails the start is undone
 * (a savepoint) and the payment stays an unused paid photoset, which the app offers to use; any
 * other failure undoes the whole transaction, so the bank's resend tries again.
 */
export function startPaidPhotoset(clock: Clock) {
  return async (tx: DbOrTx, payment: Payment, requestId: string | null): Promise<void> => {
    if (payment.userId === null || payment.avatarId === null || payment.styleId === null) return;
    const input = { userId: payment.userId, avatarId: payment.avatarId, styleId: payment.styleId, paymentId: payment.id, requestId };
    try {
      await tx.transaction((savepoint) => startJobIn(savepoint, clock, input));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  };
}

/**
 * The scenes of a new photoset, from the style's own 23: those this avatar has had least often in
 * this style, in catalogue order, so no scene repeats within a photoset. "More photos" takes
 * scenes it has never had first; only once all 23 are used does a photoset start a new round of
 * them (rendered with a new seed, see seedFor).
 */
export async function nextScenes(db: Db | Tx, avatarId: number, styleId: StyleId, count: number): Promise<Scene[]> {
  const made = await db
    .select({ sceneId: generatedPhotos.sceneId, n: sql<number>`count(*)::int` })
    .from(generatedPhotos)
    .where(and(eq(generatedPhotos.avatarId, avatarId), eq(generatedPhotos.styleId, styleId)))
    .groupBy(generatedPhotos.sceneId);
  const times = new Map(made.map((row) => [row.sceneId, Number(row.n)]));
  const catalogue = scenesOf(styleId);
  const order = new Map(catalogue.map((s, i) => [s.id, i]));
  const ranked = [...catalogue].sort((a, b) => (times.get(a.id) ?? 0) - (times.get(b.id) ?? 0) || order.get(a.id)! - order.get(b.id)!);
  return ranked.slice(0, count);
}

/** Per scene, how many photos of it in this style the avatar had before this job (0: the first round). */
export async function roundsBefore(db: Db | Tx, job: Job): Promise<Map<string, number>> {
  const rows = await db
    .select({ sceneId: generatedPhotos.sceneId, n: sql<number>`count(*)::int` })
    .from(generatedPhotos)
    .where(and(eq(generatedPhotos.avatarId, job.avatarId!), eq(generatedPhotos.styleId, job.styleId!), sql`${generatedPhotos.jobId} < ${job.id}`))
    .groupBy(generatedPhotos.sceneId);
  return new Map(rows.map((row) => [row.sceneId ?? "", Number(row.n)]));
}

/** Stable per avatar, style and scene; a later round of the same scene gets a new one. */
export function seedFor(avatarId: number, styleId: string, sceneId: string, round: number): string {
  return round === 0 ? `${avatarId}:${styleId}:${sceneId}` : `${avatarId}:${styleId}:${sceneId}:${round}`;
}
