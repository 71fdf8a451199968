import { buffer } from "node:stream/consumers";
import { createAvatar, getOrCreateUserByDevice, setPhotoFavourite } from "@pinglass/accounts";
import { manualClock } from "@pinglass/core";
import { generatedPhotos, referencePhotos } from "@pinglass/db";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { fromBuffer } from "yauzl";
import { createS3Storage } from "./s3-storage.ts";
import { addReferencePhoto } from "./references.ts";
import { deleteAvatarWithFiles, mediaUserData, saveGeneratedImage } from "./photos.ts";
import { startTestS3 } from "./test-s3.ts";
import { photoJpeg } from "./test-images.ts";
import { useTestDb } from "./test-db.ts";
import { createTestMedia } from "./testing.ts";
import { avatarZipLink, openAvatarZip, verifyAvatarZipLink } from "./zip.ts";

const testDb = useTestDb();
const clock = manualClock();
const media = createTestMedia(clock);

async function userWithAvatar() {
  const user = await getOrCreateUserByDevice(testDb.db, crypto.randomUUID());
  const avatar = await createAvatar(testDb.db, user.id, "Photos");
  return { userId: user.id, avatarId: avatar.id };
}

/** Stores n generated photos for the avatar the way the generation worker does, and records their rows. */
async function generate(avatarId: number, n: number) {
  const saved = [];
  for (let position = 1; position <= n; position++) {
    const output = await sharp({ create: { width: 640, height: 800, channels: 3, background: { r: position * 20, g: 90, b: 160 } } }).png().toBuffer();
    const keys = await saveGeneratedImage(media.storage, { avatarId, jobId: 1, position }, output);
    await testDb.db.insert(generatedPhotos).values({ avatarId, styleId: "pinglass", imageUrl: keys.imageKey, thumbnailUrl: keys.thumbnailKey, createdAt: new Date(Date.UTC(2026, 0, 1, 0, position)) });
    saved.push(keys);
  }
  return saved;
}

/** Every entry of a ZIP, read with a real unzip library. */
function unzip(zip: Buffer): Promise<{ name: string; bytes: Buffer }[]> {
  return new Promise((resolve, reject) => {
    fromBuffer(zip, { lazyEntries: true }, (error, archive) => {
      if (error) return reject(error);
      const entries: { name: string; bytes: Buffer }[] = [];
      archive.on("entry", (entry: { fileName: string }) => {
        archive.openReadStream(entry as never, (streamError, stream) => {
          if (streamError) return reject(streamError);
          buffer(stream).then((bytes) => {
            entries.push({ name: entry.fileName, bytes });
            archive.readEntry();
          }, reject);
        });
      });
      archive.on("end", () => resolve(entries));
      archive.on("error", reject);
      archive.readEntry();
    });
  });
}

