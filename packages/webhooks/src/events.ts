/**
 * The events developers can subscribe to, queued inside the transaction of the change they report
 * (an outbox): a job that ends, a photo that is stored, a payment that is paid or refunded is
 * never without its deliveries, and a rolled-back change never sends one. The domains call these
 * through hooks the server injects (generation's finish and photo hooks, payments' status hook);
 * they never import this package.
 */
import type { Clock } from "@pinglass/core";
import { avatars, type DbOrTx, generationJobs, webhookDeliveries, webhookEndpoints, type WebhookEventType } from "@pinglass/db";
import { and, arrayContains, eq, inArray } from "drizzle-orm";
import { newMessageId } from "./signing.ts";

/** One event as its receivers get it: `{ type, timestamp, data }` (the Standard Webhooks shape). */
export interface WebhookEvent {
  type: WebhookEventType;
  /** Deliveries of one endpoint with the same key go out in the order they were queued (a job, a payment). */
  orderKey: string;
  data: Record<string, unknown>;
}

/** Queues each event for every endpoint listed with it (one webhook-id per event, shared by its endpoints). */
async function queue(tx: DbOrTx, now: Date, events: { event: WebhookEvent; endpointIds: number[] }[]): Promise<void> {
  const rows = events.flatMap(({ event, endpointIds }) => {
    if (endpointIds.length === 0) return [];
    const messageId = newMessageId();
    const payload = JSON.stringify({ type: event.type, timestamp: now.toISOString(), data: event.data });
    return endpointIds.map((endpointId) => ({ endpointId, messageId, eventType: event.type, orderKey: event.orderKey, payload, availableAt: now, createdAt: now }));
  });
  if (rows.length > 0) await tx.insert(webhookDeliveries).values(rows);
}

const subscribedTo = (type: WebhookEventType) => arrayContains(webhookEndpoints.events, [type]);

/** Endpoints of the owners of these avatars that take `type`, with the avatar each one is for. */
async function endpointsOfAvatars(tx: DbOrTx, avatarIds: number[], type: WebhookEventType) {
  if (avatarIds.length === 0) return [];
  return tx
    .select({ endpointId: webhookEndpoints.id, avatarId: avatars.id })
    .from(webhookEndpoints)
    .innerJoin(avatars, eq(avatars.userId, webhookEndpoints.userId))
    .where(and(inArray(avatars.id, avatarIds), subscribedTo(type)))
    .orderBy(webhookEndpoints.id);
}

type Job = typeof generationJobs.$inferSelect;

/** `job.completed`, or `job.failed` when some of its photos could not be made. */
async function queueJobEvent(tx: DbOrTx, now: Date, job: Job): Promise<void> {
  if (job.avatarId === null || (job.status !== "completed" && job.status !== "failed")) return;
  const type = job.status === "completed" ? "job.completed" : "job.failed";
  const endpoints = await endpointsOfAvatars(tx, [job.avatarId], type);
  const data = {
    jobId: job.id,
    avatarId: job.avatarId,
    styleId: job.styleId,
    status: job.status,
    totalPhotos: job.totalPhotos ?? 0,
    completedPhotos: job.completedPhotos ?? 0,
    paymentId: job.paymentId,
  };
  await queue(tx, now, [{ event: { type, orderKey: `job:${job.id}`, data }, endpointIds: endpoints.map((e) => e.endpointId) }]);
}

export interface CreatedPhoto {
  id: number;
  jobId: number | null;
  avatarId: number | null;
  styleId: string | null;
  sceneId: string | null;
  createdAt: Date | null;
}

/** `photo.created` for each stored photo, ordered with its job's events. */
async function queuePhotoEvents(tx: DbOrTx, now: Date, photos: readonly CreatedPhoto[]): Promise<void> {
  const endpoints = await endpointsOfAvatars(tx, [...new Set(photos.flatMap((p) => (p.avatarId === null ? [] : [p.avatarId])))], "photo.created");
  if (endpoints.length === 0) return;
  await queue(
    tx,
    now,
    photos.map((photo) => ({
      event: {
        type: "photo.created",
        orderKey: `job:${photo.jobId}`,
        data: { photoId: photo.id, jobId: photo.jobId, avatarId: photo.avatarId, styleId: photo.styleId, sceneId: photo.sceneId, createdAt: (photo.createdAt ?? now).toISOString() },
      },
      endpointIds: endpoints.filter((e) => e.avatarId === photo.avatarId).map((e) => e.endpointId),
    })),
  );
}

export interface ChangedPayment {
  id: number;
  userId: number | null;
  status: string | null;
  tierId: string | null;
  photoCount: number | null;
  amount: string | null;
  refundedAmount: string;
}

/** `payment.succeeded` when it is paid, `payment.refunded` when money went back (all of it: status `refunded`; a share: `refundedAmount`). */
async function queuePaymentEvent(tx: DbOrTx, now: Date, payment: ChangedPayment, change: "succeeded" | "refunded"): Promise<void> {
  if (payment.userId === null) return;
  const type = change === "succeeded" ? "payment.succeeded" : "payment.refunded";
  const endpoints = await tx
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.userId, payment.userId), subscribedTo(type)))
    .orderBy(webhookEndpoints.id);
  const data = {
    paymentId: payment.id,
    status: payment.status,
    tierId: payment.tierId,
    photoCount: payment.photoCount ?? 0,
    amount: payment.amount ?? "0.00",
    refundedAmount: payment.refundedAmount,
  };
  await queue(tx, now, [{ event: { type, orderKey: `payment:${payment.id}`, data }, endpointIds: endpoints.map((e) => e.id) }]);
}

/**
 * The hooks the server hands to the domains, each run inside the transaction of its change:
 * generation's job finish and photo hooks, and payments' status hook.
 */
export function webhookHooks(clock: Clock) {
  return {
    jobFinished: (tx: DbOrTx, job: Job) => queueJobEvent(tx, clock.now(), job),
    photosCreated: (tx: DbOrTx, photos: readonly CreatedPhoto[]) => queuePhotoEvents(tx, clock.now(), photos),
    paymentChanged: (tx: DbOrTx, payment: ChangedPayment, change: "succeeded" | "refunded") => queuePaymentEvent(tx, clock.now(), payment, change),
  };
}
