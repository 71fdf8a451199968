import { avatars } from "@pinglass/db";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCaller } from "../root.ts";
import { createTestApi } from "../testing.ts";
import { createContext } from "../trpc.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.testDb.close());
beforeEach(() => api.testDb.reset());

describe("avatars", () => {
  it("are created as drafts named 'Мой аватар', listed newest first, renamed and deleted", async () => {
    const { caller } = await api.signIn();
    expect(await caller.avatars.list()).toEqual({ items: [], nextCursor: null });
    const first = await caller.avatars.create();
    expect(first).toMatchObject({ name: "Мой аватар", status: "draft", photoCount: 0, latestJob: null });
    api.clock.advance(1000);
    const second = await caller.avatars.create({ name: "  Отпуск  " });
    expect(second.name).toBe("Отпуск");
    expect((await caller.avatars.list()).items.map((a) => a.id)).toEqual([second.id, first.id]);

    const renamed = await caller.avatars.rename({ avatarId: first.id, name: "Работа" });
    expect(renamed.name).toBe("Работа");
    expect(await caller.avatars.get({ avatarId: first.id })).toMatchObject({ id: first.id, name: "Работа" });

    await caller.avatars.delete({ avatarId: first.id });
    expect((await caller.avatars.list()).items.map((a) => a.id)).toEqual([second.id]);
  });

  it("get their default name in the caller's language: 'My avatar' in English, 'Мой аватар' otherwise", async () => {
    const { token } = await api.signIn();
    const english = await api.withToken(token, "en-GB,en;q=0.9").avatars.create();
    expect(english.name).toBe("My avatar");
    // The web app names its language in x-pinglass-locale, which wins over the browser's Accept-Language.
    const app = createCaller(createContext(api.deps, { authorization: `Bearer ${token}`, "x-pinglass-locale": "en", "accept-language": "ru" }));
    expect((await app.avatars.create()).name).toBe("My avatar");
    expect((await api.withToken(token, "ru-RU").avatars.create()).name).toBe("Мой аватар");
    expect((await api.withToken(token, "de-DE").avatars.create()).name).toBe("Мой аватар");
    // The name is stored as given: it stays English when read in Russian.
    expect((await api.withToken(token, "ru").avatars.get({ avatarId: english.id })).name).toBe("My avatar");
  });

  it("carry their photo count and latest job", async () => {
    const { caller } = await api.signIn();
    const avatar = await caller.avatars.create();
    const db = api.testDb.db;
    await db.execute(`INSERT INTO generation_jobs (avatar_id, style_id, status, total_photos, completed_photos) VALUES (${avatar.id}, 'professional', 'failed', 7, 0)`);
    await db.execute(`INSERT INTO generation_jobs (avatar_id, style_id, status, total_photos, completed_photos) VALUES (${avatar.id}, 'creative', 'processing', 15, 2)`);
    await db.execute(`INSERT INTO generated_photos (avatar_id, style_id, image_url) VALUES (${avatar.id}, 'creative', 'a'), (${avatar.id}, 'creative', 'b')`);
    const [listed] = (await caller.avatars.list()).items;
    expect(listed).toMatchObject({ photoCount: 2, latestJob: { styleId: "creative", status: "processing", totalPhotos: 15, completedPhotos: 2 } });
  });

  it("count their selfies, and a draft's picture is its first selfie until it has one of its own", async () => {
    const { caller } = await api.signIn();
    const avatar = await caller.avatars.create();
    expect(avatar).toMatchObject({ selfieCount: 0, thumbnailUrl: null });
    const db = api.testDb.db;
    await db.execute(
      `INSERT INTO reference_photos (avatar_id, storage_key, thumbnail_key, size_bytes, width, height, content_type) VALUES (${avatar.id}, 'references/${avatar.id}/a.jpg', 'references/${avatar.id}/a.thumb.webp', 1, 256, 256, 'image/jpeg'), (${avatar.id}, 'references/${avatar.id}/b.jpg', 'references/${avatar.id}/b.thumb.webp', 1, 256, 256, 'image/jpeg')`,
    );
    const [listed] = (await caller.avatars.list()).items;
    expect(listed).toMatchObject({ selfieCount: 2, photoCount: 0 });
    expect(listed!.thumbnailUrl).toContain(`references/${avatar.id}/a.thumb.webp`);
    expect(await caller.avatars.get({ avatarId: avatar.id })).toMatchObject({ selfieCount: 2, thumbnailUrl: listed!.thumbnailUrl });
    expect((await caller.avatars.rename({ avatarId: avatar.id, name: "Отпуск" })).selfieCount).toBe(2);
  });

  it("refuse bad names with a readable message and change nothing", async () => {
    const { caller } = await api.signIn();
    const avatar = await caller.avatars.create();
    await expect(caller.avatars.rename({ avatarId: avatar.id, name: "   " })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Введите имя аватара." });
    await expect(caller.avatars.create({ name: "x".repeat(61) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await caller.avatars.list()).items).toHaveLength(1);
    expect((await caller.avatars.get({ avatarId: avatar.id })).name).toBe("Мой аватар");
  });

  it("delete removes the avatar's photos and jobs in one go, and refuses while generating", async () => {
    const { caller } = await api.signIn();
    const avatar = await caller.avatars.create();
    const db = api.testDb.db;
    await db.execute(`INSERT INTO generation_jobs (avatar_id, style_id, status) VALUES (${avatar.id}, 'creative', 'completed')`);
    await db.execute(`INSERT INTO generated_photos (avatar_id, style_id, image_url, job_id) VALUES (${avatar.id}, 'creative', 'a', 1)`);
    await db.execute(`UPDATE avatars SET status = 'processing' WHERE id = ${avatar.id}`);
    await expect(caller.avatars.delete({ avatarId: avatar.id })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await db.query.generatedPhotos.findMany()).toHaveLength(1);
    await db.execute(`UPDATE avatars SET status = 'ready' WHERE id = ${avatar.id}`);
    await caller.avatars.delete({ avatarId: avatar.id });
    expect(await db.query.generatedPhotos.findMany()).toEqual([]);
    expect(await db.query.generationJobs.findMany()).toEqual([]);
    expect(await db.query.avatars.findMany()).toEqual([]);
  });
});

describe("avatars.list pages", () => {
  it("go newest first from a cursor, 20 by default and at most 50, none skipped or repeated", async () => {
    const { caller, userId } = await api.signIn();
    // Three avatars share each instant: the id orders them within it.
    const rows = Array.from({ length: 45 }, (_, i) => ({ userId, name: `A${i}`, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(i / 3))) }));
    const inserted = await api.testDb.db.insert(avatars).values(rows).returning({ id: avatars.id, createdAt: avatars.createdAt });
    const newestFirst = inserted.sort((a, b) => b.createdAt!.getTime() - a.createdAt!.getTime() || b.id - a.id).map((a) => a.id);

    const first = await caller.avatars.list();
    expect(first.items.map((a) => a.id)).toEqual(newestFirst.slice(0, 20));
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const page: Awaited<ReturnType<typeof caller.avatars.list>> = await caller.avatars.list({ cursor, limit: 7 });
      seen.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(newestFirst);
    expect((await caller.avatars.list({ limit: 50 })).items).toHaveLength(45);
    // The web app's infinite query sends its direction with every page.
    expect((await caller.avatars.list({ limit: 50, direction: "forward" })).items).toHaveLength(45);
    await expect(caller.avatars.list({ limit: 51 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // Another user's avatar as the cursor finds nothing.
    const other = await api.signIn();
    expect(await other.caller.avatars.list({ cursor: newestFirst[0] })).toEqual({ items: [], nextCursor: null });
  });
});

describe("avatars.create", () => {
  it("refuses an avatar over the cap with a readable reason, and creates nothing", async () => {
    const { token, userId } = await api.signIn();
    await api.testDb.db.insert(avatars).values(Array.from({ length: 50 }, (_, i) => ({ userId, name: `A${i}` })));
    await expect(api.withToken(token, "en").avatars.create({ name: "One more" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "An account can have at most 50 avatars. Delete one you no longer need to create a new one.",
    });
    await expect(api.withToken(token).avatars.create()).rejects.toMatchObject({ message: "Аватаров может быть не больше 50. Удалите ненужный, чтобы создать новый." });
    expect(await api.testDb.db.query.avatars.findMany({ where: (a, { eq }) => eq(a.userId, userId) })).toHaveLength(50);
  });

  it("makes exactly one of many parallel creates at the cap", async () => {
    const { caller, userId } = await api.signIn();
    await api.testDb.db.insert(avatars).values(Array.from({ length: 49 }, (_, i) => ({ userId, name: `A${i}` })));
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => caller.avatars.create()));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "rejected").map((o) => (o.reason as { code: string }).code)).toEqual(Array(9).fill("CONFLICT"));
    expect(await api.testDb.db.query.avatars.findMany({ where: (a, { eq }) => eq(a.userId, userId) })).toHaveLength(50);
  });
});

