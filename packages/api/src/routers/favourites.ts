import { setPhotoFavourite } from "@pinglass/accounts";
import { avatarZipLink, listPhotosWithLinks } from "@pinglass/media";
import { z } from "zod";
import { id } from "../inputs.ts";
import { authedProcedure, router } from "../trpc.ts";

/** The photos a person hearted: stored with each photo, so the same on every device and in the Mini App. */
export const favouritesRouter = router({
  /** Marks a photo of the user's a favourite, or no longer one. */
  set: authedProcedure
    .input(z.object({ photoId: id, favourite: z.boolean() }))
    .mutation(({ ctx, input }) => setPhotoFavourite(ctx.deps.db, ctx.deps.clock, ctx.userId, input.photoId, input.favourite)),

  /** A page of one avatar's favourites, newest first, as photos.list gives them. */
  list: authedProcedure
    .input(z.object({ avatarId: id, cursor: id.nullish(), limit: z.number().int().min(1).max(100).default(60) }))
    .query(({ ctx, input }) => listPhotosWithLinks(ctx.deps.db, ctx.deps.media, ctx.userId, { avatarId: input.avatarId, favourites: true, cursor: input.cursor ?? undefined, limit: input.limit })),

  /** A short-lived link that streams only the avatar's favourites as one ZIP. */
  zipUrl: authedProcedure
    .input(z.object({ avatarId: id }))
    .query(({ ctx, input }) => avatarZipLink(ctx.deps.db, ctx.deps.media, ctx.userId, input.avatarId, { favourites: true })),
});
