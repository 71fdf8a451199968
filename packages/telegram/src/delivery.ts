import type { Readable } from "node:stream";
import { type Clock, translate } from "@pinglass/core";
import { avatars, claimRows, type Db, type ExpiringLease, generatedPhotos, generationJobs, type LeasedTable, released, renewLease, retryLater, telegramDeliveries, type Tx, updateHeld, users, type Values } from "@pinglass/db";
import { asc, eq, sql } from "drizzle-orm";
import { type BotApi, BotApiError, type PhotoUpload } from "./bot-api.ts";
import { botLocale, webAppKeyboard } from "./bot.ts";

/** What delivery reads from media storage; MediaStorage of @pinglass/media is one. */
export interface PhotoSource {
  get(key: string): Promise<{ body: Readable; contentType: string } | null>;
}

export interface DeliveryDeps {
  db: Db;
  clock: Clock;
  bot: BotApi;
  photos: PhotoSource;
  /** The web app's public URL; the gallery button opens the avatar's gallery under it. */
  publicUrl: string;
}

/** The web app's gallery of one avatar (`paths.gallery` in apps/web/src/lib/router.ts) under PUBLIC_URL. */
export const galleryUrl = (publicUrl: string, avatarId: number) => `${publicUrl.replace(/\/+$/, "")}/avatars/${avatarId}`;

/** Telegram's album limit. */
export const maxPhotosPerAlbum = 10;
/** Transient failures (5xx, no answer) before a delivery gives up; 429s do not count. */
export const maxDeliveryAttempts = 5;
/** Longer than a whole delivery takes (each request times out after 30 s), renewed after every album. */
export const deliveryLeaseMs = 5 * 60_000;

/** telegram_deliveries has no claim token column: the lease's own value fences a claim's writes. */
const deliveryQueue: LeasedTable<typeof telegramDeliveries, ExpiringLease> = {
  table: telegramDeliveries,
  key: telegramDeliveries.jobId,
  attempts: telegramDeliveries.attempts,
  lease: { availableAt: telegramDeliveries.availableAt, expiresAt: telegramDeliveries.leaseExpiresAt },
};

/**
 * The generation finish hook, called INSIDE the transaction that finishes the job: queues a
 * delivery when the job's owner has a Telegram id and the job made photos. The job id is the key,
 * so a hook that runs twice queues one delivery. A job that ends again (an operator had its
 * failed photos made again) queues its finished delivery once more: it resumes after the photos
 * already sent, so only the new ones go, with a new "ready" message.
 */
export async function scheduleDeliveryForJob(tx: Tx, job: { id: number; avatarId: number | null }): Promise<void> {
  if (job.avatarId === null) return;
  const [owner] = await tx.select({ telegramUserId: users.telegramUserId }).from(avatars).innerJoin(users, eq(users.id, avatars.userId)).where(eq(avatars.id, job.avatarId));
  if (!owner?.telegramUserId) return;
  const [photo] = await tx.select({ id: generatedPhotos.id }).from(generatedPhotos).where(eq(generatedPhotos.jobId, job.id)).limit(1);
  if (!photo) return;
  await tx
    .insert(telegramDeliveries)
    .values({ jobId: job.id, chatId: owner.telegramUserId })
    .onConflictDoUpdate({
      target: telegramDeliveries.jobId,
      set: { status: "pending", chatId: owner.telegramUserId, attempts: 0, availableAt: sql`now()`, leaseExpiresAt: null, errorMessage: null, updatedAt: sql`now()` },
      setWhere: sql`${telegramDeliveries.status} <> 'pending'`,
    });
}

type Delivery = typeof telegramDeliveries.$inferSelect;

/** Takes one due delivery with FOR UPDATE SKIP LOCKED and a lease, so workers never share one. */
async function claim(deps: DeliveryDeps): Promise<Delivery | null> {
  const now = deps.clock.now();
  const [row] = await claimRows(deps.db, deliveryQueue, {
    now,
    leaseMs: deliveryLeaseMs,
    limit: 1,
    where: eq(telegramDeliveries.status, "pending"),
    orderBy: [asc(telegramDeliveries.availableAt)],
    set: { updatedAt: now },
  });
  return row ?? null;
}

/** How many photos the next album takes: never leave a single photo for last, since an album needs two. */
function nextAlbumSize(remaining: number): number {
  if (remaining <= maxPhotosPerAlbum) return remaining;
  return remaining - maxPhotosPerAlbum === 1 ? maxPhotosPerAlbum - 1 : maxPhotosPerAlbum;
}

/**
 * Delivers due jobs' photos, at most `limit` deliveries; returns how many it worked on. Each album
 * that Telegram accepts advances sent_photos at once, so a retry (after a crash, a 429 or a 5xx)
 * resumes after the last accepted album and never sends a photo twice. Every write is fenced by
 * the lease, so a worker that lost its lease stops instead of racing the one that took over.
 */
