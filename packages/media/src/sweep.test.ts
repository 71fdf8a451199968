import { readdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createAvatar, getOrCreateUserByDevice } from "@pinglass/accounts";
import { manualClock } from "@pinglass/core";
import { avatars, generatedPhotos, referencePhotos } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveGeneratedImage } from "./photos.ts";
import { addReferencePhoto } from "./references.ts";
import { orphanGraceMs, sweepOrphanMedia } from "./sweep.ts";
import { distinctJpeg, photoJpeg } from "./test-images.ts";
import { createTestMedia } from "./testing.ts";

let testDb: TestDb;
let selfie: Buffer;
beforeAll(async () => {
  testDb = await createTestDb();
  selfie = await photoJpeg(600, 800);
});
afterAll(() => testDb.close());

/** Every file under the storage root, as keys (and the .partial leftovers by their paths). */
async function everyFile(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort();
}

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 60 * 60 * 1000);

describe("the media sweep", () => {
  it("removes old files without rows and old .partial files, and keeps every file a row names and every young one", async () => {
    const media = createTestMedia(manualClock());
    const user = await getOrCreateUserByDevice(testDb.db, crypto.randomUUID());
    const avatar = await createAvatar(testDb.db, user.id, "Kept");
    const gone = await createAvatar(testDb.db, user.id, "Deleted, files left behind");

    // Rows with their files: two selfies, a generated photo that is also the avatar's cover.
    const kept = [await addReferencePhoto(testDb.db, media, user.id, avatar.id, selfie), await addReferencePhoto(testDb.db, media, user.id, avatar.id, distinctJpeg(selfie, 2))];
    const photo = await saveGeneratedImage(media.storage, { avatarId: avatar.id, jobId: 1, position: 1 }, selfie);
    await testDb.db.insert(generatedPhotos).values({ avatarId: avatar.id, styleId: "pinglass", imageUrl: photo.imageKey, thumbnailUrl: photo.thumbnailKey });
    const cover = await saveGeneratedImage(media.storage, { avatarId: avatar.id, jobId: 1, position: 2 }, selfie);
    await testDb.db.update(avatars).set({ thumbnailUrl: cover.thumbnailKey }).where(eq(avatars.id, avatar.id));

    // What crashes leave: files whose row never came (a selfie, a photo), files of an avatar
    // whose rows are gone, and a write cut short; plus a file without a row that is still young.
    await media.storage.put(`refs/${avatar.id}/crashed-before-insert.jpg`, selfie, "image/jpeg");
    await media.storage.put(`refs/${avatar.id}/crashed-before-insert.thumb.webp`, selfie, "image/webp");
    await media.storage.put(`photos/${avatar.id}/9-1.jpg`, selfie, "image/jpeg");
    await addReferencePhoto(testDb.db, media, user.id, gone.id, distinctJpeg(selfie, 3));
    await testDb.db.delete(referencePhotos).where(eq(referencePhotos.avatarId, gone.id));
    await testDb.db.delete(avatars).where(eq(avatars.id, gone.id));
    await writeFile(join(media.root, "refs", String(avatar.id), ".0b9e.partial"), selfie.subarray(0, 100));
    await media.storage.put(`refs/${avatar.id}/in-flight.jpg`, selfie, "image/jpeg");
    // A key of a shape the sweep does not know is never its business.
    await media.storage.put("other/1/x.jpg", selfie, "image/jpeg");

    const young = [`refs/${avatar.id}/in-flight.jpg`];
    for (const key of await everyFile(media.root)) {
      if (young.includes(key)) continue;
      await utimes(join(media.root, key), hoursAgo(2), hoursAgo(2));
    }

    const result = await sweepOrphanMedia(testDb.db, media, { now: new Date() });
    // Two of the crashed selfie, the crashed photo, the deleted avatar's two, and the cover's
    // full-size image, which no row names (the avatar keeps only its thumbnail).
    expect(result).toEqual({ orphans: 6, unfinished: 1 });
    const rowKeys = kept.flatMap((r) => [r.url, r.thumbnailUrl]).map((url) => new URL(url!).pathname.slice("/media/".length));
    expect(await everyFile(media.root)).toEqual([...rowKeys, photo.imageKey, photo.thumbnailKey, cover.thumbnailKey, `refs/${avatar.id}/in-flight.jpg`, "other/1/x.jpg"].sort());

    // An hour on, the young file without a row is an orphan too.
    expect(await sweepOrphanMedia(testDb.db, media, { now: new Date(Date.now() + orphanGraceMs) })).toEqual({ orphans: 1, unfinished: 0 });
    expect(await everyFile(media.root)).not.toContain(`refs/${avatar.id}/in-flight.jpg`);
  });
});
