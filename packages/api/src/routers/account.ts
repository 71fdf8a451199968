import { createLinkCode } from "@pinglass/telegram";
import { z } from "zod";
import { deleteAccount } from "../account-data.ts";
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
    .mutation(({ ctx }) => deleteAccount(ctx.deps, ctx.userId)),
});
