import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApi } from "../testing.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.testDb.close());
beforeEach(() => api.testDb.reset());

describe("jobs.get", () => {
  it("reports status, progress and the error message of the user's own job", async () => {
    const { caller } = await api.signIn();
    const avatar = await caller.avatars.create();
    await api.testDb.db.execute(
      `INSERT INTO generation_jobs (avatar_id, style_id, status, total_photos, completed_photos, error_message) VALUES (${avatar.id}, 'pinglass', 'failed', 7, 5, 'two photos failed')`,
    );
    expect(await caller.jobs.get({ jobId: 1 })).toMatchObject({ id: 1, avatarId: avatar.id, status: "failed", totalPhotos: 7, completedPhotos: 5, errorMessage: "two photos failed" });
    await expect(caller.jobs.get({ jobId: 2 })).rejects.toMatchObject({ code: "NOT_FOUND", message: "Задача генерации не найдена." });
  });
});
