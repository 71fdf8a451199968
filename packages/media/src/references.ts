import { createHash, randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { requireOwnedAvatar } from "@pinglass/accounts";
import { DomainError, type Locale, type MessageKey, translate } from "@pinglass/core";
import { cropAroundFace, type Face, FaceAnalyzerBusyError, faceThresholds, identityOf, type SelfieVerdict, selfieVerdict, similarity } from "@pinglass/faces";
import { avatars, type Db, type DbOrTx, referencePhotos, users } from "@pinglass/db";
import { and, asc, count, eq, isNotNull, isNull, or, sql, sum } from "drizzle-orm";
import { defaultMaxSelfieBytesPerUser, deleteStoredFiles, type Media, signedLink } from "./media.ts";
import { maxUploadBytes, normaliseImage } from "./normalise.ts";

/** An avatar needs this many good selfies (of one person) before generation starts... */
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
  /**
   * The face checks' word on it: `ok`; `otherPerson` when the avatar's other selfies show someone
   * else (shown, not counted); `unchecked` for a selfie from before face checks (counted).
   */
  verdict: "ok" | "otherPerson" | "unchecked";
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
    verdict: row.faceVerdict ?? "unchecked",
  };
}

export async function countReferencePhotos(db: DbOrTx, avatarId: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(referencePhotos).where(eq(referencePhotos.avatarId, avatarId));
  return Number(row?.n ?? 0);
}

/** Selfies that count: checked and good, or from before face checks. */
const goodSelfie = or(isNull(referencePhotos.faceVerdict), eq(referencePhotos.faceVerdict, "ok"));

export async function countGoodSelfies(db: DbOrTx, avatarId: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(referencePhotos).where(and(eq(referencePhotos.avatarId, avatarId), goodSelfie));
  return Number(row?.n ?? 0);
}

/**
 * The avatar's good selfies (oldest first) for generation, or a readable error when there are
 * fewer than minReferencePhotos of them: generation.start and payments.create (for an avatar) ask
 * before any money moves. Call it inside the transaction that starts the job.
 */
export async function requireEnoughReferences(db: DbOrTx, avatarId: number): Promise<ReferencePhoto[]> {
  const rows = await db.select().from(referencePhotos).where(and(eq(referencePhotos.avatarId, avatarId), goodSelfie)).orderBy(asc(referencePhotos.id));
  if (rows.length < minReferencePhotos) {
    throw new DomainError("PRECONDITION_FAILED", "errors.face.notEnoughSelfies", { min: minReferencePhotos, count: rows.length });
  }
  return rows;
}

export async function listReferencePhotos(db: Db, media: Media, userId: number, avatarId: number): Promise<ReferencePhotoView[]> {
  await requireOwnedAvatar(db, userId, avatarId);
  const rows = await db.select().from(referencePhotos).where(eq(referencePhotos.avatarId, avatarId)).orderBy(asc(referencePhotos.id));
  return Promise.all(rows.map((row) => view(media, row)));
}

/** The bytes of the user's stored selfies (the JPEGs the rows count; thumbnails are small and not counted). */
export async function storedSelfieBytes(db: DbOrTx, userId: number): Promise<number> {
  const [row] = await db.select({ bytes: sum(referencePhotos.sizeBytes) }).from(referencePhotos).innerJoin(avatars, eq(avatars.id, referencePhotos.avatarId)).where(eq(avatars.userId, userId));
  return Number(row?.bytes ?? 0);
}

const sha256Hex = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** The reason a person reads for each refused face. */
export const faceRefusalKeys = {
  none: "errors.face.none",
  several: "errors.face.several",
  tooSmall: "errors.face.tooSmall",
  turned: "errors.face.turned",
  blurry: "errors.face.blurry",
  otherPerson: "errors.face.otherPerson",
} as const satisfies Record<Exclude<SelfieVerdict, "ok">, MessageKey>;

/**
 * How long a selfie may wait for a free face analyser. Someone is watching the upload: past this
 * the file is refused as busy (errors.face.busy), and the web app sends it again a moment later,
 * instead of every upload queueing behind the others when many arrive at once.
 */
