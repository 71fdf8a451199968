import type { FaceAnalyzer } from "@pinglass/faces";
import type { MediaSigner } from "./signing.ts";
import { isStorageKey, type MediaStorage } from "./storage.ts";

/** Where failures that must not fail the request (a file left behind) are reported; pino fits. */
export interface MediaLogger {
  warn(details: object, message: string): void;
}

/** Everything media code needs: the storage, the signer for our own links, and where those links point. */
export interface Media {
  storage: MediaStorage;
  signer: MediaSigner;
  /** The server's public origin (PUBLIC_URL): our signed links are absolute so providers can fetch them too. */
  publicBaseUrl: string;
  logger: MediaLogger;
  /** How many bytes of selfies one user may keep (UPLOAD_MAX_BYTES_PER_USER); defaultMaxSelfieBytesPerUser when unset. */
  maxSelfieBytesPerUser?: number;
  /**
   * The face checks of selfies (@pinglass/faces). The server always has them; only tests that are
   * not about faces leave them out, and their selfies are then stored unchecked (counted as good).
   */
  faces?: FaceAnalyzer;
}

/** 300 MB: ten avatars of 20 full-size selfies with room to spare, and a ceiling on what one account can make us store. */
export const defaultMaxSelfieBytesPerUser = 300 * 1024 * 1024;

/** How long the links in API answers work: long enough for a session on the page, short enough that a leaked one dies soon. */
export const viewLinkTtlSeconds = 60 * 60;

/** A signed link to a stored object, or null when the reference is empty or not one of our keys. */
export async function signedLink(media: Media, key: string | null | undefined, downloadName?: string): Promise<string | null> {
  if (!key || !isStorageKey(key)) return null;
  return media.storage.signedUrl(key, { ttlSeconds: viewLinkTtlSeconds, downloadName });
}

/**
 * Removes files whose rows are already gone (committed). A failure leaves an orphan file, which is
 * logged for a clean-up and never undoes or fails the deletion the user asked for.
 */
export async function deleteStoredFiles(media: Media, keys: string[]): Promise<void> {
  const ours = keys.filter(isStorageKey);
  if (ours.length === 0) return;
  try {
    await media.storage.delete(ours);
  } catch (error) {
    media.logger.warn({ err: error, keys: ours }, "media: could not delete files whose rows are gone; they are orphans now");
  }
}
