import { avatarZipLink, listPhotosWithLinks } from "@pinglass/media";
import { z } from "zod";
import { id, pageDirection } from "../inputs.ts";
import { photoPageOutput } from "../outputs.ts";
import { rest } from "../rest-meta.ts";
import { authedProcedure, router } from "../trpc.ts";

export const photosRouter = router({
  list: authedProcedure
    .meta(
      rest("GET", "/photos", {
        tag: "Photos",
        summary: ["List photos", "Список фото"],
        description: [
          "A page of your generated photos, newest first, all avatars' or one avatar's (`avatarId`), each with signed links to the image, its thumbnail and a download. Pass `nextCursor` back as `cursor` for the next page.",
          "Страница ваших готовых фото, новые первыми, всех аватаров или одного (`avatarId`), у каждого — подписанные ссылки на изображение, превью и скачивание. За следующей страницей передайте `nextCursor` как `cursor`.",
        ],
        errors: ["NOT_FOUND"],
      }),
    )
    .input(
      z
        .strictObject({
          avatarId: id.optional(),
          cursor: id.nullish(),
          direction: pageDirection,
          limit: z.number().int().min(1).max(100).default(30),
        })
        .default({ limit: 30 }),
    )
    .output(photoPageOutput)
    .query(({ ctx, input }) =>
      listPhotosWithLinks(ctx.deps.db, ctx.deps.media, ctx.userId, { avatarId: input.avatarId, cursor: input.cursor ?? undefined, limit: input.limit }),
    ),

  /** A short-lived link that streams all photos of the user's avatar as one ZIP. */
  zipUrl: authedProcedure
    .meta(
      rest("GET", "/avatars/{avatarId}/zip-url", {
        tag: "Photos",
        summary: ["Link to a ZIP of an avatar's photos", "Ссылка на ZIP с фото аватара"],
        description: ["A signed link, valid for about an hour, that downloads all photos of the avatar as one ZIP.", "Подписанная ссылка на час: скачивает все фото аватара одним ZIP-архивом."],
        errors: ["NOT_FOUND"],
      }),
    )
    .input(z.strictObject({ avatarId: id }))
    .output(z.object({ url: z.string() }))
    .query(({ ctx, input }) => avatarZipLink(ctx.deps.db, ctx.deps.media, ctx.userId, input.avatarId)),
});
