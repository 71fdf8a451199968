import { avatarNameMaxLength, createAvatar, renameAvatar } from "@pinglass/accounts";
import { deleteAvatarWithFiles, getAvatarWithLinks, listAvatarsWithLinks, withAvatarLinks } from "@pinglass/media";
import { z } from "zod";
import { id } from "../inputs.ts";
import { authedProcedure, router } from "../trpc.ts";

const avatarName = z
  .string()
  .trim()
  .min(1, { message: "errors.avatar.nameEmpty" })
  .max(avatarNameMaxLength, { message: "errors.avatar.nameTooLong" });

export const avatarsRouter = router({
  list: authedProcedure.query(({ ctx }) => listAvatarsWithLinks(ctx.deps.db, ctx.deps.media, ctx.userId)),

  get: authedProcedure.input(z.object({ avatarId: id })).query(({ ctx, input }) => getAvatarWithLinks(ctx.deps.db, ctx.deps.media, ctx.userId, input.avatarId)),

  create: authedProcedure
    .input(z.object({ name: avatarName.optional() }).optional())
    .mutation(({ ctx, input }) => createAvatar(ctx.deps.db, ctx.userId, input?.name)),

  rename: authedProcedure
    .input(z.object({ avatarId: id, name: avatarName }))
    .mutation(async ({ ctx, input }) => withAvatarLinks(ctx.deps.media, await renameAvatar(ctx.deps.db, ctx.deps.clock, ctx.userId, input.avatarId, input.name))),

  delete: authedProcedure
    .input(z.object({ avatarId: id }))
    .mutation(({ ctx, input }) => deleteAvatarWithFiles(ctx.deps.db, ctx.deps.media, ctx.userId, input.avatarId)),
});
