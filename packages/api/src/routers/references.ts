import { listReferencePhotos, maxReferencePhotos, maxUploadBytes, minReferencePhotos, removeReferencePhoto } from "@pinglass/media";
import { z } from "zod";
import { id } from "../inputs.ts";
import { authedProcedure, publicProcedure, router } from "../trpc.ts";

/** Selfies are uploaded over plain HTTP (POST /uploads/avatars/:avatarId/references); here they are listed and removed. */
export const referencesRouter = router({
  /** How many selfies an avatar needs and may have, and the largest file: the app shows and checks the same numbers. */
  limits: publicProcedure.query(() => ({ min: minReferencePhotos, max: maxReferencePhotos, maxFileBytes: maxUploadBytes })),

  list: authedProcedure
    .input(z.object({ avatarId: id }))
    .query(({ ctx, input }) => listReferencePhotos(ctx.deps.db, ctx.deps.media, ctx.userId, input.avatarId)),

  remove: authedProcedure
    .input(z.object({ referenceId: id }))
    .mutation(({ ctx, input }) => removeReferencePhoto(ctx.deps.db, ctx.deps.media, ctx.userId, input.referenceId)),
});
