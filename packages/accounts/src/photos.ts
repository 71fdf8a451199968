import type { Clock } from "@pinglass/core";
import { avatars, type Db, generatedPhotos, preparedPerDb } from "@pinglass/db";
import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import { requireOwnedAvatar, requireOwnedPhoto } from "./ownership.ts";

export type Photo = typeof generatedPhotos.$inferSelect;

export interface PhotoPage {
  items: Photo[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: number | null;
}

/**
 * The spec's "Get User Photos" (newest first), keyed by the verified user instead of a device id,
 * optionally for one owned avatar and only its favourites, paginated by keyset: the cursor is the
 * last photo's id, and the next page starts after that photo's (created_at, id), so no row is
 * skipped or repeated.
 */
export async function listPhotos(db: Db, userId: number, options: { avatarId?: number; favourites?: boolean; cursor?: number; limit: number }): Promise<PhotoPage> {
  if (options.avatarId !== undefined) await requireOwnedAvatar(db, userId, options.avatarId);
  const variant = `${options.avatarId === undefined ? "all" : "avatar"}_${options.cursor === undefined ? "first" : "after"}${options.favourites ? "_favourites" : ""}` as const;
  const rows = await photoPage(db, variant).execute({ userId, avatarId: options.avatarId, cursor: options.cursor, limit: options.limit + 1 });
  const items = rows.slice(0, options.limit).map((r) => r.photo);
  return { items, nextCursor: rows.length > options.limit ? items.at(-1)!.id : null };
}

/** One page of a user's photos; the variant says whether it is one avatar's, whether it follows a cursor and whether only favourites. */
const photoPage = preparedPerDb((db, variant: `${"all" | "avatar"}_${"first" | "after"}${"" | "_favourites"}`) => {
  const conditions = [eq(avatars.userId, sql.placeholder("userId"))];
  if (variant.startsWith("avatar")) conditions.push(eq(generatedPhotos.avatarId, sql.placeholder("avatarId")));
  if (variant.endsWith("_favourites")) conditions.push(isNotNull(generatedPhotos.favouritedAt));
  if (variant.includes("_after")) {
    const cursor = sql.placeholder("cursor");
    conditions.push(
      // The cursor's position is read among this user's photos only: another user's photo id
      // finds nothing (an empty page) and tells nothing about that photo.
      sql`(${generatedPhotos.createdAt}, ${generatedPhotos.id}) < ((SELECT gp.created_at FROM generated_photos gp JOIN avatars a ON a.id = gp.avatar_id WHERE gp.id = ${cursor} AND a.user_id = ${sql.placeholder("userId")}), ${cursor})`,
    );
  }
  return db
    .select({ photo: generatedPhotos })
    .from(generatedPhotos)
    .innerJoin(avatars, eq(generatedPhotos.avatarId, avatars.id))
    .where(and(...conditions))
    .orderBy(desc(generatedPhotos.createdAt), desc(generatedPhotos.id))
    .limit(sql.placeholder("limit"))
    .prepare(`photo_page_${variant}`);
});

/**
 * Marks the user's photo a favourite, or no longer one. Stored with the photo, so the heart is the
 * same on every device and in the Mini App; marking it again keeps the first time.
 */
export async function setPhotoFavourite(db: Db, clock: Clock, userId: number, photoId: number, favourite: boolean): Promise<{ photoId: number; favourite: boolean }> {
  const photo = await requireOwnedPhoto(db, userId, photoId);
  if (favourite !== (photo.favouritedAt !== null)) {
    await db.update(generatedPhotos).set({ favouritedAt: favourite ? clock.now() : null }).where(eq(generatedPhotos.id, photo.id));
  }
  return { photoId: photo.id, favourite };
}
