import { generatedPhotos } from "@pinglass/db";
import { addReferencePhoto, saveGeneratedImage } from "@pinglass/media";
import { distinctJpeg, photoJpeg } from "@pinglass/media/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApi } from "../testing.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
let selfie: Buffer;
beforeAll(async () => {
  api = await createTestApi();
  selfie = await photoJpeg(600, 800);
});
afterAll(() => api.testDb.close());
beforeEach(() => api.testDb.reset());

const signedMediaLink = /^http:\/\/pinglass\.test\/media\/[\w/.-]+\?exp=\d+(&dl=[\w.-]+)?&sig=[\w-]+$/;

describe("references.list / references.remove", () => {
  it("lists the avatar's selfies with signed links and removes one, for the owner only", async () => {
    const { caller, userId } = await api.signIn();
    const stranger = await api.signIn();
    const avatar = await caller.avatars.create();
    const first = await addReferencePhoto(api.deps.db, api.deps.media, userId, avatar.id, selfie);
    await addReferencePhoto(api.deps.db, api.deps.media, userId, avatar.id, distinctJpeg(selfie, 2));

    const list = await caller.references.list({ avatarId: avatar.id });
    expect(list).toHaveLength(2);
    for (const reference of list) {
      expect(reference.url).toMatch(signedMediaLink);
      expect(reference.thumbnailUrl).toMatch(signedMediaLink);
    }
    await expect(stranger.caller.references.list({ avatarId: avatar.id })).rejects.toMatchObject({ code: "NOT_FOUND", message: "Аватар не найден." });
    await expect(stranger.caller.references.remove({ referenceId: first.id })).rejects.toMatchObject({ code: "NOT_FOUND", message: "Селфи не найдено." });

    expect(await caller.references.remove({ referenceId: first.id })).toEqual({ removed: true });
    expect((await caller.references.list({ avatarId: avatar.id })).map((r) => r.id)).not.toContain(first.id);
  });
});

describe("links in what the API returns", () => {
  async function avatarWithPhotos(avatarId: number, n: number) {
    for (let position = 1; position <= n; position++) {
      const keys = await saveGeneratedImage(api.deps.media.storage, { avatarId, jobId: 1, position }, selfie);
      await api.testDb.db.insert(generatedPhotos).values({ avatarId, imageUrl: keys.imageKey, thumbnailUrl: keys.thumbnailKey, styleId: "pinglass" });
      if (position === 1) await api.testDb.db.execute(`UPDATE avatars SET thumbnail_url = '${keys.thumbnailKey}', status = 'ready' WHERE id = ${avatarId}`);
    }
  }

  it("photos and avatar thumbnails come back as signed links, never as storage keys, with a named download link", async () => {
    const { caller } = await api.signIn();
    const avatar = await caller.avatars.create();
    await avatarWithPhotos(avatar.id, 3);

    const page = await caller.photos.list({ avatarId: avatar.id });
    expect(page.items).toHaveLength(3);
    for (const photo of page.items) {
      expect(photo.imageUrl).toMatch(signedMediaLink);
      expect(photo.thumbnailUrl).toMatch(/\.thumb\.webp\?/);
      expect(photo.downloadUrl).toContain(`dl=pinglass-${avatar.id}-${photo.id}.jpg`);
    }
    const [listed] = (await caller.avatars.list()).items;
    expect(listed!.thumbnailUrl).toMatch(signedMediaLink);
    expect((await caller.avatars.get({ avatarId: avatar.id })).thumbnailUrl).toMatch(signedMediaLink);
    expect((await caller.avatars.rename({ avatarId: avatar.id, name: "Новое" })).thumbnailUrl).toMatch(signedMediaLink);
    expect(JSON.stringify(await caller.avatars.list())).not.toMatch(/"photos\//);
  });

  it("photos.zipUrl signs a ZIP link for the owner only", async () => {
    const { caller, userId } = await api.signIn();
    const stranger = await api.signIn();
    const avatar = await caller.avatars.create();
    const { url } = await caller.photos.zipUrl({ avatarId: avatar.id });
    expect(url).toMatch(new RegExp(`^http://pinglass\\.test/downloads/avatars/${avatar.id}\\.zip\\?user=${userId}&exp=\\d+&sig=`));
    await expect(stranger.caller.photos.zipUrl({ avatarId: avatar.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("avatars.delete removes the avatar's files too", async () => {
    const { caller, userId } = await api.signIn();
    const avatar = await caller.avatars.create();
    await avatarWithPhotos(avatar.id, 2);
    await addReferencePhoto(api.deps.db, api.deps.media, userId, avatar.id, selfie);
    const keys = (await api.testDb.db.select().from(generatedPhotos)).flatMap((p) => [p.imageUrl!, p.thumbnailUrl!]);
    expect(await caller.avatars.delete({ avatarId: avatar.id })).toEqual({ deleted: true });
    for (const key of keys) expect(await api.deps.media.storage.get(key)).toBeNull();
  });
});

describe("references.limits", () => {
  it("serves the selfie limits the upload route and generation.start enforce", async () => {
    expect(await api.anonymous().references.limits()).toEqual({ min: 5, max: 20, maxFileBytes: 15 * 1024 * 1024, maxMegapixels: 50 });
  });
});