describe("generated photos in storage", () => {
  it("saves a provider's output as our own metadata-free JPEG with a WebP thumbnail under fixed keys", async () => {
    const tagged = await photoJpeg(1000, 1250, (image) => image.withExif({ IFD0: { Software: "SomeProvider v2" } }));
    const keys = await saveGeneratedImage(media.storage, { avatarId: 7, jobId: 3, position: 12 }, tagged);
    expect(keys).toMatchObject({ imageKey: "photos/7/3-12.jpg", thumbnailKey: "photos/7/3-12.thumb.webp", width: 1000, height: 1250 });
    const image = await buffer((await media.storage.get(keys.imageKey))!.body);
    const meta = await sharp(image).metadata();
    expect(meta).toMatchObject({ format: "jpeg", width: 1000, height: 1250 });
    expect(meta.exif).toBeUndefined();
    expect(await sharp(await buffer((await media.storage.get(keys.thumbnailKey))!.body)).metadata()).toMatchObject({ format: "webp", height: 384 });

    // A retried save of the same slot overwrites: still one image under the same key.
    const again = await saveGeneratedImage(media.storage, { avatarId: 7, jobId: 3, position: 12 }, tagged);
    expect(again.imageKey).toBe(keys.imageKey);
  });

  it("keeps a provider's upright sRGB JPEG pixel for pixel, only without its metadata", async () => {
    const tagged = await photoJpeg(800, 1000, (image) => image.withExif({ IFD0: { Artist: "Somebody", Software: "SomeProvider v2" } }).withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>'));
    const keys = await saveGeneratedImage(media.storage, { avatarId: 7, jobId: 4, position: 0 }, tagged);
    const stored = await buffer((await media.storage.get(keys.imageKey))!.body);
    expect(stored.length).toBeLessThan(tagged.length);
    expect(stored.includes("SomeProvider")).toBe(false);
    expect(stored.includes("xmpmeta")).toBe(false);
    const pixels = (image: Buffer) => sharp(image).raw().toBuffer();
    expect((await pixels(stored)).equals(await pixels(tagged))).toBe(true);
  });

  it("re-encodes output that needs it: rotated by EXIF, or not a JPEG", async () => {
    const rotated = await photoJpeg(1000, 800, (image) => image.withMetadata({ orientation: 6 }));
    const upright = await saveGeneratedImage(media.storage, { avatarId: 7, jobId: 5, position: 0 }, rotated);
    expect(upright).toMatchObject({ width: 800, height: 1000 });
    expect((await sharp(await buffer((await media.storage.get(upright.imageKey))!.body)).metadata()).orientation).toBeUndefined();

    const png = await sharp({ create: { width: 400, height: 500, channels: 3, background: "#7a5" } }).png().toBuffer();
    const fromPng = await saveGeneratedImage(media.storage, { avatarId: 7, jobId: 5, position: 1 }, png);
    expect(await sharp(await buffer((await media.storage.get(fromPng.imageKey))!.body)).metadata()).toMatchObject({ format: "jpeg", width: 400, height: 500 });
  });

  it("refuses a truncated JPEG instead of storing half a photo", async () => {
    const whole = await photoJpeg(800, 1000);
    await expect(saveGeneratedImage(media.storage, { avatarId: 7, jobId: 6, position: 0 }, whole.subarray(0, Math.floor(whole.length / 2)))).rejects.toMatchObject({ key: "errors.upload.unreadable" });
    expect(await media.storage.get("photos/7/6-0.jpg")).toBeNull();
  });

  it("refuses provider output that is not an image", async () => {
    await expect(saveGeneratedImage(media.storage, { avatarId: 7, jobId: 3, position: 1 }, Buffer.from("<html>502 Bad Gateway</html>"))).rejects.toMatchObject({
      key: "errors.upload.unsupportedType",
    });
  });
});

describe("the ZIP of an avatar's photos", () => {
  it("streams every photo, oldest first, as a valid ZIP", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const saved = await generate(avatarId, 5);
    const zip = await openAvatarZip(testDb.db, media, userId, avatarId);
    expect(zip.fileName).toBe(`pinglass-${avatarId}.zip`);
    expect(zip.photoCount).toBe(5);
    const entries = await unzip(await buffer(zip.stream));
    expect(entries.map((e) => e.name)).toEqual([1, 2, 3, 4, 5].map((n) => `pinglass-${avatarId}-${n}.jpg`));
    const first = await buffer((await media.storage.get(saved[0]!.imageKey))!.body);
    expect(entries[0]!.bytes.equals(first)).toBe(true);
  });

  it("is for the owner only: the link binds avatar, user and expiry", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const stranger = await userWithAvatar();
    await expect(avatarZipLink(testDb.db, media, stranger.userId, avatarId)).rejects.toMatchObject({ key: "errors.avatar.notFound" });
    await expect(openAvatarZip(testDb.db, media, stranger.userId, avatarId)).rejects.toMatchObject({ key: "errors.avatar.notFound" });

    const url = new URL((await avatarZipLink(testDb.db, media, userId, avatarId)).url);
    expect(url.pathname).toBe(`/downloads/avatars/${avatarId}.zip`);
    const query = { user: url.searchParams.get("user"), exp: url.searchParams.get("exp"), sig: url.searchParams.get("sig") };
    expect(verifyAvatarZipLink(media, avatarId, query)).toBe(userId);
    expect(verifyAvatarZipLink(media, avatarId + 1, query)).toBeNull();
    expect(verifyAvatarZipLink(media, avatarId, { ...query, user: String(stranger.userId) })).toBeNull();
    expect(verifyAvatarZipLink(media, avatarId, { ...query, exp: String(Number(query.exp) + 3600) })).toBeNull();
    expect(verifyAvatarZipLink(media, avatarId, { ...query, sig: query.sig!.replace(/^./, (c) => (c === "A" ? "B" : "A")) })).toBeNull();
    clock.advance(2 * 60 * 60 * 1000);
    expect(verifyAvatarZipLink(media, avatarId, query)).toBeNull();
  });

  it("of the favourites only: its own link (the whole set's does not open it, nor it the whole set) and its own name", async () => {
    const { userId, avatarId } = await userWithAvatar();
    await generate(avatarId, 5);
    const photos = await testDb.db.select().from(generatedPhotos).orderBy(generatedPhotos.id);
    await setPhotoFavourite(testDb.db, clock, userId, photos[3]!.id, true);
    await setPhotoFavourite(testDb.db, clock, userId, photos[1]!.id, true);
    const zip = await openAvatarZip(testDb.db, media, userId, avatarId, { favourites: true });
    expect(zip.fileName).toBe(`pinglass-${avatarId}-favourites.zip`);
    const entries = await unzip(await buffer(zip.stream));
    expect(entries.map((e) => e.name)).toEqual([`pinglass-${avatarId}-1.jpg`, `pinglass-${avatarId}-2.jpg`]);
    expect(entries[0]!.bytes.equals(await buffer((await media.storage.get(photos[1]!.imageUrl!))!.body))).toBe(true);

    const url = new URL((await avatarZipLink(testDb.db, media, userId, avatarId, { favourites: true })).url);
    expect(url.searchParams.get("favourites")).toBe("1");
    const query = { user: url.searchParams.get("user"), exp: url.searchParams.get("exp"), sig: url.searchParams.get("sig") };
    expect(verifyAvatarZipLink(media, avatarId, { ...query, favourites: true })).toBe(userId);
    expect(verifyAvatarZipLink(media, avatarId, { ...query, favourites: false })).toBeNull();
    const whole = new URL((await avatarZipLink(testDb.db, media, userId, avatarId)).url);
    const wholeQuery = { user: whole.searchParams.get("user"), exp: whole.searchParams.get("exp"), sig: whole.searchParams.get("sig") };
    expect(verifyAvatarZipLink(media, avatarId, { ...wholeQuery, favourites: true })).toBeNull();
  });

  it("an avatar without photos is an empty ZIP", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const zip = await openAvatarZip(testDb.db, media, userId, avatarId);
    expect(await unzip(await buffer(zip.stream))).toEqual([]);
  });
});

