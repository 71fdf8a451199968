import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { createAvatar, getOrCreateUserByDevice } from "@pinglass/accounts";
import { DomainError, manualClock } from "@pinglass/core";
import { avatars, referencePhotos } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  addReferencePhoto,
  countReferencePhotos,
  listReferencePhotos,
  maxReferencePhotos,
  receiveReferenceUploads,
  removeReferencePhoto,
  requireEnoughReferences,
} from "./references.ts";
import { distinctJpeg, photoJpeg } from "./test-images.ts";
import { createTestMedia } from "./testing.ts";

let testDb: TestDb;
const media = createTestMedia(manualClock());
let selfie: Buffer;
beforeAll(async () => {
  testDb = await createTestDb();
  selfie = await photoJpeg(900, 1200);
});
afterAll(() => testDb.close());
beforeEach(() => testDb.reset());

async function userWithAvatar() {
  const user = await getOrCreateUserByDevice(testDb.db, crypto.randomUUID());
  const avatar = await createAvatar(testDb.db, user.id, "Selfies");
  return { userId: user.id, avatarId: avatar.id };
}

const errorOf = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e as DomainError);
const files = (...entries: [string, Buffer][]) => Readable.from(entries.map(([name, bytes]) => ({ name, stream: Readable.from([bytes]) })));

