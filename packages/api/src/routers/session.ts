import { getUser, hasPaid, signInWithDevice } from "@pinglass/accounts";
import { listPaidPhotosets } from "@pinglass/payments";
import { signInWithInitData, signInWithLoginWidget } from "@pinglass/telegram";
import { z } from "zod";
import { plainText } from "../inputs.ts";
import { rateLimited } from "../rate-limit.ts";
import { authedProcedure, publicProcedure, router } from "../trpc.ts";

export const sessionRouter = router({
  /**
   * Signs in the user of this browser's device id (or a new one) and returns a signed session
   * token and the device id the browser must keep instead: the id rotates on every start.
   */
  start: publicProcedure
    .use(rateLimited("sessionStart"))
    .input(z.object({ deviceId: z.uuid({ message: "errors.deviceId.invalid" }) }))
    .mutation(async ({ ctx, input }) => {
      const user = await signInWithDevice(ctx.deps.db, ctx.deps.clock, input.deviceId.toLowerCase());
      const session = ctx.deps.sessions.issue(user.id);
      return { token: session.token, expiresAt: session.expiresAt, userId: user.id, deviceId: user.deviceId };
    }),

  /** Signs in from the Telegram Mini App: initData checked with the bot token, then the same kind of token as start. */
  telegram: publicProcedure
    .input(z.object({ initData: plainText("errors.telegram.invalid").min(1, "errors.telegram.invalid").max(8192, "errors.telegram.invalid") }))
    .mutation(async ({ ctx, input }) => {
      const user = await signInWithInitData(ctx.deps.db, ctx.deps.clock, ctx.deps.telegram, input.initData);
      const session = ctx.deps.sessions.issue(user.id);
      return { token: session.token, expiresAt: session.expiresAt, userId: user.id };
    }),

  /** Signs in on the web with the Telegram Login Widget's fields, every one of them covered by its hash. */
  telegramLogin: publicProcedure
    .input(
      z
        .object({
          id: z.number({ message: "errors.telegram.invalid" }).int().positive(),
          first_name: plainText().max(256).optional(),
          last_name: plainText().max(256).optional(),
          username: plainText().max(64).optional(),
          photo_url: plainText().max(2048).optional(),
          auth_date: z.number({ message: "errors.telegram.invalid" }).int().positive(),
          hash: z.string({ message: "errors.telegram.invalid" }).regex(/^[0-9a-f]{64}$/i, "errors.telegram.invalid"),
        })
        .catchall(z.union([plainText().max(2048), z.number()])),
    )
    .mutation(async ({ ctx, input }) => {
      const user = await signInWithLoginWidget(ctx.deps.db, ctx.deps.clock, ctx.deps.telegram, input);
      const session = ctx.deps.sessions.issue(user.id);
      return { token: session.token, expiresAt: session.expiresAt, userId: user.id };
    }),

  /** What the app may offer before sign-in: the Telegram Login Widget needs the bot's username, and only when a bot is configured. */
  options: publicProcedure.query(({ ctx }) => ({ telegramBotUsername: ctx.deps.telegram?.botUsername ?? null })),

  me: authedProcedure.query(async ({ ctx }) => {
    const [user, paid, paidPhotosets] = await Promise.all([getUser(ctx.deps.db, ctx.userId), hasPaid(ctx.deps.db, ctx.userId), listPaidPhotosets(ctx.deps.db, ctx.userId)]);
    return {
      user: { id: user.id, telegramUserId: user.telegramUserId, createdAt: user.createdAt },
      hasPaid: paid,
      /** Succeeded payments no job has used yet. */
      paidPhotosets,
    };
  }),
});
