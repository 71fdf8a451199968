import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApi } from "../testing.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.testDb.close());
beforeEach(() => api.testDb.reset());

/** A signed-in user with an avatar of `count` photos, oldest first. */
async function photoset(count: number) {
  const session = await api.signIn();
  const avatar = await session.caller.avatars.create();
  for (let i = 0; i < count; i++) {
    await api.testDb.db.execute(`INSERT INTO generated_photos (avatar_id, style_id, image_url, created_at) VALUES (${avatar.id}, 'creative', 'photos/${avatar.id}/1-${i}.jpg', TIMESTAMP '2026-01-01' + interval '${i} minutes')`);
  }
  const photos = (await session.caller.photos.list({ avatarId: avatar.id, limit: 100 })).items.reverse();
  return { ...session, avatar, photos };
}

describe("favourites", () => {
  it("are kept with the photo: every device of the user sees the same hearts, and only the favourites are listed", async () => {
    const { caller, token, avatar, photos } = await photoset(4);
    expect(await caller.favourites.set({ photoId: photos[2]!.id, favourite: true })).toEqual({ photoId: photos[2]!.id, favourite: true });
    await caller.favourites.set({ photoId: photos[0]!.id, favourite: true });
    // Hearting twice keeps the first time; another session of the same user sees the same.
    const first = (await caller.photos.list({ avatarId: avatar.id })).items.find((p) => p.id === photos[0]!.id)!.favouritedAt;
    await caller.favourites.set({ photoId: photos[0]!.id, favourite: true });
    const elsewhere = api.withToken(token);
    const listed = await elsewhere.photos.list({ avatarId: avatar.id });
    expect(listed.items.find((p) => p.id === photos[0]!.id)!.favouritedAt).toEqual(first);
    expect(listed.items.filter((p) => p.favouritedAt !== null).map((p) => p.id)).toEqual([photos[2]!.id, photos[0]!.id]);
    expect((await elsewhere.favourites.list({ avatarId: avatar.id })).items.map((p) => p.id)).toEqual([photos[2]!.id, photos[0]!.id]);

    await elsewhere.favourites.set({ photoId: photos[2]!.id, favourite: false });
    expect((await caller.favourites.list({ avatarId: avatar.id })).items.map((p) => p.id)).toEqual([photos[0]!.id]);
  });

  it("download as a ZIP of their own, through a link signed for the favourites", async () => {
    const { caller, avatar } = await photoset(1);
    const url = new URL((await caller.favourites.zipUrl({ avatarId: avatar.id })).url);
    expect(url.pathname).toBe(`/downloads/avatars/${avatar.id}.zip`);
    expect(url.searchParams.get("favourites")).toBe("1");
  });

  it("are the owner's alone: someone else's photo or avatar is not found, in the caller's language, and nothing changes", async () => {
    const { photos, avatar } = await photoset(1);
    const { token } = await api.signIn();
    const stranger = api.withToken(token, "en");
    await expect(stranger.favourites.set({ photoId: photos[0]!.id, favourite: true })).rejects.toMatchObject({ code: "NOT_FOUND", message: "Photo not found." });
    await expect(stranger.favourites.list({ avatarId: avatar.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(stranger.favourites.zipUrl({ avatarId: avatar.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const [row] = await api.testDb.db.query.generatedPhotos.findMany();
    expect(row!.favouritedAt).toBeNull();
  });
});

describe("the lists the web app pages through with infinite queries", () => {
  it("take the direction tRPC puts next to the cursor", async () => {
    const { caller, avatar } = await photoset(2);
    expect((await caller.avatars.list({ limit: 20, direction: "forward" })).items).toHaveLength(1);
    expect((await caller.photos.list({ avatarId: avatar.id, limit: 60, direction: "forward" })).items).toHaveLength(2);
    expect((await caller.favourites.list({ avatarId: avatar.id, direction: "forward" })).items).toEqual([]);
  });
});

describe("share pages", () => {
  it("are made, reported and revoked by the photo's owner only", async () => {
    const { caller, photos } = await photoset(1);
    const photoId = photos[0]!.id;
    expect(await caller.shares.status({ photoId })).toEqual({ sharedUntil: null });
    const share = await caller.shares.create({ photoId });
    expect(share.url).toMatch(/^http:\/\/pinglass\.test\/s\/[A-Za-z0-9_-]{43}$/);
    expect(await caller.shares.status({ photoId })).toEqual({ sharedUntil: share.expiresAt });

    const { token } = await api.signIn();
    const stranger = api.withToken(token);
    await expect(stranger.shares.create({ photoId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(stranger.shares.revoke({ photoId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(stranger.shares.status({ photoId })).rejects.toMatchObject({ code: "NOT_FOUND" });

    expect(await caller.shares.revoke({ photoId })).toEqual({ revoked: 1 });
    expect(await caller.shares.status({ photoId })).toEqual({ sharedUntil: null });
  });
});

describe("scenes", () => {
  it("name every scene a photo can have, in both languages, for anyone", async () => {
    const scenes = await api.anonymous().scenes.list();
    expect(scenes.find((scene) => scene.id === "pinglass-yacht-deck")).toEqual({ id: "pinglass-yacht-deck", styleId: "pinglass", name: { en: "On a yacht deck", ru: "На палубе яхты" } });
    expect(new Set(scenes.map((scene) => scene.id)).size).toBe(scenes.length);
  });
});
