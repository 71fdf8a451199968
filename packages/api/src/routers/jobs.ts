import { requireOwnedJob } from "@pinglass/accounts";
import { z } from "zod";
import { id } from "../inputs.ts";
import { jobOutput } from "../outputs.ts";
import { rest } from "../rest-meta.ts";
import { authedProcedure, router } from "../trpc.ts";

export const jobsRouter = router({
  get: authedProcedure
    .meta(
      rest("GET", "/jobs/{jobId}", {
        tag: "Generation",
        summary: ["A photoset's progress", "Ход фотосета"],
        description: ["The status of a photoset (a generation job) and how many of its photos are ready.", "Статус фотосета (задачи генерации) и сколько его фото готово."],
        errors: ["NOT_FOUND"],
      }),
    )
    .input(z.strictObject({ jobId: id }))
    .output(jobOutput)
    .query(async ({ ctx, input }) => {
      const job = await requireOwnedJob(ctx.deps.db, ctx.userId, input.jobId);
      return {
        id: job.id,
        avatarId: job.avatarId,
        styleId: job.styleId,
        status: job.status,
        totalPhotos: job.totalPhotos ?? 0,
        completedPhotos: job.completedPhotos ?? 0,
        errorMessage: job.errorMessage,
        createdAt: job.createdAt,
        updatedAt: job.updatedAt,
      };
    }),
});
