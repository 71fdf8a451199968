import { deleteAccountRows } from "@pinglass/accounts";
import { deleteStoredFiles } from "@pinglass/media";
import { createLinkCode } from "@pinglass/telegram";
import { z } from "zod";
import { authedProcedure, router } from "../trpc.ts";

export const accountRouter = router({
  /** A one-time code and its t.me deep link; sending it to the bot links that Telegram account to this user. */
  linkTelegram: authedProcedure.mutation(({ ctx }) => createLinkCode(ctx.deps.db, ctx.deps.clock, ctx.deps.telegram, ctx.userId)),

  /**
   * Deletes every row of the signed-in user in one transaction, then their files. The web app asks
   * the person first and sends `confirm: true`; the session token stops working with the user row.
   */
  deleteAll: authedProcedure
    .input(z.object({ confirm: z.literal(true, { message: "errors.invalidInput" }) }))
    .mutation(async ({ ctx }) => {
      const { fileRefs } = await deleteAccountRows(ctx.deps.db, ctx.deps.clock, ctx.userId);
      await deleteStoredFiles(ctx.deps.media, fileRefs);
      return { deleted: true as const };
    }),
});
