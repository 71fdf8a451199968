import { createHash, randomBytes } from "node:crypto";
import { requireOwnedPhoto } from "@pinglass/accounts";
import type { Clock } from "@pinglass/core";
import { type Db, generatedPhotos, photoShares } from "@pinglass/db";
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { type Media, signedLink } from "./media.ts";

/** A share page is served at `${shareRoutePrefix}<token>`. */
export const shareRoutePrefix = "/s/";
export const shareLifetimeDays = 30;
const shareLifetimeMs = shareLifetimeDays * 24 * 60 * 60 * 1000;

/** 32 random bytes as base64url: 43 characters, no padding. */
const tokenPattern = /^[A-Za-z0-9_-]{43}$/;
const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

export interface PhotoShare {
  url: string;
  expiresAt: Date;
}

/**
 * A new share page of the user's photo: a link that shows it to anyone who has it for 30 days, or
 * until the owner revokes it. The token is only in the link; the row keeps its SHA-256.
 */
export async function sharePhoto(db: Db, media: Media, clock: Clock, userId: number, photoId: number): Promise<PhotoShare> {
  const photo = await requireOwnedPhoto(db, userId, photoId);
  const token = randomBytes(32).toString("base64url");
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + shareLifetimeMs);
  await db.insert(photoShares).values({ photoId: photo.id, tokenHash: hashOf(token), createdAt: now, expiresAt });
  return { url: `${media.publicBaseUrl.replace(/\/$/, "")}${shareRoutePrefix}${token}`, expiresAt };
}

/** Until when the photo has a working share page (the latest of its live links), or null when it has none. */
export async function photoSharedUntil(db: Db, clock: Clock, userId: number, photoId: number): Promise<{ sharedUntil: Date | null }> {
  const photo = await requireOwnedPhoto(db, userId, photoId);
  const [latest] = await db
    .select({ expiresAt: photoShares.expiresAt })
    .from(photoShares)
    .where(and(eq(photoShares.photoId, photo.id), isNull(photoShares.revokedAt), gt(photoShares.expiresAt, clock.now())))
    .orderBy(desc(photoShares.expiresAt))
    .limit(1);
  return { sharedUntil: latest?.expiresAt ?? null };
}

/** Ends every share page of the user's photo at once; from now on their links answer like unknown ones. */
export async function revokePhotoShares(db: Db, clock: Clock, userId: number, photoId: number): Promise<{ revoked: number }> {
  const photo = await requireOwnedPhoto(db, userId, photoId);
  const revoked = await db
    .update(photoShares)
    .set({ revokedAt: clock.now() })
    .where(and(eq(photoShares.photoId, photo.id), isNull(photoShares.revokedAt), gt(photoShares.expiresAt, clock.now())))
    .returning({ id: photoShares.id });
  return { revoked: revoked.length };
}

export interface SharedPhoto {
  /** A signed link to the photo itself, for the page and its Open Graph preview. */
  imageUrl: string;
  sceneId: string | null;
  expiresAt: Date;
}

/**
 * What a share link shows, or null when it shows nothing: a token that is malformed, unknown,
 * revoked or expired, or whose photo is gone (all alike, so a link tells nothing about why).
 */
export async function openSharedPhoto(db: Db, media: Media, clock: Clock, token: string): Promise<SharedPhoto | null> {
  if (!tokenPattern.test(token)) return null;
  const [row] = await db
    .select({ imageKey: generatedPhotos.imageUrl, sceneId: generatedPhotos.sceneId, expiresAt: photoShares.expiresAt })
    .from(photoShares)
    .innerJoin(generatedPhotos, eq(generatedPhotos.id, photoShares.photoId))
    .where(and(eq(photoShares.tokenHash, hashOf(token)), isNull(photoShares.revokedAt), gt(photoShares.expiresAt, clock.now())));
  const imageUrl = row && (await signedLink(media, row.imageKey));
  if (!row || !imageUrl) return null;
  return { imageUrl, sceneId: row.sceneId, expiresAt: row.expiresAt };
}
