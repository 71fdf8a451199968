import { listPhotos } from "@pinglass/accounts";
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
      listPhotos(ctx.deps.db, ctx.userId, { avatarId: input.avatarId, cursor: input.cursor ?? undefined, limit: input.limit }),
    ),
});
