import { avatarZipLink, listPhotosWithLinks } from "@pinglass/media";
import { z } from "zod";
import { id } from "../inputs.ts";
import { authedProcedure, router } from "../trpc.ts";

export const photosRouter = router({
  list: authedProcedure
    .input(
      z
        .object({
          avatarId: id.optional(),
          cursor: id.nullish(),
          limit: z.number().int().min(1).max(100).default(30),
        })
        .default({ limit: 30 }),
    )
    .query(({ ctx, input }) =>
      listPhotosWithLinks(ctx.deps.db, ctx.deps.media, ctx.userId, { avatarId: input.avatarId, cursor: input.cursor ?? undefined, limit: input.limit }),
    ),

  /** A short-lived link that streams all photos of the user's avatar as one ZIP. */
  zipUrl: authedProcedure
    .input(z.object({ avatarId: id }))
    .query(({ ctx, input }) => avatarZipLink(ctx.deps.db, ctx.deps.media, ctx.userId, input.avatarId)),
});
