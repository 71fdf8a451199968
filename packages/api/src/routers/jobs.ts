import { requireOwnedJob } from "@pinglass/accounts";
import { z } from "zod";
import { id } from "../inputs.ts";
import { authedProcedure, router } from "../trpc.ts";

export const jobsRouter = router({
  get: authedProcedure.input(z.object({ jobId: id })).query(async ({ ctx, input }) => {
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