describe("reference photos", () => {
  it("stores a normalised selfie with its thumbnail and lists it with signed links only", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const added = await addReferencePhoto(testDb.db, media, userId, avatarId, selfie);
    expect(added).toMatchObject({ avatarId, width: 900, height: 1200 });
    const [row] = await testDb.db.select().from(referencePhotos).where(eq(referencePhotos.id, added.id));
    expect(row).toMatchObject({ contentType: "image/jpeg", width: 900, height: 1200 });
    expect(row!.storageKey).toMatch(new RegExp(`^refs/${avatarId}/[0-9a-f-]{36}\\.jpg$`));
    const stored = await media.storage.get(row!.storageKey);
    expect(stored!.size).toBe(row!.sizeBytes);
    expect(await sharp(await buffer((await media.storage.get(row!.thumbnailKey))!.body)).metadata()).toMatchObject({ format: "webp", height: 384 });

    const list = await listReferencePhotos(testDb.db, media, userId, avatarId);
    expect(list.map((r) => r.id)).toEqual([added.id]);
    expect(list[0]!.thumbnailUrl).toMatch(/^http:\/\/pinglass\.test\/media\/refs\/.+\.thumb\.webp\?exp=\d+&sig=/);
    expect(JSON.stringify(list)).not.toContain(`"${row!.storageKey}"`);
  });

  it("refuses someone else's avatar exactly like a missing one, and stores nothing", async () => {
    const owner = await userWithAvatar();
    const stranger = await userWithAvatar();
    const error = await errorOf(addReferencePhoto(testDb.db, media, stranger.userId, owner.avatarId, selfie));
    expect(error).toMatchObject({ key: "errors.avatar.notFound" });
    expect(await errorOf(listReferencePhotos(testDb.db, media, stranger.userId, owner.avatarId))).toMatchObject({ key: "errors.avatar.notFound" });
    expect(await countReferencePhotos(testDb.db, owner.avatarId)).toBe(0);
    // The owner's very bytes, already stored there: still not found, never the owner's selfie.
    await addReferencePhoto(testDb.db, media, owner.userId, owner.avatarId, selfie);
    expect(await errorOf(addReferencePhoto(testDb.db, media, stranger.userId, owner.avatarId, selfie))).toMatchObject({ key: "errors.avatar.notFound" });
    expect(await countReferencePhotos(testDb.db, owner.avatarId)).toBe(1);
  });

  it("keeps at most 20 selfies even when uploads race, and removes the files of the refused ones", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const media = createTestMedia(manualClock());
    for (let i = 0; i < maxReferencePhotos - 2; i++) await addReferencePhoto(testDb.db, media, userId, avatarId, distinctJpeg(selfie, i));
    const racing = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => addReferencePhoto(testDb.db, media, userId, avatarId, distinctJpeg(selfie, `racing ${i}`))));
    expect(racing.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    for (const refused of racing.filter((r) => r.status === "rejected")) expect((refused as PromiseRejectedResult).reason).toMatchObject({ key: "errors.upload.referenceLimit" });
    expect(await countReferencePhotos(testDb.db, avatarId)).toBe(maxReferencePhotos);
    const onDisk = (await readdir(`${media.root}/refs/${avatarId}`)).filter((f) => !f.startsWith("."));
    expect(onDisk).toHaveLength(maxReferencePhotos * 2);
  });

  it("answers per file in the caller's language and keeps the good ones", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const result = await receiveReferenceUploads(
      testDb.db,
      media,
      userId,
      avatarId,
      files(["me.jpg", selfie], ["notes.jpg", Buffer.from("hello")], ["empty.png", Buffer.alloc(0)], ["huge.jpg", Buffer.alloc(16 * 1024 * 1024, 1)]),
      "en",
    );
    expect(result.accepted).toHaveLength(1);
    expect(result.rejected).toEqual([
      { name: "notes.jpg", reason: "This is not a photo: JPEG, PNG, WebP and AVIF are accepted.", messageKey: "errors.upload.unsupportedType" },
      { name: "empty.png", reason: "The file is empty.", messageKey: "errors.upload.empty" },
      { name: "huge.jpg", reason: "The file is larger than 15 MB.", messageKey: "errors.upload.tooLarge" },
    ]);
    const russian = await receiveReferenceUploads(testDb.db, media, userId, avatarId, files(["x.jpg", Buffer.from("x")]), "ru");
    expect(russian.rejected[0]!.reason).toBe("Это не фото: подходят JPEG, PNG, WebP и AVIF.");
  });

  it("requires at least 5 selfies to generate and hands them over oldest first", async () => {
    const { userId, avatarId } = await userWithAvatar();
    for (let i = 0; i < 4; i++) await addReferencePhoto(testDb.db, media, userId, avatarId, distinctJpeg(selfie, i));
    expect(await errorOf(requireEnoughReferences(testDb.db, avatarId))).toMatchObject({ key: "errors.face.notEnoughSelfies", params: { min: 5, count: 4 } });
    await addReferencePhoto(testDb.db, media, userId, avatarId, distinctJpeg(selfie, 4));
    const references = await requireEnoughReferences(testDb.db, avatarId);
    expect(references.map((r) => r.id)).toEqual([...references.map((r) => r.id)].sort((a, b) => a - b));
    expect(references).toHaveLength(5);
  });

  it("removes a selfie with its files, refuses while the avatar is generating, and hides other users' selfies", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const stranger = await userWithAvatar();
    const added = await addReferencePhoto(testDb.db, media, userId, avatarId, selfie);
    const [row] = await testDb.db.select().from(referencePhotos).where(eq(referencePhotos.id, added.id));

    expect(await errorOf(removeReferencePhoto(testDb.db, media, stranger.userId, added.id))).toMatchObject({ key: "errors.reference.notFound" });
    await testDb.db.update(avatars).set({ status: "processing" }).where(eq(avatars.id, avatarId));
    expect(await errorOf(removeReferencePhoto(testDb.db, media, userId, added.id))).toMatchObject({ key: "errors.avatar.busy" });
    expect(await media.storage.get(row!.storageKey)).not.toBeNull();

    await testDb.db.update(avatars).set({ status: "ready" }).where(eq(avatars.id, avatarId));
    expect(await removeReferencePhoto(testDb.db, media, userId, added.id)).toEqual({ removed: true });
    expect(await media.storage.get(row!.storageKey)).toBeNull();
    expect(await media.storage.get(row!.thumbnailKey)).toBeNull();
    expect(await errorOf(removeReferencePhoto(testDb.db, media, userId, added.id))).toMatchObject({ key: "errors.reference.notFound" });
  });
});

/** The selfie files on disk for an avatar (temporary .partial files aside). */
const filesOf = async (root: string, avatarId: number) => (await readdir(`${root}/refs/${avatarId}`).catch(() => [] as string[])).filter((f) => !f.startsWith("."));

