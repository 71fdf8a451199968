import { manualClock } from "@pinglass/core";
import { generationSlots } from "@pinglass/db";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { avatarWithSelfies, paidPhotoset, testDbAndMedia } from "../test/fixtures.ts";
import { sceneById, scenes, scenesOf } from "./scenes.ts";
import { startJob } from "./start.ts";
import { listStyles, promptFor, requireStyle, styleIds } from "./styles.ts";

describe("the scene catalogue", () => {
  it("gives every style its own 23 scenes, with ids unique across styles and short enough for scene_id", () => {
    for (const styleId of styleIds) expect(scenesOf(styleId)).toHaveLength(23);
    const ids = scenes.map((s) => s.id);
    expect(ids).toHaveLength(4 * 23);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]{1,50}$/);
    expect(listStyles().map((s) => s.sceneCount)).toEqual([23, 23, 23, 23]);
  });

  it("titles every scene in Russian and English, each title once", () => {
    for (const lang of ["ru", "en"] as const) {
      const titles = scenes.map((s) => s.name[lang].trim());
      expect(titles.filter((t) => t === "")).toEqual([]);
      expect(titles.length - new Set(titles).size).toBe(0);
    }
    // Russian titles are Russian: Cyrillic, no Latin words left untranslated.
    for (const s of scenes) expect(s.name.ru, s.id).toMatch(/^[А-Яа-яЁё0-9 ,.'«»–-]+$/);
  });

  it("writes each scene its own prompt: the person from the references, wardrobe, setting, light, lens", () => {
    const prompts = scenes.map((s) => s.prompt);
    expect(new Set(prompts).size).toBe(prompts.length);
    for (const s of scenes) {
      expect(s.prompt, s.id).toMatch(/^Photorealistic portrait of the person from the reference photos, wearing .+\. Light: .+\. Lens and composition: .+\.$/);
      expect(s.prompt, s.id).toMatch(/\d+ mm|anamorphic/);
    }
    const prompt = promptFor(requireStyle("creative"), scenesOf("creative")[0]!);
    expect(prompt).toContain(scenesOf("creative")[0]!.prompt);
    expect(prompt).toContain("identity exactly as in the reference photos");
  });

  it("keeps the business style's promise: no leisure scenes for a CV or LinkedIn", () => {
    const leisure = /yacht|beach|market|farm|pool|party|resort|picnic|cocktail|vineyard|holiday|vacation/i;
    const offending = scenesOf("professional").filter((s) => leisure.test(`${s.id} ${s.name.en} ${s.prompt}`));
    expect(offending.map((s) => s.id)).toEqual([]);
  });

  it("keeps each style's looks its own in the offline renderer", () => {
    // Creative is bold colour, business is restrained: the renderer's grade says so scene by scene.
    const saturation = (styleId: "professional" | "creative") => scenesOf(styleId).map((s) => s.look.grade.saturation);
    expect(Math.max(...saturation("professional"))).toBeLessThanOrEqual(1);
    expect(saturation("creative").filter((v) => v >= 1.2).length).toBeGreaterThanOrEqual(15);
  });
});

describe("the scenes of a photoset", () => {
  const clock = manualClock(new Date("2026-11-25T12:00:00Z"));
  const { testDb, media } = testDbAndMedia(clock);

  const slotsOf = (jobId: number) => testDb.db.select().from(generationSlots).where(eq(generationSlots.jobId, jobId)).orderBy(asc(generationSlots.position));

  it("a 23-photo set of each style takes all 23 of that style's scenes, each once, with its prompt", async () => {
    const { userId } = await avatarWithSelfies(testDb.db, media, 0);
    for (const styleId of styleIds) {
      const { avatarId } = await avatarWithSelfies(testDb.db, media, 5, userId);
      await paidPhotoset(testDb.db, userId, 23);
      const job = await startJob(testDb.db, clock, { userId, avatarId, styleId });
      const slots = await slotsOf(job.id);
      expect(slots.map((s) => s.sceneId).sort(), styleId).toEqual(scenesOf(styleId).map((s) => s.id).sort());
      for (const slot of slots) expect(slot.prompt).toBe(promptFor(requireStyle(styleId), sceneById.get(slot.sceneId)!));
    }
  });

  it("a 7- or 15-photo set takes distinct scenes of its style, its strongest first", async () => {
    const { userId } = await avatarWithSelfies(testDb.db, media, 0);
    for (const [styleId, count] of [["professional", 7], ["creative", 15]] as const) {
      const { avatarId } = await avatarWithSelfies(testDb.db, media, 5, userId);
      await paidPhotoset(testDb.db, userId, count);
      const job = await startJob(testDb.db, clock, { userId, avatarId, styleId });
      const ids = (await slotsOf(job.id)).map((s) => s.sceneId);
      expect(ids).toEqual(scenesOf(styleId).slice(0, count).map((s) => s.id));
    }
  });
});