export const selfieAnalysisMaxWaitMs = 400;

/**
 * The face of a normalised selfie and the selfie cropped around it, or a DomainError saying why
 * the picture will not do. Null when this media has no face checks (tests not about faces).
 */
async function checkedFace(media: Media, image: Buffer): Promise<{ face: Face; crop: Buffer } | null> {
  if (!media.faces) return null;
  let analysis;
  try {
    analysis = await media.faces.analyse(image, { maxWaitMs: selfieAnalysisMaxWaitMs });
  } catch (error) {
    if (error instanceof FaceAnalyzerBusyError) throw busyError();
    throw error;
  }
  const verdict = selfieVerdict(analysis);
  if (verdict !== "ok") throw new DomainError("BAD_REQUEST", faceRefusalKeys[verdict]);
  const face = analysis.faces[0]!;
  return { face, crop: await cropAroundFace(image, face.box) };
}

/** The identity of the avatar's good, checked selfies, once there are enough of them to have one. */
async function avatarIdentity(db: DbOrTx, avatarId: number): Promise<number[] | null> {
  const rows = await db
    .select({ embedding: referencePhotos.faceEmbedding })
    .from(referencePhotos)
    .where(and(eq(referencePhotos.avatarId, avatarId), eq(referencePhotos.faceVerdict, "ok"), isNotNull(referencePhotos.faceEmbedding)));
  return rows.length >= faceThresholds.identityAfter ? identityOf(rows.map((r) => r.embedding!)) : null;
}

/**
 * After the avatar's selfies changed: the identity of all its checked selfies, and each one
 * flagged `otherPerson` when it is not that person (or `ok` again when it is). So a stranger among
 * the first selfies is found out as more of the person's own arrive.
 */
async function reflagSelfies(tx: DbOrTx, avatarId: number): Promise<void> {
  const rows = await tx
    .select({ id: referencePhotos.id, verdict: referencePhotos.faceVerdict, embedding: referencePhotos.faceEmbedding })
    .from(referencePhotos)
    .where(and(eq(referencePhotos.avatarId, avatarId), isNotNull(referencePhotos.faceEmbedding)));
  const identity = rows.length >= faceThresholds.identityAfter ? identityOf(rows.map((r) => r.embedding!)) : null;
  for (const row of rows) {
    const verdict = !identity || similarity(row.embedding!, identity) >= faceThresholds.minSimilarity ? "ok" : "otherPerson";
    if (verdict !== row.verdict) await tx.update(referencePhotos).set({ faceVerdict: verdict }).where(eq(referencePhotos.id, row.id));
  }
}

/**
 * For an upload's early answers, in one statement: the avatar's selfie with these bytes (if any),
 * how many selfies it has, and the bytes of all the user's selfies. Undefined when the user has no
 * such avatar: nothing of another user's avatar is read here (requireOwnedAvatar, in the
 * transaction, gives the refusal).
 */
async function uploadFigures(db: DbOrTx, userId: number, avatarId: number, contentSha256: string) {
  const sameFile = db.select({ id: referencePhotos.id }).from(referencePhotos).where(and(eq(referencePhotos.avatarId, avatarId), eq(referencePhotos.contentSha256, contentSha256)));
  const usersBytes = db.select({ bytes: sum(referencePhotos.sizeBytes) }).from(referencePhotos).innerJoin(avatars, eq(avatars.id, referencePhotos.avatarId)).where(eq(avatars.userId, userId));
  const [row] = await db
    .select({
      knownId: sql<number | null>`(${sameFile})`,
      photos: db.$count(referencePhotos, eq(referencePhotos.avatarId, avatarId)),
      bytes: sql<number>`coalesce((${usersBytes}), 0)`.mapWith(Number),
    })
    .from(avatars)
    .where(and(eq(avatars.id, avatarId), eq(avatars.userId, userId)));
  return row;
}

async function referenceByContent(db: DbOrTx, avatarId: number, contentSha256: string): Promise<ReferencePhoto | undefined> {
  const [row] = await db
    .select()
    .from(referencePhotos)
    .where(and(eq(referencePhotos.avatarId, avatarId), eq(referencePhotos.contentSha256, contentSha256)));
  return row;
}

