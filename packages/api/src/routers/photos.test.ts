import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApi } from "../testing.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.testDb.close());
beforeEach(() => api.testDb.reset());

describe("photos.list", () => {
  it("pages through the user's photos newest first without gaps or repeats, optionally for one avatar", async () => {
    const { caller } = await api.signIn();
    const a = await caller.avatars.create();
    const b = await caller.avatars.create();
    // 25 photos, several sharing one created_at so the id breaks ties.
    for (let i = 0; i < 25; i++) {
      const avatar = i % 2 ? a.id : b.id;
      await api.testDb.db.execute(
        `INSERT INTO generated_photos (avatar_id, style_id, image_url, created_at) VALUES (${avatar}, 'creative', 'p${i}', TIMESTAMP '2026-01-01' + interval '${Math.floor(i / 3)} minutes')`,
      );
    }
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const page: Awaited<ReturnType<typeof caller.photos.list>> = await caller.photos.list({ cursor, limit: 7 });
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const all = await api.testDb.db.query.generatedPhotos.findMany();
    const expected = all.sort((x, y) => y.createdAt!.getTime() - x.createdAt!.getTime() || y.id - x.id).map((p) => p.id);
    expect(seen).toEqual(expected);

    const onlyA = await caller.photos.list({ avatarId: a.id, limit: 100 });
    expect(onlyA.items).toHaveLength(12);
    expect(onlyA.items.every((p) => p.avatarId === a.id)).toBe(true);
    expect(onlyA.nextCursor).toBeNull();
  });

  it("reads a cursor only among the caller's own photos", async () => {
    const owner = await api.signIn();
    const avatar = await owner.caller.avatars.create();
    for (let i = 0; i < 3; i++) {
      await api.testDb.db.execute(`INSERT INTO generated_photos (avatar_id, style_id, image_url, created_at) VALUES (${avatar.id}, 'creative', 'p${i}', TIMESTAMP '2026-01-01' + interval '${i} minutes')`);
    }
    const [newest] = (await owner.caller.photos.list({ limit: 1 })).items;
    // The stranger's own photos, one on each side of the owner's photo in time.
    const stranger = await api.signIn();
    const theirs = await stranger.caller.avatars.create();
    for (const at of ["2025-12-31", "2026-02-01"]) {
      await api.testDb.db.execute(`INSERT INTO generated_photos (avatar_id, style_id, image_url, created_at) VALUES (${theirs.id}, 'creative', 'q', TIMESTAMP '${at}')`);
    }
    expect(await stranger.caller.photos.list({ cursor: newest!.id, limit: 10 })).toEqual({ items: [], nextCursor: null });
    expect((await owner.caller.photos.list({ cursor: newest!.id, limit: 10 })).items).toHaveLength(2);
  });
});
