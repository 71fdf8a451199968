import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { createAvatar, getOrCreateUserByDevice } from "@pinglass/accounts";
import { manualClock } from "@pinglass/core";
import { referencePhotos } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { createFaceAnalyzer, similarity } from "@pinglass/faces";
import { blurredSelfie, groupPhoto, noFacePicture, selfieOf, tiltedSelfie, tinyFaceSelfie } from "@pinglass/faces/testing";
import { asc, eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addReferencePhoto, listReferencePhotos, receiveReferenceUploads, removeReferencePhoto, requireEnoughReferences } from "./references.ts";
import { createTestMedia } from "./testing.ts";

let testDb: TestDb;
const faces = createFaceAnalyzer({ poolSize: 1 });
const media = { ...createTestMedia(manualClock()), faces };
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(async () => {
  await faces.close();
  await testDb.close();
});
beforeEach(() => testDb.reset());

async function userWithAvatar() {
  const user = await getOrCreateUserByDevice(testDb.db, crypto.randomUUID());
  const avatar = await createAvatar(testDb.db, user.id, "Selfies");
  return { userId: user.id, avatarId: avatar.id };
}

const files = (...entries: [string, Buffer][]) => Readable.from(entries.map(([name, bytes]) => ({ name, stream: Readable.from([bytes]) })));
const storedUnder = async (avatarId: number) => readdir(join(media.root, "refs", String(avatarId))).catch(() => []);

describe("face checks at upload", () => {
  it("refuses a picture without a face, a group photo, a tiny face, a blurred and a tilted one, each with its reason, storing nothing", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const result = await receiveReferenceUploads(
      testDb.db,
      media,
      userId,
      avatarId,
      files(["lamps.jpg", await noFacePicture()], ["party.jpg", await groupPhoto()], ["far.jpg", await tinyFaceSelfie()], ["shaky.jpg", await blurredSelfie()], ["tilted.jpg", await tiltedSelfie()]),
      "en",
    );
    expect(result.accepted).toEqual([]);
    expect(result.rejected.map((r) => [r.name, r.messageKey])).toEqual([
      ["lamps.jpg", "errors.face.none"],
      ["party.jpg", "errors.face.several"],
      ["far.jpg", "errors.face.tooSmall"],
      ["shaky.jpg", "errors.face.blurry"],
      ["tilted.jpg", "errors.face.turned"],
    ]);
    expect(result.rejected[1]!.reason).toBe("There are several people in this photo. A selfie of you alone is needed.");
    expect(await testDb.db.select().from(referencePhotos)).toEqual([]);
    expect(await storedUnder(avatarId)).toEqual([]);
  });

  it("keeps an accepted selfie's face (embedding, box, sharpness) and a crop around it, and lists its verdict", async () => {
    const { userId, avatarId } = await userWithAvatar();
    const added = await addReferencePhoto(testDb.db, media, userId, avatarId, await selfieOf("man"));
    expect(added.verdict).toBe("ok");
    const [row] = await testDb.db.select().from(referencePhotos).where(eq(referencePhotos.id, added.id));
    expect(row!.faceVerdict).toBe("ok");
    expect(row!.faceEmbedding).toHaveLength(1024);
    expect(similarity(row!.faceEmbedding!, row!.faceEmbedding!)).toBeCloseTo(1, 4);
    expect(row!.faceBox!.width).toBeGreaterThan(0.2);
    expect(row!.faceSharpness).toBeGreaterThan(1);
    const crop = await sharp(await buffer((await media.storage.get(row!.faceKey!))!.body)).metadata();
    expect(crop.format).toBe("jpeg");
    expect(crop.width! * crop.height!).toBeLessThan(row!.width * row!.height);
    expect((await listReferencePhotos(testDb.db, media, userId, avatarId)).map((r) => r.verdict)).toEqual(["ok"]);

    await removeReferencePhoto(testDb.db, media, userId, added.id);
    expect(await storedUnder(avatarId)).toEqual([]);
  });

  it("refuses another person once the avatar has three good selfies, and takes the person's own", async () => {
    const { userId, avatarId } = await userWithAvatar();
    for (let i = 0; i < 3; i++) await addReferencePhoto(testDb.db, media, userId, avatarId, await selfieOf("man", i));
    const result = await receiveReferenceUploads(testDb.db, media, userId, avatarId, files(["her.jpg", await selfieOf("blonde")], ["me.jpg", await selfieOf("man", 9)]), "ru");
    expect(result.rejected).toEqual([{ name: "her.jpg", reason: "Похоже, это другой человек, не тот, что на остальных селфи этого аватара.", messageKey: "errors.face.otherPerson" }]);
    expect(result.accepted.map((a) => a.verdict)).toEqual(["ok"]);
    expect((await storedUnder(avatarId)).sort()).toEqual((await testDb.db.select().from(referencePhotos)).flatMap((r) => [r.storageKey, r.thumbnailKey, r.faceKey!]).map((key) => key.split("/").pop()).sort());
  });

  it("flags a stranger who came in before the identity was known, counts only good selfies, and unflags nobody wrongly", async () => {
    const { userId, avatarId } = await userWithAvatar();
    await addReferencePhoto(testDb.db, media, userId, avatarId, await selfieOf("man", 0));
    await addReferencePhoto(testDb.db, media, userId, avatarId, await selfieOf("beard"));
    for (let i = 1; i < 4; i++) await addReferencePhoto(testDb.db, media, userId, avatarId, await selfieOf("man", i));
    const verdicts = async () => (await listReferencePhotos(testDb.db, media, userId, avatarId)).map((r) => r.verdict);
    expect(await verdicts()).toEqual(["ok", "otherPerson", "ok", "ok", "ok"]);
    await expect(requireEnoughReferences(testDb.db, avatarId)).rejects.toMatchObject({ key: "errors.face.notEnoughSelfies", params: { min: 5, count: 4 } });

    await addReferencePhoto(testDb.db, media, userId, avatarId, await selfieOf("man", 4));
    const good = await requireEnoughReferences(testDb.db, avatarId);
    const stranger = await testDb.db.select().from(referencePhotos).where(eq(referencePhotos.faceVerdict, "otherPerson")).orderBy(asc(referencePhotos.id));
    expect(good).toHaveLength(5);
    expect(good.map((r) => r.id)).not.toContain(stranger[0]!.id);
    expect(await verdicts()).toEqual(["ok", "otherPerson", "ok", "ok", "ok", "ok"]);
  });
});
