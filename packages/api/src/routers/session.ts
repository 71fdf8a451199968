import { signInWithDevice } from "@pinglass/accounts";
import { DomainError } from "@pinglass/core";
import { accountOverview } from "@pinglass/payments";
import { signInWithInitData, signInWithLoginWidget } from "@pinglass/telegram";
import { z } from "zod";
import { plainText } from "../inputs.ts";
import { deviceSessionOutput, meOutput, sessionOutput } from "../outputs.ts";
import { rateLimited } from "../rate-limit.ts";
import { rest } from "../rest-meta.ts";
import { authedProcedure, publicProcedure, router } from "../trpc.ts";

export const sessionRouter = router({
  /**
   * Signs in the user of this browser's device id (or a new one) and returns a signed session
   * token and the device id the browser must keep instead: the id rotates on every start.
   */
  start: publicProcedure
    .meta(
      rest("POST", "/sessions", {
        tag: "Session",
        summary: ["Start a session", "Начать сессию"],
        description: [
          "Signs in the account of a device id (a UUID you make once), or makes a new account for an unknown one, and returns a session token for `Authorization: Bearer`. Keep the `deviceId` it returns and send that next time: the id changes on every start, and the one it replaced stops working after a minute.",
          "Входит в аккаунт по идентификатору устройства (UUID, который вы создаёте один раз) или создаёт новый аккаунт для незнакомого и возвращает токен сессии для `Authorization: Bearer`. Сохраните возвращённый `deviceId` и присылайте в следующий раз его: идентификатор меняется при каждом входе, а прежний перестаёт работать через минуту.",
        ],
        open: true,
      }),
    )
    .use(rateLimited("sessionStart"))
    .input(z.strictObject({ deviceId: z.uuid({ message: "errors.deviceId.invalid" }) }))
    .output(deviceSessionOutput)
    .mutation(async ({ ctx, input }) => {
      const user = await signInWithDevice(ctx.deps.db, ctx.deps.clock, input.deviceId.toLowerCase());
      const session = ctx.deps.sessions.issue(user.id);
      return { token: session.token, expiresAt: session.expiresAt, userId: user.id, deviceId: user.deviceId };
    }),

  /** Signs in from the Telegram Mini App: initData checked with the bot token, then the same kind of token as start. */
  telegram: publicProcedure
    .meta(
      rest("POST", "/sessions/telegram", {
        tag: "Session",
        summary: ["Sign in from a Telegram Mini App", "Войти из Telegram Mini App"],
        description: ["Checks the Mini App's `initData` with the bot's token and returns a session token.", "Проверяет `initData` Mini App токеном бота и возвращает токен сессии."],
        errors: ["UNAUTHORIZED", "PRECONDITION_FAILED"],
        open: true,
      }),
    )
    .input(z.strictObject({ initData: plainText("errors.telegram.invalid").min(1, "errors.telegram.invalid").max(8192, "errors.telegram.invalid") }))
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
      const user = await signInWithInitData(ctx.deps.db, ctx.deps.clock, ctx.deps.telegram, input.initData);
      const session = ctx.deps.sessions.issue(user.id);
      return { token: session.token, expiresAt: session.expiresAt, userId: user.id };
    }),

  /** Signs in on the web with the Telegram Login Widget's fields, every one of them covered by its hash. */
  telegramLogin: publicProcedure
    .meta(
      rest("POST", "/sessions/telegram-login", {
        tag: "Session",
        summary: ["Sign in with the Telegram Login Widget", "Войти через виджет Telegram"],
        description: ["Checks the Login Widget's signed fields and returns a session token.", "Проверяет подписанные поля виджета входа и возвращает токен сессии."],
        errors: ["UNAUTHORIZED", "PRECONDITION_FAILED"],
        open: true,
      }),
    )
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
        // Telegram may add fields; each one is covered by the hash, so none is dropped.
        .catchall(z.union([plainText().max(2048), z.number()])),
    )
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
      const user = await signInWithLoginWidget(ctx.deps.db, ctx.deps.clock, ctx.deps.telegram, input);
      const session = ctx.deps.sessions.issue(user.id);
      return { token: session.token, expiresAt: session.expiresAt, userId: user.id };
    }),

  /** What the app may offer before sign-in: the Telegram Login Widget needs the bot's username, and only when a bot is configured. */
  options: publicProcedure
    .meta(rest("GET", "/sessions/options", { tag: "Session", summary: ["Sign-in options", "Способы входа"], open: true }))
    .output(z.object({ telegramBotUsername: z.string().nullable() }))
    .query(({ ctx }) => ({ telegramBotUsername: ctx.deps.telegram?.botUsername ?? null })),

  me: authedProcedure
    .meta({
      ...rest("GET", "/me", {
        tag: "Session",
        summary: ["The signed-in account", "Текущий аккаунт"],
        description: ["Who you are, whether you have paid, and your paid photosets not used yet.", "Кто вы, платили ли вы, и оплаченные фотосеты, которые ещё не использованы."],
      }),
      // The overview's statement reads the user row: no row, no overview (401 below).
      readsCallerRow: true,
    })
    .output(meOutput)
    .query(async ({ ctx }) => {
      const overview = await accountOverview(ctx.deps.db, ctx.userId);
      if (!overview) throw new DomainError("UNAUTHORIZED", "errors.unauthorized");
      // Telegram ids have at most 52 significant bits: a JSON number holds them exactly.
      const telegramUserId = overview.user.telegramUserId === null ? null : Number(overview.user.telegramUserId);
      return { user: { id: overview.user.id, telegramUserId, createdAt: overview.user.createdAt }, hasPaid: overview.hasPaid, paidPhotosets: overview.paidPhotosets };
    }),
});
