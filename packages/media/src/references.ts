import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { requireOwnedAvatar } from "@pinglass/accounts";
import { DomainError, type Locale, translate } from "@pinglass/core";
import { avatars, type Db, type DbOrTx, referencePhotos } from "@pinglass/db";
import { and, asc, count, eq } from "drizzle-orm";
import { deleteStoredFiles, type Media, signedLink } from "./media.ts";
import { maxUploadBytes, normaliseImage } from "./normalise.ts";

/** An avatar needs this many selfies before generation starts... */
export const minReferencePhotos = 5;
/** ...and keeps at most this many. */
export const maxReferencePhotos = 20;

export type ReferencePhoto = typeof referencePhotos.$inferSelect;

export interface ReferencePhotoView {
  id: number;
  avatarId: number;
  url: string | null;
  thumbnailUrl: string | null;
  width: number;
  height: number;
  sizeBytes: number;
  createdAt: Date;
}

async function view(media: Media, row: ReferencePhoto): Promise<ReferencePhotoView> {
  return {
    id: row.id,
    avatarId: row.avatarId,
    url: await signedLink(media, row.storageKey),
    thumbnailUrl: await signedLink(media, row.thumbnailKey),
    width: row.width,
    height: row.height,
    sizeBytes: row.sizeBytes,
    createdAt: row.createdAt,
  };
}

export async function countReferencePhotos(db: DbOrTx, avatarId: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(referencePhotos).where(eq(referencePhotos.avatarId, avatarId));
  return Number(row?.n ?? 0);
}

/**
 * The avatar's selfies (oldest first) for generation, or a readable error when there are fewer
 * than minReferencePhotos. Call it inside the transaction that starts the job.
 */
export async function requireEnoughReferences(db: DbOrTx, avatarId: number): Promise<ReferencePhoto[]> {
  const rows = await db.select().from(referencePhotos).where(eq(referencePhotos.avatarId, avatarId)).orderBy(asc(referencePhotos.id));
  if (rows.length < minReferencePhotos) {
    throw new DomainError("PRECONDITION_FAILED", "errors.generation.notEnoughReferences", { min: minReferencePhotos, count: rows.length });
  }
  return rows;
}

export async function listReferencePhotos(db: Db, media: Media, userId: number, avatarId: number): Promise<ReferencePhotoView[]> {
  await requireOwnedAvatar(db, userId, avatarId);
  const rows = await db.select().from(referencePhotos).where(eq(referencePhotos.avatarId, avatarId)).orderBy(asc(referencePhotos.id));
  return Promise.all(rows.map((row) => view(media, row)));
}

/**
 * Normalises one selfie, stores it and its thumbnail, then records it, or throws a DomainError
 * for this file. The files are written before the row (a row never points at nothing); the
 * limit of maxReferencePhotos is checked under the avatar's row lock, so parallel uploads cannot
 * pass it; a refused row takes its files with it.
 */
export async function addReferencePhoto(db: Db, media: Media, userId: number, avatarId: number, bytes: Buffer): Promise<ReferencePhotoView> {
  await requireOwnedAvatar(db, userId, avatarId);
  // Cheap early answer for a full avatar; the locked check below is the one that counts.
  if ((await countReferencePhotos(db, avatarId)) >= maxReferencePhotos) throw referenceLimitError();
  const normalised = await normaliseImage(bytes);
  const base = `refs/${avatarId}/${randomUUID()}`;
  const storageKey = `${base}.jpg`;
  const thumbnailKey = `${base}.thumb.webp`;
  await media.storage.put(storageKey, normalised.image, normalised.imageContentType);
  await media.storage.put(thumbnailKey, normalised.thumbnail, normalised.thumbnailContentType);
  try {
    const row = await db.transaction(async (tx) => {
      await requireOwnedAvatar(tx, userId, avatarId, { forUpdate: true });
      if ((await countReferencePhotos(tx, avatarId)) >= maxReferencePhotos) throw referenceLimitError();
      const [inserted] = await tx
        .insert(referencePhotos)
        .values({ avatarId, storageKey, thumbnailKey, sizeBytes: normalised.image.length, width: normalised.width, height: normalised.height, contentType: normalised.imageContentType })
        .returning();
      return inserted!;
    });
    return view(media, row);
  } catch (error) {
    await deleteStoredFiles(media, [storageKey, thumbnailKey]);
    throw error;
  }
}

const referenceLimitError = () => new DomainError("CONFLICT", "errors.upload.referenceLimit", { max: maxReferencePhotos });

export interface UploadedFile {
  /** The name the browser sent; only echoed back in the result. */
  name: string;
  stream: Readable;
}

export interface UploadResult {
  accepted: ReferencePhotoView[];
  rejected: { name: string; reason: string; messageKey: string }[];
}

/**
 * Takes the files of one upload request one after another (the next is not read until this one
 * is stored, so memory holds one file at a time), and answers per file in the caller's language.
 * A file over the size limit is drained, never buffered. Errors that are not about a file (the
 * database or storage failing) are thrown.
 */
export async function receiveReferenceUploads(db: Db, media: Media, userId: number, avatarId: number, files: AsyncIterable<UploadedFile>, locale: Locale): Promise<UploadResult> {
  await requireOwnedAvatar(db, userId, avatarId);
  const result: UploadResult = { accepted: [], rejected: [] };
  for await (const file of files) {
    try {
      const bytes = await readAtMost(file.stream, maxUploadBytes);
      if (!bytes) throw new DomainError("PAYLOAD_TOO_LARGE", "errors.upload.tooLarge", { maxMb: maxUploadBytes / 1024 / 1024 });
      result.accepted.push(await addReferencePhoto(db, media, userId, avatarId, bytes));
    } catch (error) {
      if (!(error instanceof DomainError) || error.key === "errors.avatar.notFound") throw error;
      result.rejected.push({ name: file.name, reason: translate(error.key, locale, error.params), messageKey: error.key });
    }
  }
  return result;
}

/** The stream's bytes, or null (after reading it to the end) when there are more than limit. */
async function readAtMost(stream: Readable, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
    else chunks.length = 0;
  }
  return size <= limit ? Buffer.concat(chunks) : null;
}

/**
 * Removes one selfie of the user's. Refused while the avatar is generating: the running job
 * reads its selfies (a provider may be fetching this very file).
 */
export async function removeReferencePhoto(db: Db, media: Media, userId: number, referenceId: number): Promise<{ removed: true }> {
  const removed = await db.transaction(async (tx) => {
    const [owned] = await tx
      .select({ reference: referencePhotos })
      .from(referencePhotos)
      .innerJoin(avatars, eq(avatars.id, referencePhotos.avatarId))
      .where(and(eq(referencePhotos.id, referenceId), eq(avatars.userId, userId)));
    if (!owned) throw new DomainError("NOT_FOUND", "errors.reference.notFound");
    const avatar = await requireOwnedAvatar(tx, userId, owned.reference.avatarId, { forUpdate: true });
    if (avatar.status === "processing") throw new DomainError("CONFLICT", "errors.avatar.busy");
    const [row] = await tx.delete(referencePhotos).where(eq(referencePhotos.id, referenceId)).returning();
    if (!row) throw new DomainError("NOT_FOUND", "errors.reference.notFound");
    return row;
  });
  await deleteStoredFiles(media, [removed.storageKey, removed.thumbnailKey]);
  return { removed: true };
}
