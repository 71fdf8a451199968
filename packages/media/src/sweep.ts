import { avatars, type Db, generatedPhotos, referencePhotos } from "@pinglass/db";
import { inArray } from "drizzle-orm";
import type { Media } from "./media.ts";

/**
 * How old a file without a row must be before the sweep removes it. Files are written before
 * their rows (selfies, generated photos), so a young file without a row may be an upload or a
 * photo whose row is being written this very second; an hour is far beyond any of those.
 */
export const orphanGraceMs = 60 * 60 * 1000;

/** Where selfies (refs/<avatarId>/…) and generated photos (photos/<avatarId>/…) live. */
const sweptPrefixes = ["refs/", "photos/"] as const;
const avatarOfKey = /^(?:refs|photos)\/(\d{1,10})\//;
/** Avatars whose rows are read in one go. */
const avatarBatch = 200;

export interface SweepResult {
  /** Files removed because no row points at them. */
  orphans: number;
  /** Leftovers of writes cut short (the filesystem's .partial files) removed. */
  unfinished: number;
}

/**
 * Removes stored files that no row points at and that are older than the grace period, and the
 * leftovers of writes cut short: what a crash between a file's write and its row's commit, or in
 * the middle of a write, leaves behind. Every key under refs/ and photos/ names its avatar, so
 * the rows are read per avatar through the avatar_id indexes; a key of another shape is left
 * alone. Safe to run in several processes at once (deleting twice is harmless).
 */
export async function sweepOrphanMedia(db: Db, media: Media, options: { now: Date; graceMs?: number; signal?: AbortSignal }): Promise<SweepResult> {
  const before = new Date(options.now.getTime() - (options.graceMs ?? orphanGraceMs));
  const result: SweepResult = { orphans: 0, unfinished: await media.storage.removeUnfinishedWrites(before) };
  for (const prefix of sweptPrefixes) {
    const candidates = new Map<number, string[]>();
    for await (const object of media.storage.list(prefix)) {
      if (options.signal?.aborted) return result;
      const avatarId = avatarOfKey.exec(object.key)?.[1];
      if (!avatarId || object.modifiedAt >= before) continue;
      candidates.set(Number(avatarId), [...(candidates.get(Number(avatarId)) ?? []), object.key]);
      if (candidates.size >= avatarBatch) {
        result.orphans += await removeUnreferenced(db, media, candidates);
        candidates.clear();
      }
    }
    result.orphans += await removeUnreferenced(db, media, candidates);
  }
  return result;
}

/** Deletes the candidate files (by avatar) that no selfie, photo or avatar row names. */
async function removeUnreferenced(db: Db, media: Media, candidates: Map<number, string[]>): Promise<number> {
  if (candidates.size === 0) return 0;
  const ids = [...candidates.keys()];
  const [selfies, photos, covers] = await Promise.all([
    db.select({ a: referencePhotos.storageKey, b: referencePhotos.thumbnailKey, c: referencePhotos.faceKey }).from(referencePhotos).where(inArray(referencePhotos.avatarId, ids)),
    db.select({ a: generatedPhotos.imageUrl, b: generatedPhotos.thumbnailUrl }).from(generatedPhotos).where(inArray(generatedPhotos.avatarId, ids)),
    db.select({ a: avatars.thumbnailUrl, b: avatars.thumbnailUrl }).from(avatars).where(inArray(avatars.id, ids)),
  ]);
  const referenced = new Set([...selfies.map((row) => row.c), ...[...selfies, ...photos, ...covers].flatMap((row) => [row.a, row.b])]);
  const orphans = [...candidates.values()].flat().filter((key) => !referenced.has(key));
  if (orphans.length > 0) await media.storage.delete(orphans);
  return orphans.length;
}