/**
 * Normalises one selfie, stores it and its thumbnail, then records it, or throws a DomainError
 * for this file.
 *
 * The same bytes sent again to the same avatar (a retry after an answer that never arrived) are
 * the same selfie: the existing one is returned, nothing new is stored (while the analysers are
 * busy the answer is "busy" first, and the app's next try gets it). Two identical uploads at
 * once meet at the unique (avatar_id, content_sha256) index; the loser removes its own files and
 * returns the winner's row.
 *
 * Before anything is stored the face is checked (media.faces): one person, big enough, sharp,
 * facing the camera, and, once the avatar has a few good selfies, the same person as they are.
 * A refused selfie leaves nothing behind. An accepted one keeps its face (embedding, box,
 * sharpness) and a crop around it, and may flag an earlier selfie as another person.
 *
 * The caller has checked that the avatar is the user's (receiveReferenceUploads does, once per
 * request); the transaction checks again under the avatar's row lock, and that check counts.
 *
 * The files are written before the row (a row never points at nothing; a crash in between leaves
 * files without a row, which sweepOrphanMedia removes after a grace period). The limits of
 * maxReferencePhotos per avatar and media.maxSelfieBytesPerUser per user are checked under the
 * user's and the avatar's row locks, so parallel uploads cannot pass them; a refused row takes its
 * files with it.
 */
export async function addReferencePhoto(db: Db, media: Media, userId: number, avatarId: number, bytes: Buffer, contentSha256 = sha256Hex(bytes)): Promise<ReferencePhotoView> {
  // When the analysers are this busy the answer would be "busy" anyway: say so before any other
  // work. Under load most uploads end here, so they cost the database nothing.
  if (media.faces && media.faces.expectedWaitMs() > selfieAnalysisMaxWaitMs) throw busyError();
  const maxBytes = media.maxSelfieBytesPerUser ?? defaultMaxSelfieBytesPerUser;
  // Cheap early answers (a retry of a stored file, a full avatar or account) from one statement;
  // the locked checks below are the ones that count, with the avatar's ownership.
  const early = await uploadFigures(db, userId, avatarId, contentSha256);
  if (early?.knownId) {
    const known = await referenceByContent(db, avatarId, contentSha256);
    if (known) return view(media, known);
  }
  if (early && early.photos >= maxReferencePhotos) throw referenceLimitError();
  if (early && early.bytes >= maxBytes) throw storageFullError(maxBytes);
  const normalised = await normaliseImage(bytes);
  const checked = await checkedFace(media, normalised.image);
  const base = `refs/${avatarId}/${randomUUID()}`;
  const storageKey = `${base}.jpg`;
  const thumbnailKey = `${base}.thumb.webp`;
  const faceKey = checked ? `${base}.face.jpg` : null;
  const keys = [storageKey, thumbnailKey, ...(faceKey ? [faceKey] : [])];
  let outcome: { row: ReferencePhoto; inserted: boolean };
  try {
    await media.storage.put(storageKey, normalised.image, normalised.imageContentType);
    await media.storage.put(thumbnailKey, normalised.thumbnail, normalised.thumbnailContentType);
    if (checked && faceKey) await media.storage.put(faceKey, checked.crop, "image/jpeg");
    outcome = await db.transaction(async (tx) => {
      // The user first, then the avatar: the order account deletion and merges lock them in. NO KEY
      // UPDATE serialises uploads without blocking rows that merely reference the user.
      await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("no key update");
      await requireOwnedAvatar(tx, userId, avatarId, { forUpdate: true });
      const existing = await referenceByContent(tx, avatarId, contentSha256);
      if (existing) return { row: existing, inserted: false };
      if ((await countReferencePhotos(tx, avatarId)) >= maxReferencePhotos) throw referenceLimitError();
      if ((await storedSelfieBytes(tx, userId)) + normalised.image.length > maxBytes) throw storageFullError(maxBytes);
      const identity = checked ? await avatarIdentity(tx, avatarId) : null;
      if (checked && identity && similarity(checked.face.embedding, identity) < faceThresholds.minSimilarity) {
        throw new DomainError("BAD_REQUEST", faceRefusalKeys.otherPerson);
      }
      const [inserted] = await tx
        .insert(referencePhotos)
        .values({
          avatarId,
          storageKey,
          thumbnailKey,
          sizeBytes: normalised.image.length,
          width: normalised.width,
          height: normalised.height,
          contentType: normalised.imageContentType,
          contentSha256,
          ...(checked
            ? {
                faceVerdict: "ok" as const,
                faceEmbedding: checked.face.embedding,
                faceBox: { ...checked.face.box, sizeRatio: checked.face.sizeRatio, yaw: checked.face.yaw, pitch: checked.face.pitch, roll: checked.face.roll },
                faceSharpness: checked.face.sharpness,
                faceKey,
              }
            : {}),
        })
        .onConflictDoNothing({ target: [referencePhotos.avatarId, referencePhotos.contentSha256] })
        .returning();
      if (!inserted) return { row: (await referenceByContent(tx, avatarId, contentSha256))!, inserted: false };
      if (checked) {
        await reflagSelfies(tx, avatarId);
        const [current] = await tx.select().from(referencePhotos).where(eq(referencePhotos.id, inserted.id));
        return { row: current!, inserted: true };
      }
      return { row: inserted, inserted: true };
    });
  } catch (error) {
    await deleteStoredFiles(media, keys);
    throw error;
  }
  // The same file won a moment earlier: its row stands, these copies go.
  if (!outcome.inserted) await deleteStoredFiles(media, keys);
  return view(media, outcome.row);
}

