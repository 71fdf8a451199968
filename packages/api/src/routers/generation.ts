import { requireOwnedJob } from "@pinglass/accounts";
import { jobStatuses } from "@pinglass/db";
import { startJob, styleIds, watchJob } from "@pinglass/generation";
import { withPhotoLinks } from "@pinglass/media";
import { z } from "zod";
import { idempotencyKeyInput } from "../idempotency.ts";
import { id } from "../inputs.ts";
import { jobProgressOutput } from "../outputs.ts";
import { rateLimited, tooManyRequests } from "../rate-limit.ts";
import { rest } from "../rest-meta.ts";
import { authedProcedure, router } from "../trpc.ts";

export const generationRouter = router({
  /** Spends one paid photoset on this avatar; the photo count comes from the payment. */
  start: authedProcedure
    .meta(
      rest("POST", "/jobs", {
        tag: "Generation",
        summary: ["Start a photoset", "Запустить фотосет"],
        description: [
          "Spends one paid photoset (the oldest unused one, or `paymentId`) on the avatar, in a style. The avatar needs its selfies first. Follow it with GET /jobs/{jobId}.",
          "Тратит один оплаченный фотосет (самый старый неиспользованный или `paymentId`) на аватар, в выбранном стиле. Сначала у аватара должны быть селфи. Следите за ним через GET /jobs/{jobId}.",
        ],
        errors: ["NOT_FOUND", "CONFLICT", "PRECONDITION_FAILED"],
      }),
    )
    .input(z.strictObject({ avatarId: id, styleId: z.enum(styleIds, { message: "errors.generation.unknownStyle" }), paymentId: id.optional(), idempotencyKey: idempotencyKeyInput }))
    .output(z.object({ jobId: z.number().int(), totalPhotos: z.number().int(), status: z.enum(jobStatuses).nullable() }))
    .mutation(async ({ ctx, input }) => {
      const job = await startJob(ctx.deps.db, ctx.deps.clock, { userId: ctx.userId, ...input, requestId: ctx.requestId });
      return { jobId: job.id, totalPhotos: job.totalPhotos ?? 0, status: job.status };
    }),

  /**
   * Server-sent events: completed/total and each photo (with signed links) as it lands; ends with
   * the job. Ownership is checked before the stream starts, so a stranger gets a plain NOT_FOUND.
   * Streams of one job share one poll of the database; a user holds at most a few open at once.
   */
  progress: authedProcedure
    .use(rateLimited("progressStream"))
    .input(z.strictObject({ jobId: id }))
    .subscription(async ({ ctx, input, signal }) => {
      const release = ctx.deps.limits ? ctx.deps.limits.holdStream(ctx.userId) : () => undefined;
      if (!release) throw tooManyRequests();
      try {
        await requireOwnedJob(ctx.deps.db, ctx.userId, input.jobId);
      } catch (error) {
        release();
        throw error;
      }
      // A stream closed before its first event never runs the generator's finally: the abort releases it then.
      signal?.addEventListener("abort", release, { once: true });
      const events = watchJob(ctx.deps.db, input.jobId, { intervalMs: ctx.deps.generation.progressIntervalMs, signal });
      return (async function* () {
        try {
          for await (const event of events) {
            // A subscription takes no .output(): each event goes through its schema here instead.
            yield jobProgressOutput.parse({ ...event, newPhotos: await Promise.all(event.newPhotos.map((photo) => withPhotoLinks(ctx.deps.media, photo))) });
          }
        } finally {
          signal?.removeEventListener("abort", release);
          release();
        }
      })();
    }),
});
