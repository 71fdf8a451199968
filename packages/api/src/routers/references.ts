import { listReferencePhotos, removeReferencePhoto } from "@pinglass/media";
import { z } from "zod";
import { id } from "../inputs.ts";
import { authedProcedure, router } from "../trpc.ts";

/** Selfies are uploaded over plain HTTP (POST /uploads/avatars/:avatarId/references); here they are listed and removed. */
export const referencesRouter = router({
  list: authedProcedure
    .input(z.object({ avatarId: id }))
    .query(({ ctx, input }) => listReferencePhotos(ctx.deps.db, ctx.deps.media, ctx.userId, input.avatarId)),

  remove: authedProcedure
    .input(z.object({ referenceId: id }))
    .mutation(({ ctx, input }) => removeReferencePhoto(ctx.deps.db, ctx.deps.media, ctx.userId, input.referenceId)),
});
