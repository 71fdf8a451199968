import { avatarNameMaxLength, createAvatar, renameAvatar } from "@pinglass/accounts";
import { getAvatarWithLinks, listAvatarsWithLinks, withAvatarLinks } from "@pinglass/media";
import { z } from "zod";
import { deleteAvatar } from "../account-data.ts";
import { idempotencyKeyInput } from "../idempotency.ts";
import { id, pageDirection, plainText } from "../inputs.ts";
import { avatarOutput, avatarPageOutput, deletedOutput } from "../outputs.ts";
import { rest } from "../rest-meta.ts";
import { authedProcedure, router } from "../trpc.ts";


const avatarName = plainText("errors.avatar.nameInvalid", "errors.invalidInput")
  .trim()
  .min(1, { message: "errors.avatar.nameEmpty" })
  .max(avatarNameMaxLength, { message: "errors.avatar.nameTooLong" });

export const avatarsRouter = router({
  /** A page of the user's avatars, newest first; pass nextCursor back as cursor for the next one. */
  list: authedProcedure
    .meta(
      rest("GET", "/avatars", {
        tag: "Avatars",
        summary: ["List avatars", "Список аватаров"],
        description: [
          "A page of your avatars, newest first, each with its photo count and latest photoset. Pass `nextCursor` back as `cursor` for the next page.",
          "Страница ваших аватаров, новые первыми, у каждого — число фото и последний фотосет. За следующей страницей передайте `nextCursor` как `cursor`.",
        ],
      }),
    )
    .input(z.strictObject({ cursor: id.nullish(), direction: pageDirection, limit: z.number().int().min(1).max(50).default(20) }).default({ limit: 20 }))
    .output(avatarPageOutput)
    .query(({ ctx, input }) => listAvatarsWithLinks(ctx.deps.db, ctx.deps.media, ctx.userId, { cursor: input.cursor ?? undefined, limit: input.limit })),

  get: authedProcedure
    .meta(rest("GET", "/avatars/{avatarId}", { tag: "Avatars", summary: ["Get an avatar", "Аватар"], errors: ["NOT_FOUND"] }))
    .input(z.strictObject({ avatarId: id }))
    .output(avatarOutput)
    .query(({ ctx, input }) => getAvatarWithLinks(ctx.deps.db, ctx.deps.media, ctx.userId, input.avatarId)),

  create: authedProcedure
    .meta(
      rest("POST", "/avatars", {
        tag: "Avatars",
        summary: ["Create an avatar", "Создать аватар"],
        description: [
          "A new draft avatar; without a name it is called “My avatar” in the caller's language. Upload its selfies next.",
          "Новый аватар-черновик; без имени он называется «Мой аватар» на языке запроса. Затем загрузите его селфи.",
        ],
        errors: ["CONFLICT"],
      }),
    )
    .input(z.strictObject({ name: avatarName.optional(), idempotencyKey: idempotencyKeyInput }).optional())
    .output(avatarOutput)
    .mutation(({ ctx, input }) => createAvatar(ctx.deps.db, ctx.userId, input?.name, { maxPerUser: ctx.deps.limits?.avatarsPerUser, locale: ctx.locale })),

  rename: authedProcedure
    .meta(rest("PATCH", "/avatars/{avatarId}", { tag: "Avatars", summary: ["Rename an avatar", "Переименовать аватар"], errors: ["NOT_FOUND"] }))
    .input(z.strictObject({ avatarId: id, name: avatarName }))
    .output(avatarOutput)
    .mutation(async ({ ctx, input }) => withAvatarLinks(ctx.deps.media, await renameAvatar(ctx.deps.db, ctx.deps.clock, ctx.userId, input.avatarId, input.name))),

  delete: authedProcedure
    .meta(
      rest("DELETE", "/avatars/{avatarId}", {
        tag: "Avatars",
        summary: ["Delete an avatar", "Удалить аватар"],
        description: [
          "Deletes the avatar with its selfies, photosets and photos, then their files. Refused while it generates or while a refund of its photosets is on its way.",
          "Удаляет аватар с его селфи, фотосетами и фото, затем их файлы. Не выйдет, пока идёт генерация или возврат денег за его фотосеты.",
        ],
        errors: ["NOT_FOUND", "CONFLICT"],
      }),
    )
    .input(z.strictObject({ avatarId: id }))
    .output(deletedOutput)
    .mutation(({ ctx, input }) => deleteAvatar(ctx.deps, ctx.userId, input.avatarId)),
});