describe("deleting an avatar", () => {
  it("removes its rows and then its files: photos, thumbnails and selfies", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const saved = await generate(avatarId, 2);
    await addReferencePhoto(testDb.db, media, userId, avatarId, await photoJpeg(600, 800));
    const [reference] = await testDb.db.select().from(referencePhotos);
    expect(await deleteAvatarWithFiles(testDb.db, media, userId, avatarId, [mediaUserData])).toEqual({ deleted: true });
    for (const key of [...saved.flatMap((s) => [s.imageKey, s.thumbnailKey]), reference!.storageKey, reference!.thumbnailKey]) {
      expect(await media.storage.get(key), key).toBeNull();
    }
  });

  it("logs, and does not fail, when the storage cannot delete the files after the rows are gone", async () => {
    const { userId, avatarId } = await userWithAvatar();
    await generate(avatarId, 1);
    const s3 = await startTestS3();
    try {
      // A real S3 client against a real server, on a bucket that does not exist: every delete fails.
      const broken = { ...media, storage: createS3Storage({ bucket: "no-such-bucket", region: "us-east-1", endpoint: s3.endpoint, accessKeyId: "S3RVER", secretAccessKey: "S3RVER", forcePathStyle: true }) };
      const warningsBefore = media.warnings.length;
      expect(await deleteAvatarWithFiles(testDb.db, broken, userId, avatarId, [mediaUserData])).toEqual({ deleted: true });
      expect(media.warnings.slice(warningsBefore)).toEqual([expect.objectContaining({ details: expect.objectContaining({ keys: [`photos/${avatarId}/1-1.jpg`, `photos/${avatarId}/1-1.thumb.webp`] }) })]);
      expect(await testDb.db.select().from(generatedPhotos)).toEqual([]);
    } finally {
      await s3.stop();
    }
  });
});