describe("the same file twice is one selfie", () => {
  it("answers a repeated upload with the selfie already stored, by its SHA-256, and stores nothing new", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const media = createTestMedia(manualClock());
    const first = await receiveReferenceUploads(testDb.db, media, userId, avatarId, files(["me.jpg", selfie]), "en");
    const again = await receiveReferenceUploads(testDb.db, media, userId, avatarId, files(["me (1).jpg", selfie], ["other.jpg", distinctJpeg(selfie, "other")]), "en");
    expect(again.accepted[0]!.id).toBe(first.accepted[0]!.id);
    expect(again.accepted[1]!.id).not.toBe(first.accepted[0]!.id);
    const rows = await testDb.db.select().from(referencePhotos).where(eq(referencePhotos.avatarId, avatarId));
    expect(rows.map((r) => r.contentSha256).sort()).toEqual([selfie, distinctJpeg(selfie, "other")].map((b) => createHash("sha256").update(b).digest("hex")).sort());
    expect(await filesOf(media.root, avatarId)).toHaveLength(4);

    // Another avatar is another set of selfies, even from the same file.
    const other = await createAvatar(testDb.db, userId, "Other");
    expect((await addReferencePhoto(testDb.db, media, userId, other.id, selfie)).id).not.toBe(first.accepted[0]!.id);
  });

  it("makes one row of identical uploads that race, and leaves only the winner's files", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const media = createTestMedia(manualClock());
    const racing = await Promise.all(Array.from({ length: 4 }, () => addReferencePhoto(testDb.db, media, userId, avatarId, selfie)));
    expect(new Set(racing.map((r) => r.id)).size).toBe(1);
    expect(await countReferencePhotos(testDb.db, avatarId)).toBe(1);
    const [row] = await testDb.db.select().from(referencePhotos).where(eq(referencePhotos.avatarId, avatarId));
    expect((await filesOf(media.root, avatarId)).sort()).toEqual([row!.storageKey, row!.thumbnailKey].map((k) => k.slice(k.lastIndexOf("/") + 1)).sort());
  });

  it("gives a full avatar's existing selfie back on a retry, and still refuses a 21st", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const media = createTestMedia(manualClock());
    const stored = [];
    for (let i = 0; i < maxReferencePhotos; i++) stored.push(await addReferencePhoto(testDb.db, media, userId, avatarId, distinctJpeg(selfie, i)));
    expect((await addReferencePhoto(testDb.db, media, userId, avatarId, distinctJpeg(selfie, 7))).id).toBe(stored[7]!.id);
    expect(await errorOf(addReferencePhoto(testDb.db, media, userId, avatarId, distinctJpeg(selfie, "21st")))).toMatchObject({ key: "errors.upload.referenceLimit" });
    expect(await countReferencePhotos(testDb.db, avatarId)).toBe(maxReferencePhotos);
  });
});

describe("the stored bytes of one user", () => {
  it("refuses a selfie past the user's cap, across all their avatars and even when uploads race, with nothing half-stored", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const second = await createAvatar(testDb.db, userId, "Second");
    const probe = createTestMedia(manualClock());
    const oneSelfie = (await addReferencePhoto(testDb.db, probe, userId, avatarId, selfie)).sizeBytes;
    // Room for two selfies of this size: the one stored, and one more.
    const media = { ...createTestMedia(manualClock()), maxSelfieBytesPerUser: Math.floor(oneSelfie * 2.5) };
    const racing = await Promise.allSettled([1, 2, 3].map((i) => addReferencePhoto(testDb.db, media, userId, second.id, distinctJpeg(selfie, i))));
    expect(racing.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const refused of racing.filter((r) => r.status === "rejected")) expect((refused as PromiseRejectedResult).reason).toMatchObject({ key: "errors.upload.storageFull" });
    expect(await countReferencePhotos(testDb.db, second.id)).toBe(1);
    expect(await filesOf(media.root, second.id)).toHaveLength(2);

    // The per-file answer, in the caller's language; a file the user already has is still theirs.
    const winner = racing.findIndex((r) => r.status === "fulfilled") + 1;
    const full = await receiveReferenceUploads(testDb.db, media, userId, second.id, files(["more.jpg", distinctJpeg(selfie, "more")], ["again.jpg", distinctJpeg(selfie, winner)]), "en");
    expect(full.rejected).toEqual([{ name: "more.jpg", reason: expect.stringMatching(/^There is no room left for your selfies: \d+ MB per account at most\./), messageKey: "errors.upload.storageFull" }]);
    expect(full.accepted.map((a) => a.id)).toEqual([(racing.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ id: number }>).value.id]);
    expect(await filesOf(media.root, second.id)).toHaveLength(2);
  });
});
