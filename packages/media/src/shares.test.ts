import { createAvatar, getOrCreateUserByDevice } from "@pinglass/accounts";
import { manualClock } from "@pinglass/core";
import { generatedPhotos, photoShares } from "@pinglass/db";
import { describe, expect, it } from "vitest";
import { deleteAvatarWithFiles, mediaUserData } from "./photos.ts";
import { openSharedPhoto, photoSharedUntil, revokePhotoShares, sharePhoto } from "./shares.ts";
import { useTestDb } from "./test-db.ts";
import { createTestMedia } from "./testing.ts";

const testDb = useTestDb();
const clock = manualClock();
const media = createTestMedia(clock);

async function userWithPhoto() {
  const user = await getOrCreateUserByDevice(testDb.db, crypto.randomUUID());
  const avatar = await createAvatar(testDb.db, user.id, "Shared");
  const [photo] = await testDb.db.insert(generatedPhotos).values({ avatarId: avatar.id, styleId: "pinglass", sceneId: "pinglass-yacht-deck", imageUrl: `photos/${avatar.id}/1-1.jpg` }).returning();
  return { userId: user.id, avatarId: avatar.id, photoId: photo!.id };
}

const tokenOf = (url: string) => new URL(url).pathname.replace(/^\/s\//, "");

describe("share pages of photos", () => {
  it("show the photo to whoever has the link for 30 days, through a signed link to it", async () => {
    const { userId, photoId } = await userWithPhoto();
    const share = await sharePhoto(testDb.db, media, clock, userId, photoId);
    expect(share.url).toMatch(/^http:\/\/pinglass\.test\/s\/[A-Za-z0-9_-]{43}$/);
    expect(share.expiresAt.getTime() - clock.now().getTime()).toBe(30 * 86_400_000);
    const shown = await openSharedPhoto(testDb.db, media, clock, tokenOf(share.url));
    expect(shown).toMatchObject({ sceneId: "pinglass-yacht-deck", expiresAt: share.expiresAt });
    const image = new URL(shown!.imageUrl);
    expect(image.pathname).toMatch(/^\/media\/photos\/\d+\/1-1\.jpg$/);
    expect(media.signer.verifyObject(image.pathname.slice("/media/".length), { exp: image.searchParams.get("exp"), sig: image.searchParams.get("sig") })).toBe(true);
    expect(await photoSharedUntil(testDb.db, clock, userId, photoId)).toEqual({ sharedUntil: share.expiresAt });

    clock.advance(30 * 86_400_000 - 1000);
    expect(await openSharedPhoto(testDb.db, media, clock, tokenOf(share.url))).not.toBeNull();
    clock.advance(2000);
    expect(await openSharedPhoto(testDb.db, media, clock, tokenOf(share.url))).toBeNull();
    expect(await photoSharedUntil(testDb.db, clock, userId, photoId)).toEqual({ sharedUntil: null });
  });

  it("keep only the token's SHA-256: the table holds nothing that opens a photo", async () => {
    const { userId, photoId } = await userWithPhoto();
    const token = tokenOf((await sharePhoto(testDb.db, media, clock, userId, photoId)).url);
    const [row] = await testDb.db.select().from(photoShares);
    expect(row!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(await openSharedPhoto(testDb.db, media, clock, row!.tokenHash)).toBeNull();
  });

  it("end at once when their owner revokes them, every link of the photo; another photo's stay", async () => {
    const { userId, avatarId, photoId } = await userWithPhoto();
    const [other] = await testDb.db.insert(generatedPhotos).values({ avatarId, styleId: "pinglass", imageUrl: `photos/${avatarId}/1-2.jpg` }).returning();
    const first = tokenOf((await sharePhoto(testDb.db, media, clock, userId, photoId)).url);
    const second = tokenOf((await sharePhoto(testDb.db, media, clock, userId, photoId)).url);
    const kept = tokenOf((await sharePhoto(testDb.db, media, clock, userId, other!.id)).url);
    expect(first).not.toBe(second);
    expect(await revokePhotoShares(testDb.db, clock, userId, photoId)).toEqual({ revoked: 2 });
    expect(await openSharedPhoto(testDb.db, media, clock, first)).toBeNull();
    expect(await openSharedPhoto(testDb.db, media, clock, second)).toBeNull();
    expect(await openSharedPhoto(testDb.db, media, clock, kept)).not.toBeNull();
    expect(await revokePhotoShares(testDb.db, clock, userId, photoId)).toEqual({ revoked: 0 });
  });

  it("are the owner's alone: someone else's photo is not found, and a made-up token shows nothing", async () => {
    const { photoId } = await userWithPhoto();
    const stranger = await userWithPhoto();
    await expect(sharePhoto(testDb.db, media, clock, stranger.userId, photoId)).rejects.toMatchObject({ key: "errors.photo.notFound" });
    await expect(revokePhotoShares(testDb.db, clock, stranger.userId, photoId)).rejects.toMatchObject({ key: "errors.photo.notFound" });
    await expect(photoSharedUntil(testDb.db, clock, stranger.userId, 2 ** 40)).rejects.toMatchObject({ key: "errors.photo.notFound" });
    for (const token of ["", "short", "A".repeat(43), "../../etc/passwd", `${"A".repeat(42)}=`]) {
      expect(await openSharedPhoto(testDb.db, media, clock, token)).toBeNull();
    }
  });

  it("go with their photo: deleting the avatar ends its links", async () => {
    const { userId, avatarId, photoId } = await userWithPhoto();
    const token = tokenOf((await sharePhoto(testDb.db, media, clock, userId, photoId)).url);
    await deleteAvatarWithFiles(testDb.db, media, userId, avatarId, [mediaUserData]);
    expect(await testDb.db.select().from(photoShares)).toEqual([]);
    expect(await openSharedPhoto(testDb.db, media, clock, token)).toBeNull();
  });
});
