import { generationJobs, payments } from "@pinglass/db";
import { createFaceAnalyzer } from "@pinglass/faces";
import { selfieOf } from "@pinglass/faces/testing";
import { addReferencePhoto } from "@pinglass/media";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApi } from "../testing.ts";

const faces = createFaceAnalyzer({ poolSize: 1 });
let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi({}, { faces });
});
afterAll(async () => {
  await faces.close();
  await api.testDb.close();
});
beforeEach(() => api.testDb.reset());

describe("good selfies only", { timeout: 120_000 }, () => {
  it("lists each selfie's verdict, and neither generation.start nor payments.create for the avatar goes on with fewer than 5 good ones", async () => {
    const { caller, userId } = await api.signIn();
    const avatar = await caller.avatars.create();
    // A stranger among the first selfies is found out as the person's own arrive.
    for (const bytes of [await selfieOf("man", 0), await selfieOf("curls"), await selfieOf("man", 1), await selfieOf("man", 2), await selfieOf("man", 3)]) {
      await addReferencePhoto(api.deps.db, api.deps.media, userId, avatar.id, bytes);
    }
    expect((await caller.references.list({ avatarId: avatar.id })).map((r) => r.verdict)).toEqual(["ok", "otherPerson", "ok", "ok", "ok"]);

    const [paid] = await api.testDb.db.insert(payments).values({ userId, status: "succeeded", photoCount: 7, tierId: "starter", amount: "499.00", orderId: crypto.randomUUID() }).returning();
    const refusal = { code: "PRECONDITION_FAILED", message: "Нужно хотя бы 5 хороших селфи одного человека (сейчас 4). Добавьте ещё, чтобы продолжить." };
    await expect(caller.generation.start({ avatarId: avatar.id, styleId: "pinglass" })).rejects.toMatchObject(refusal);
    await expect(caller.payments.create({ tierId: "starter", email: "a@b.ru", avatarId: avatar.id, styleId: "pinglass" })).rejects.toMatchObject(refusal);
    // No money moved: the paid photoset is still unused, no new payment, no job.
    const all = await api.testDb.db.select().from(payments);
    expect(all.map((p) => [p.id, p.consumedAt])).toEqual([[paid!.id, null]]);
    expect(await api.testDb.db.select().from(generationJobs)).toEqual([]);

    await addReferencePhoto(api.deps.db, api.deps.media, userId, avatar.id, await selfieOf("man", 4));
    const started = await caller.generation.start({ avatarId: avatar.id, styleId: "pinglass" });
    expect(started.totalPhotos).toBe(7);
  });
});
