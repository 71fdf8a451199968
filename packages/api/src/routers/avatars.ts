import { avatarNameMaxLength, createAvatar, deleteAvatarRows, getAvatar, listAvatars, renameAvatar } from "@pinglass/accounts";
import { z } from "zod";
import { id } from "../inputs.ts";
import { authedProcedure, router } from "../trpc.ts";

const avatarName = z
  .string()
  .trim()
  .min(1, { message: "errors.avatar.nameEmpty" })
  .max(avatarNameMaxLength, { message: "errors.avatar.nameTooLong" });

export const avatarsRouter = router({
  list: authedProcedure.query(({ ctx }) => listAvatars(ctx.deps.db, ctx.userId)),

  get: authedProcedure.input(z.object({ avatarId: id })).query(({ ctx, input }) => getAvatar(ctx.deps.db, ctx.userId, input.avatarId)),

  create: authedProcedure
    .input(z.object({ name: avatarName.optional() }).optional())
    .mutation(({ ctx, input }) => createAvatar(ctx.deps.db, ctx.userId, input?.name)),

  rename: authedProcedure
    .input(z.object({ avatarId: id, name: avatarName }))
    .mutation(({ ctx, input }) => renameAvatar(ctx.deps.db, ctx.deps.clock, ctx.userId, input.avatarId, input.name)),

  delete: authedProcedure.input(z.object({ avatarId: id })).mutation(async ({ ctx, input }) => {
    await deleteAvatarRows(ctx.deps.db, ctx.userId, input.avatarId);
    return { deleted: true as const };
  }),
});
