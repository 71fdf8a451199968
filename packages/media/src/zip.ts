import { PassThrough, type Readable } from "node:stream";
import { requireOwnedAvatar } from "@pinglass/accounts";
import { type Db, generatedPhotos } from "@pinglass/db";
import { and, asc, eq, isNotNull } from "drizzle-orm";
import { ZipFile } from "yazl";
import type { Media } from "./media.ts";
import type { SignedQuery } from "./signing.ts";

/** The ZIP of an avatar's photos is served at `${avatarZipRoutePrefix}<avatarId>.zip?user=..&exp=..&sig=..`. */
export const avatarZipRoutePrefix = "/downloads/avatars/";
const zipLinkTtlSeconds = 60 * 60;

/**
 * A signed link to the ZIP of the user's avatar, or of its favourites only (`&favourites=1`). The
 * signature binds the avatar, the user, the expiry and which of the two it is; the download checks
 * ownership again, so a link dies with the avatar too.
 */
export async function avatarZipLink(db: Db, media: Media, userId: number, avatarId: number, options: { favourites?: boolean } = {}): Promise<{ url: string }> {
  await requireOwnedAvatar(db, userId, avatarId);
  const favourites = options.favourites ?? false;
  const exp = media.signer.expiryFor(zipLinkTtlSeconds);
  const query = new URLSearchParams({ user: String(userId), exp: String(exp), sig: media.signer.signAvatarZip(avatarId, userId, exp, favourites) });
  if (favourites) query.set("favourites", "1");
  return { url: `${media.publicBaseUrl.replace(/\/$/, "")}${avatarZipRoutePrefix}${avatarId}.zip?${query}` };
}

/** The user a valid avatar ZIP link was made for, or null for a forged, altered or expired one. */
export function verifyAvatarZipLink(media: Media, avatarId: number, query: SignedQuery & { user: string | null; favourites?: boolean }): number | null {
  if (!query.user || !/^\d{1,10}$/.test(query.user)) return null;
  const userId = Number(query.user);
  return media.signer.verifyAvatarZip(avatarId, userId, query, query.favourites) ? userId : null;
}

/**
 * The avatar's photos (or only its favourites) as a ZIP stream, oldest first, named
 * pinglass-<avatar>-<n>.jpg. Entries are stored (JPEG does not compress) and each file is opened
 * only when its turn comes, so memory and open files stay constant however many photos there are.
 */
export async function openAvatarZip(db: Db, media: Media, userId: number, avatarId: number, options: { favourites?: boolean } = {}): Promise<{ fileName: string; stream: Readable; photoCount: number }> {
  await requireOwnedAvatar(db, userId, avatarId);
  const photos = await db
    .select({ imageUrl: generatedPhotos.imageUrl, createdAt: generatedPhotos.createdAt })
    .from(generatedPhotos)
    .where(and(eq(generatedPhotos.avatarId, avatarId), options.favourites ? isNotNull(generatedPhotos.favouritedAt) : undefined))
    .orderBy(asc(generatedPhotos.createdAt), asc(generatedPhotos.id));
  const zip = new ZipFile();
  photos.forEach((photo, index) => {
    const key = photo.imageUrl;
    zip.addReadStreamLazy(`pinglass-${avatarId}-${index + 1}.jpg`, { compress: false, mtime: photo.createdAt ?? new Date(0) }, (callback) => {
      if (!key) return callback(new Error(`photo ${index + 1} of avatar ${avatarId} has no stored file`), new PassThrough());
      media.storage.get(key).then(
        (object) => (object ? callback(null, object.body) : callback(new Error(`stored photo ${key} is missing`), new PassThrough())),
        (error: unknown) => callback(error, new PassThrough()),
      );
    });
  });
  zip.end();
  const stream = zip.outputStream as Readable;
  // yazl reports a failed entry on the ZipFile; the reader of the stream must see it.
  zip.on("error", (error: Error) => {
    media.logger.warn({ err: error, avatarId }, "media: avatar ZIP broke off");
    stream.destroy(error);
  });
  return { fileName: options.favourites ? `pinglass-${avatarId}-favourites.zip` : `pinglass-${avatarId}.zip`, stream, photoCount: photos.length };
}
