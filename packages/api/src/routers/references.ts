import { listReferencePhotos, maxInputPixels, maxReferencePhotos, maxUploadBytes, minReferencePhotos, removeReferencePhoto } from "@pinglass/media";
import { z } from "zod";
import { id } from "../inputs.ts";
import { referenceOutput } from "../outputs.ts";
import { rest } from "../rest-meta.ts";
import { authedProcedure, publicProcedure, router } from "../trpc.ts";

/** Selfies are uploaded over plain HTTP (POST /uploads/avatars/:avatarId/references); here they are listed and removed. */
export const referencesRouter = router({
  /** How many selfies an avatar needs and may have, and the largest file: the app shows and checks the same numbers. */
  limits: publicProcedure
    .meta(
      rest("GET", "/references/limits", {
        tag: "Selfies",
        summary: ["Selfie limits", "Ограничения для селфи"],
        description: [
          "How many selfies an avatar needs before generation (`min`) and may keep (`max`), the largest file in bytes, and the most megapixels a picture may have.",
          "Сколько селфи нужно аватару для генерации (`min`) и сколько можно хранить (`max`), наибольший размер файла в байтах и наибольшее число мегапикселей снимка.",
        ],
        open: true,
      }),
    )
    .output(z.object({ min: z.number().int(), max: z.number().int(), maxFileBytes: z.number().int(), maxMegapixels: z.number() }))
    .query(() => ({ min: minReferencePhotos, max: maxReferencePhotos, maxFileBytes: maxUploadBytes, maxMegapixels: maxInputPixels / 1_000_000 })),

  list: authedProcedure
    .meta(rest("GET", "/avatars/{avatarId}/references", { tag: "Selfies", summary: ["List an avatar's selfies", "Селфи аватара"], errors: ["NOT_FOUND"] }))
    .input(z.strictObject({ avatarId: id }))
    .output(z.array(referenceOutput))
    .query(({ ctx, input }) => listReferencePhotos(ctx.deps.db, ctx.deps.media, ctx.userId, input.avatarId)),

  remove: authedProcedure
    .meta(rest("DELETE", "/references/{referenceId}", { tag: "Selfies", summary: ["Remove a selfie", "Удалить селфи"], errors: ["NOT_FOUND", "CONFLICT"] }))
    .input(z.strictObject({ referenceId: id }))
    .output(z.object({ removed: z.literal(true) }))
    .mutation(({ ctx, input }) => removeReferencePhoto(ctx.deps.db, ctx.deps.media, ctx.userId, input.referenceId)),
});
