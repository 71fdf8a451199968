import { createLinkCode } from "@pinglass/telegram";
import { z } from "zod";
import { deleteAccount } from "../account-data.ts";
import { deletedOutput, timestamp } from "../outputs.ts";
import { rest } from "../rest-meta.ts";
import { authedProcedure, router } from "../trpc.ts";
import { apiKeysRouter } from "./api-keys.ts";
import { webhooksRouter } from "./webhooks.ts";

export const accountRouter = router({
  /** The developers' door: API keys and webhook endpoints. */
  apiKeys: apiKeysRouter,
  webhooks: webhooksRouter,

  /** A one-time code and its t.me deep link; sending it to the bot links that Telegram account to this user. */
  linkTelegram: authedProcedure
    .meta(
      rest("POST", "/account/telegram-link", {
        tag: "Account",
        summary: ["Link a Telegram account", "Привязать Telegram"],
        description: [
          "A one-time code, valid 15 minutes, and its t.me link: opening it and pressing Start in the bot links that Telegram account to yours.",
          "Одноразовый код на 15 минут и его ссылка t.me: открыв её и нажав «Старт» в боте, вы привяжете этот Telegram к аккаунту.",
        ],
        errors: ["PRECONDITION_FAILED"],
      }),
    )
    .output(z.object({ code: z.string(), link: z.string(), expiresAt: timestamp }))
    .mutation(({ ctx }) => createLinkCode(ctx.deps.db, ctx.deps.clock, ctx.deps.telegram, ctx.userId)),

  /**
   * Deletes every row of the signed-in user in one transaction, then their files. The web app asks
   * the person first and sends `confirm: true`; the session token stops working with the user row.
   */
  deleteAll: authedProcedure
    .meta(
      rest("POST", "/account/delete", {
        tag: "Account",
        summary: ["Delete all my data", "Удалить все мои данные"],
        description: [
          "Deletes the account with every avatar, selfie, photo and payment record, then the files; the token stops working. Send `{ confirm: true }`. Refused while a photoset is generating or a payment of the last 24 hours is pending.",
          "Удаляет аккаунт со всеми аватарами, селфи, фото и записями о платежах, затем файлы; токен перестаёт работать. Передайте `{ confirm: true }`. Не выйдет, пока генерируется фотосет или ждёт оплаты платёж последних 24 часов.",
        ],
        errors: ["CONFLICT"],
      }),
    )
    .input(z.strictObject({ confirm: z.literal(true, { message: "errors.invalidInput" }) }))
    .output(deletedOutput)
    .mutation(({ ctx }) => deleteAccount(ctx.deps, ctx.userId)),
});
