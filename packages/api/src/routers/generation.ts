import { requireOwnedJob } from "@pinglass/accounts";
import { startJob, styleIds, watchJob } from "@pinglass/generation";
import { withPhotoLinks } from "@pinglass/media";
import { z } from "zod";
import { id } from "../inputs.ts";
import { authedProcedure, router } from "../trpc.ts";

export const generationRouter = router({
  /** Spends one paid photoset on this avatar; the photo count comes from the payment. */
  start: authedProcedure
    .input(z.object({ avatarId: id, styleId: z.enum(styleIds, { message: "errors.generation.unknownStyle" }), paymentId: id.optional() }))
    .mutation(async ({ ctx, input }) => {
      const job = await startJob(ctx.deps.db, ctx.deps.clock, { userId: ctx.userId, ...input });
      return { jobId: job.id, totalPhotos: job.totalPhotos ?? 0, status: job.status };
    }),

  /**
   * Server-sent events: completed/total and each photo (with signed links) as it lands; ends with
   * the job. Ownership is checked before the stream starts, so a stranger gets a plain NOT_FOUND.
   */
  progress: authedProcedure.input(z.object({ jobId: id })).subscription(async ({ ctx, input, signal }) => {
    await requireOwnedJob(ctx.deps.db, ctx.userId, input.jobId);
    const events = watchJob(ctx.deps.db, input.jobId, { intervalMs: ctx.deps.generation.progressIntervalMs, signal });
    return (async function* () {
      for await (const event of events) {
        yield { ...event, newPhotos: await Promise.all(event.newPhotos.map((photo) => withPhotoLinks(ctx.deps.media, photo))) };
      }
    })();
  }),
});
