import { setPhotoFavourite } from "@pinglass/accounts";
import { avatarZipLink, listPhotosWithLinks } from "@pinglass/media";
import { z } from "zod";
import { id, pageDirection } from "../inputs.ts";
import { photoPageOutput } from "../outputs.ts";
import { rest } from "../rest-meta.ts";
import { authedProcedure, router } from "../trpc.ts";

/** The photos a person hearted: stored with each photo, so the same on every device and in the Mini App. */
export const favouritesRouter = router({
  /** Marks a photo of the user's a favourite, or no longer one. */
  set: authedProcedure
    .meta(
      rest("PUT", "/photos/{photoId}/favourite", {
        tag: "Photos",
        summary: ["Mark a photo a favourite, or not", "Отметить фото как избранное или снять отметку"],
        description: ["`favourite: true` hearts the photo (marking it again keeps the first time), `false` takes the heart away.", "`favourite: true` добавляет фото в избранное (повторная отметка сохраняет первое время), `false` убирает."],
        errors: ["NOT_FOUND"],
      }),
    )
    .input(z.strictObject({ photoId: id, favourite: z.boolean() }))
    .output(z.object({ photoId: z.number().int(), favourite: z.boolean() }))
    .mutation(({ ctx, input }) => setPhotoFavourite(ctx.deps.db, ctx.deps.clock, ctx.userId, input.photoId, input.favourite)),

  /** A page of one avatar's favourites, newest first, as photos.list gives them. */
  list: authedProcedure
    .meta(
      rest("GET", "/avatars/{avatarId}/favourites", {
        tag: "Photos",
        summary: ["List an avatar's favourites", "Избранное аватара"],
        description: ["The avatar's hearted photos, newest first, as `photos.list` pages them.", "Отмеченные фото аватара, новые первыми, страницами, как в `photos.list`."],
        errors: ["NOT_FOUND"],
      }),
    )
    .input(z.strictObject({ avatarId: id, cursor: id.nullish(), direction: pageDirection, limit: z.number().int().min(1).max(100).default(60) }))
    .output(photoPageOutput)
    .query(({ ctx, input }) => listPhotosWithLinks(ctx.deps.db, ctx.deps.media, ctx.userId, { avatarId: input.avatarId, favourites: true, cursor: input.cursor ?? undefined, limit: input.limit })),

  /** A short-lived link that streams only the avatar's favourites as one ZIP. */
  zipUrl: authedProcedure
    .meta(
      rest("GET", "/avatars/{avatarId}/favourites/zip-url", {
        tag: "Photos",
        summary: ["Link to a ZIP of an avatar's favourites", "Ссылка на ZIP с избранными фото аватара"],
        description: ["A signed link, valid for about an hour, that downloads only the avatar's favourites as one ZIP.", "Подписанная ссылка на час: скачивает одним ZIP-архивом только избранные фото аватара."],
        errors: ["NOT_FOUND"],
      }),
    )
    .input(z.strictObject({ avatarId: id }))
    .output(z.object({ url: z.string() }))
    .query(({ ctx, input }) => avatarZipLink(ctx.deps.db, ctx.deps.media, ctx.userId, input.avatarId, { favourites: true })),
});