describe("ownership", () => {
  it("every procedure that takes an id answers NOT_FOUND for someone else's, and changes nothing", async () => {
    const alice = await api.signIn();
    const bob = await api.signIn();
    const avatar = await alice.caller.avatars.create({ name: "Алиса" });
    await api.testDb.db.execute(`INSERT INTO generation_jobs (avatar_id, style_id, status) VALUES (${avatar.id}, 'creative', 'processing')`);
    await api.testDb.db.execute(`INSERT INTO generated_photos (avatar_id, style_id, image_url) VALUES (${avatar.id}, 'creative', 'secret')`);

    const attempts = [
      () => bob.caller.avatars.get({ avatarId: avatar.id }),
      () => bob.caller.avatars.rename({ avatarId: avatar.id, name: "Боб" }),
      () => bob.caller.avatars.delete({ avatarId: avatar.id }),
      () => bob.caller.photos.list({ avatarId: avatar.id }),
      () => bob.caller.jobs.get({ jobId: 1 }),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await bob.caller.photos.list()).items).toEqual([]);
    expect((await bob.caller.avatars.list()).items).toEqual([]);
    expect(await alice.caller.avatars.get({ avatarId: avatar.id })).toMatchObject({ name: "Алиса", photoCount: 1 });
  });

  it("NOT_FOUND reads in English for an English caller", async () => {
    const { token } = await api.signIn();
    await expect(api.withToken(token, "en").avatars.get({ avatarId: 424242 })).rejects.toMatchObject({ code: "NOT_FOUND", message: "Avatar not found." });
  });
});