export async function deliverDuePhotos(deps: DeliveryDeps, limit = 10): Promise<number> {
  let worked = 0;
  while (worked < limit) {
    const delivery = await claim(deps);
    if (!delivery) break;
    worked++;
    await deliver(deps, delivery);
  }
  return worked;
}

async function deliver(deps: DeliveryDeps, delivery: Delivery): Promise<void> {
  let held = delivery;
  /**
   * Writes the delivery's state only while we still hold the lease. `keepLease` renews it (more
   * albums follow); otherwise the lease is released with the write.
   */
  const fenced = async (values: Values<typeof telegramDeliveries>, keepLease = false): Promise<boolean> => {
    const now = deps.clock.now();
    if (!keepLease) return updateHeld(deps.db, deliveryQueue, held, { ...values, ...released(deliveryQueue), updatedAt: now });
    const renewed = await renewLease(deps.db, deliveryQueue, held, now, deliveryLeaseMs, { ...values, updatedAt: now });
    if (renewed) held = renewed;
    return renewed !== null;
  };

  // Only this job's photos, only to the chat of the job's current owner.
  const [owner] = await deps.db
    .select({ telegramUserId: users.telegramUserId, languageCode: users.languageCode, avatarId: avatars.id })
    .from(generationJobs)
    .innerJoin(avatars, eq(avatars.id, generationJobs.avatarId))
    .innerJoin(users, eq(users.id, avatars.userId))
    .where(eq(generationJobs.id, delivery.jobId));
  if (owner?.telegramUserId !== delivery.chatId) {
    await fenced({ status: "failed", errorMessage: "the job's owner is no longer linked to this chat" });
    return;
  }
  const photos = await deps.db
    .select({ id: generatedPhotos.id, key: generatedPhotos.imageUrl })
    .from(generatedPhotos)
    .where(eq(generatedPhotos.jobId, delivery.jobId))
    .orderBy(asc(generatedPhotos.id));
  const locale = botLocale(owner.languageCode);
  const chatId = String(delivery.chatId);

  let sent = delivery.sentPhotos;
  try {
    while (sent < photos.length) {
      const album = photos.slice(sent, sent + nextAlbumSize(photos.length - sent));
      const uploads = await loadUploads(deps.photos, album);
      if (uploads.length >= 2) await deps.bot.sendMediaGroup(chatId, uploads);
      else if (uploads.length === 1) await deps.bot.sendPhoto(chatId, uploads[0]!);
      sent += album.length;
      if (!(await fenced({ sentPhotos: sent }, true))) return;
    }
    await deps.bot.sendMessage({
      chat_id: chatId,
      text: translate("telegram.delivery.ready", locale, { count: photos.length }),
      ...withKeyboard(webAppKeyboard(galleryUrl(deps.publicUrl, owner.avatarId), translate("telegram.delivery.openGallery", locale))),
    });
    await fenced({ status: "sent", errorMessage: null });
  } catch (error) {
    await fenced(afterFailure(deps.clock.now(), delivery.attempts, error));
  }
}

const withKeyboard = <T>(markup: T | undefined) => (markup ? { reply_markup: markup } : {});

/** What a failed attempt leaves behind: wait as Telegram asks, back off, or give up. */
function afterFailure(now: Date, attempts: number, error: unknown): Values<typeof telegramDeliveries> {
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof BotApiError && error.errorCode === 429) {
    return { availableAt: new Date(now.getTime() + (error.retryAfterSeconds ?? 1) * 1000), errorMessage: reason };
  }
  const transient = !(error instanceof BotApiError) || error.transient;
  if (!transient || attempts + 1 >= maxDeliveryAttempts) return { status: "failed", attempts: attempts + 1, errorMessage: reason };
  return { ...retryLater(deliveryQueue, { attempts: attempts + 1, now }), errorMessage: reason };
}

/** The album's bytes from our storage. Only storage keys are read: a provider's URL is never passed on. */
async function loadUploads(source: PhotoSource, album: { id: number; key: string | null }[]): Promise<PhotoUpload[]> {
  const uploads: PhotoUpload[] = [];
  for (const photo of album) {
    if (!photo.key || /^[a-z]+:/i.test(photo.key)) continue;
    const object = await source.get(photo.key);
    if (!object) continue;
    const chunks: Buffer[] = [];
    for await (const chunk of object.body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    const extension = photo.key.slice(photo.key.lastIndexOf(".") + 1) || "jpg";
    uploads.push({ bytes: Buffer.concat(chunks), filename: `photo-${photo.id}.${extension}`, contentType: object.contentType });
  }
  return uploads;
}