const busyError = () => new DomainError("TOO_MANY_REQUESTS", "errors.face.busy");
const referenceLimitError = () => new DomainError("CONFLICT", "errors.upload.referenceLimit", { max: maxReferencePhotos });
const storageFullError = (maxBytes: number) => new DomainError("PAYLOAD_TOO_LARGE", "errors.upload.storageFull", { maxMb: Math.floor(maxBytes / 1024 / 1024) });

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
 * A file over the size limit is drained, never buffered; each file's SHA-256 is taken as its
 * bytes arrive. Errors that are not about a file (the body breaking off, the database or storage
 * failing) are thrown; the selfies accepted before stay, with their rows.
 */
export async function receiveReferenceUploads(db: Db, media: Media, userId: number, avatarId: number, files: AsyncIterable<UploadedFile>, locale: Locale): Promise<UploadResult> {
  await requireOwnedAvatar(db, userId, avatarId);
  const result: UploadResult = { accepted: [], rejected: [] };
  for await (const file of files) {
    try {
      const upload = await readAtMost(file.stream, maxUploadBytes);
      if (!upload) throw new DomainError("PAYLOAD_TOO_LARGE", "errors.upload.tooLarge", { maxMb: maxUploadBytes / 1024 / 1024 });
      result.accepted.push(await addReferencePhoto(db, media, userId, avatarId, upload.bytes, upload.sha256));
    } catch (error) {
      if (!(error instanceof DomainError) || error.key === "errors.avatar.notFound") throw error;
      result.rejected.push({ name: file.name, reason: translate(error.key, locale, error.params), messageKey: error.key });
    }
  }
  return result;
}

/** The stream's bytes and their SHA-256, or null (after reading it to the end) when there are more than limit. */
async function readAtMost(stream: Readable, limit: number): Promise<{ bytes: Buffer; sha256: string } | null> {
  const chunks: Buffer[] = [];
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size <= limit) {
      chunks.push(chunk as Buffer);
      hash.update(chunk as Buffer);
    } else chunks.length = 0;
  }
  return size <= limit ? { bytes: Buffer.concat(chunks), sha256: hash.digest("hex") } : null;
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
    // Without it the identity may move: a selfie flagged against it may be the person after all.
    await reflagSelfies(tx, row.avatarId);
    return row;
  });
  await deleteStoredFiles(media, [removed.storageKey, removed.thumbnailKey, ...(removed.faceKey ? [removed.faceKey] : [])]);
  return { removed: true };
}
