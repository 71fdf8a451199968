import { payments } from "@pinglass/db";
import { createGenerationWorker, createLocalRenderer, type JobProgress } from "@pinglass/generation";
import { addReferencePhoto } from "@pinglass/media";
import { photoJpeg } from "@pinglass/media/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApi } from "../testing.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.testDb.close());
beforeEach(() => api.testDb.reset());

async function readyToStart(selfies = 5) {
  const session = await api.signIn();
  const avatar = await session.caller.avatars.create({ name: "Me" });
  for (let i = 0; i < selfies; i++) await addReferencePhoto(api.deps.db, api.deps.media, session.userId, avatar.id, await photoJpeg(640 + i * 8, 800));
  return { ...session, avatarId: avatar.id };
}

const pay = async (userId: number, photoCount: number) =>
  api.testDb.db.insert(payments).values({ userId, status: "succeeded", photoCount, tierId: "starter", amount: "499.00", orderId: crypto.randomUUID() });

describe("styles.list", () => {
  it("lists the four styles with both names and previews, and names the offline renderer", async () => {
    const { styles, provider } = await api.anonymous().styles.list();
    expect(styles.map((s) => s.id)).toEqual(["pinglass", "professional", "lifestyle", "creative"]);
    expect(styles[0]).toMatchObject({ name: { ru: "PinGlass Premium", en: "PinGlass Premium" }, previewUrl: "/styles/pinglass.webp", sceneCount: 23 });
    expect(provider).toEqual({ name: "local", offline: true, label: { ru: "Офлайн-превью (локальный рендер)", en: "Offline preview renderer" } });
  });
});

describe("generation.start", () => {
  it("is refused with a readable reason in the caller's language", async () => {
    await expect(api.anonymous().generation.start({ avatarId: 1, styleId: "pinglass" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const few = await readyToStart(3);
    const en = api.withToken(few.token, "en");
    await expect(en.generation.start({ avatarId: few.avatarId, styleId: "pinglass" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "At least 5 good selfies of one person are needed (you have 3). Add more to go on.",
    });
    // @ts-expect-error an unknown style never reaches the domain
    await expect(en.generation.start({ avatarId: few.avatarId, styleId: "baroque" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "There is no such style. Pick one from the list." });
    const other = await api.signIn();
    await expect(other.caller.generation.start({ avatarId: few.avatarId, styleId: "pinglass" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("generation.progress", () => {
  it("streams completed/total and every photo with signed links until the job ends, to the owner only", async () => {
    const owner = await readyToStart();
    await pay(owner.userId, 7);
    const { jobId, totalPhotos } = await owner.caller.generation.start({ avatarId: owner.avatarId, styleId: "creative" });
    expect(totalPhotos).toBe(7);

    const stranger = await api.signIn();
    await expect(stranger.caller.generation.progress({ jobId })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const events: JobProgress[] = [];
    const stream = (async () => {
      for await (const event of await owner.caller.generation.progress({ jobId })) events.push(event as unknown as JobProgress);
    })();
    const worker = createGenerationWorker(
      { db: api.deps.db, clock: api.clock, storage: api.deps.media.storage, provider: createLocalRenderer(api.deps.media.storage), callbackUrl: "http://127.0.0.1:1/webhooks/local" },
      { perJobConcurrency: 2 },
    );
    await worker.tick(new AbortController().signal);
    await stream;

    expect(events.at(-1)).toMatchObject({ status: "completed", completedPhotos: 7, totalPhotos: 7 });
    const photos = events.flatMap((e) => e.newPhotos);
    expect(photos).toHaveLength(7);
    expect(photos.every((p) => p.imageUrl?.startsWith("http://pinglass.test/media/photos/") && p.imageUrl.includes("sig="))).toBe(true);
    const counts = events.map((e) => e.completedPhotos);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });
});
