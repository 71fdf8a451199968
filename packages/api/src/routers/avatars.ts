import { avatarNameMaxLength, createAvatar, renameAvatar } from "@pinglass/accounts";
import { getAvatarWithLinks, listAvatarsWithLinks, withAvatarLinks } from "@pinglass/media";
import { z } from "zod";
import { deleteAvatar } from "../account-data.ts";
import { id, plainText } from "../inputs.ts";
import { authedProcedure, router } from "../trpc.ts";

const avatarName = plainText("errors.avatar.nameInvalid", "errors.invalidInput")
  .trim()
  .min(1, { message: "errors.avatar.nameEmpty" })
  .max(avatarNameMaxLength, { message: "errors.avatar.nameTooLong" });

export const avatarsRouter = router({
  /** A page of the user's avatars, newest first; pass nextCursor back as cursor for the next one. */
  list: authedProcedure
    .input(z.object({ cursor: id.nullish(), limit: z.number().int().min(1).max(50).default(20) }).default({ limit: 20 }))
    .query(({ ctx, input }) => listAvatarsWithLinks(ctx.deps.db, ctx.deps.media, ctx.userId, { cursor: input.cursor ?? undefined, limit: input.limit })),

  get: authedProcedure.input(z.object({ avatarId: id })).query(({ ctx, input }) => getAvatarWithLinks(ctx.deps.db, ctx.deps.media, ctx.userId, input.avatarId)),

  create: authedProcedure
    .input(z.object({ name: avatarName.optional() }).optional())
    .mutation(({ ctx, input }) => createAvatar(ctx.deps.db, ctx.userId, input?.name, { maxPerUser: ctx.deps.limits?.avatarsPerUser, locale: ctx.locale })),

  rename: authedProcedure
    .input(z.object({ avatarId: id, name: avatarName }))
    .mutation(async ({ ctx, input }) => withAvatarLinks(ctx.deps.media, await renameAvatar(ctx.deps.db, ctx.deps.clock, ctx.userId, input.avatarId, input.name))),

  delete: authedProcedure
    .input(z.object({ avatarId: id }))
    .mutation(({ ctx, input }) => deleteAvatar(ctx.deps, ctx.userId, input.avatarId)),
});
