import { photoSharedUntil, revokePhotoShares, sharePhoto } from "@pinglass/media";
import { z } from "zod";
import { id } from "../inputs.ts";
import { timestamp } from "../outputs.ts";
import { rest } from "../rest-meta.ts";
import { authedProcedure, router } from "../trpc.ts";

/** Share pages of the user's photos (`/s/<token>`): 30 days each, revocable. */
export const sharesRouter = router({
  /** A new link to a page that shows the photo to whoever has it; only the link holds its token. */
  create: authedProcedure
    .meta(
      rest("POST", "/photos/{photoId}/shares", {
        tag: "Photos",
        summary: ["Share a photo's page", "Поделиться страницей фото"],
        description: [
          "A link to a page that shows the photo to anyone who has it for 30 days, with an Open Graph preview. Only the link holds its token: keep it, it cannot be shown again.",
          "Ссылка на страницу, которая 30 дней показывает фото всем, у кого она есть, с превью Open Graph. Токен есть только в ссылке: сохраните её, показать её снова нельзя.",
        ],
        errors: ["NOT_FOUND"],
      }),
    )
    .input(z.strictObject({ photoId: id }))
    .output(z.object({ url: z.string(), expiresAt: timestamp }))
    .mutation(({ ctx, input }) => sharePhoto(ctx.deps.db, ctx.deps.media, ctx.deps.clock, ctx.userId, input.photoId)),

  /** Until when the photo's latest live link works, or null when none does. */
  status: authedProcedure
    .meta(rest("GET", "/photos/{photoId}/shares", { tag: "Photos", summary: ["Until when a photo is shared", "До какого времени фото открыто по ссылке"], errors: ["NOT_FOUND"] }))
    .input(z.strictObject({ photoId: id }))
    .output(z.object({ sharedUntil: timestamp.nullable() }))
    .query(({ ctx, input }) => photoSharedUntil(ctx.deps.db, ctx.deps.clock, ctx.userId, input.photoId)),

  /** Ends every link of the photo at once. */
  revoke: authedProcedure
    .meta(
      rest("DELETE", "/photos/{photoId}/shares", {
        tag: "Photos",
        summary: ["Stop sharing a photo", "Закрыть доступ к фото"],
        description: ["Ends every link to the photo's page at once.", "Сразу отключает все ссылки на страницу фото."],
        errors: ["NOT_FOUND"],
      }),
    )
    .input(z.strictObject({ photoId: id }))
    .output(z.object({ revoked: z.number().int() }))
    .mutation(({ ctx, input }) => revokePhotoShares(ctx.deps.db, ctx.deps.clock, ctx.userId, input.photoId)),
});
