import { constantTimeEqual } from "@pinglass/core";
import { type ApiDeps, mergeAccounts } from "@pinglass/api";
import { type BotApi, createBotApi, deliverDuePhotos, parseTelegramUpdate, replyToUpdate, type TelegramUpdate } from "@pinglass/telegram";
import type { Logger } from "pino";
import type { Area } from "./area.ts";
import type { BackgroundLoop } from "./background.ts";
import type { Config } from "./config.ts";
import { handleStarsUpdate } from "./stars.ts";
import { requestIdFor, requestLogger } from "./http/request-id.ts";
import { readJson, type Route, sendJson, sendRefusal } from "./http/router.ts";

export type TelegramConfig = NonNullable<Config["telegram"]>;

export const telegramWebhookPath = "/telegram/webhook";
const secretHeader = "x-telegram-bot-api-secret-token";

/** The Telegram area: its Bot API client (null without a bot), which Telegram Stars use too, the webhook and the deliveries. */
export function telegramArea(config: Pick<Config, "telegram" | "publicUrl">, logger: Logger): Area & { botApi: BotApi | null } {
  const botApi = createTelegramBot(config.telegram, config.publicUrl, logger);
  return {
    botApi,
    parts: (deps) => ({ routes: telegramRoutes(deps, config.telegram, botApi, config.publicUrl, logger), loops: telegramLoops(deps, botApi, config.publicUrl, logger) }),
  };
}

/**
 * POST /telegram/webhook: Telegram's updates, accepted only with the secret token given to
 * setWebhook (X-Telegram-Bot-Api-Secret-Token); anything else is 401 before the body is read.
 * The answer rides on the webhook response as a Bot API method call, as Telegram allows; a
 * pressed button is also answered (answerCallbackQuery) through the Bot API so its spinner stops.
 * Telegram Stars updates (pre_checkout_query, a message's successful_payment) go to payments
 * (stars.ts): a pre-checkout is answered at once through the Bot API.
 * Without a configured bot every request is refused.
 */
function telegramRoutes(deps: ApiDeps, bot: TelegramConfig | null, botApi: BotApi | null, publicUrl: string, logger: Logger): Route[] {
  return [
    {
      method: "POST",
      path: telegramWebhookPath,
      handler: async (req, res) => {
        const log = requestLogger(logger, req);
        const onBotApiError = (error: unknown) => log.warn({ err: error }, "telegram: a Bot API call while handling an update failed");
        if (!bot || !constantTimeEqual(String(req.headers[secretHeader] ?? ""), bot.webhookSecret)) {
          log.warn({ ip: req.socket.remoteAddress }, "telegram: webhook call without the right secret token refused");
          return sendRefusal(req, res, 401, "errors.unauthorized");
        }
        let update: TelegramUpdate | null;
        try {
          update = parseTelegramUpdate(await readJson(req, 1024 * 1024));
        } catch (error) {
          return sendRefusal(req, res, (error as { status?: number }).status ?? 400, "errors.badRequest");
        }
        if (!update) return sendRefusal(req, res, 400, "errors.badRequest");
        const stars = botApi ? await handleStarsUpdate(deps, botApi, update, log, requestIdFor(req)) : null;
        if (stars?.status === 500) return sendRefusal(req, res, 500, "errors.internal");
        const reply = stars ? stars.reply : await replyToUpdate({ db: deps.db, clock: deps.clock, publicUrl, botApi, onBotApiError, mergeAccounts }, update);
        if (!reply) {
          res.writeHead(200, { "content-length": 0 });
          return res.end();
        }
        sendJson(res, 200, { method: "sendMessage", ...reply });
      },
    },
  ];
}

/** Finished jobs' photos to their owners' chats, in-process or in the worker. */
function telegramLoops(deps: ApiDeps, botApi: BotApi | null, publicUrl: string, logger: Logger): BackgroundLoop[] {
  if (!botApi) return [];
  return [
    {
      name: "telegram.deliveries",
      intervalMs: 3_000,
      async tick() {
        const delivered = await deliverDuePhotos({ db: deps.db, clock: deps.clock, bot: botApi, photos: deps.media.storage, publicUrl });
        if (delivered > 0) logger.info({ delivered }, "telegram: deliveries worked on");
      },
    },
  ];
}

/**
 * The Bot API client, or null without a token, saying so once. With an HTTPS PUBLIC_URL the
 * webhook is (re)registered with its secret token; a failure there is logged, never fatal.
 */
function createTelegramBot(bot: TelegramConfig | null, publicUrl: string, logger: Logger): BotApi | null {
  if (!bot) {
    logger.info("telegram: TELEGRAM_BOT_TOKEN is not set; running without Telegram (no Mini App sign-in, linking, bot or photo delivery)");
    return null;
  }
  const botApi = createBotApi({ token: bot.botToken, apiUrl: bot.apiUrl });
  logger.info({ bot: bot.botUsername }, "telegram: bot configured");
  if (publicUrl.startsWith("https://")) {
    botApi.setWebhook({ url: `${publicUrl}${telegramWebhookPath}`, secret_token: bot.webhookSecret, allowed_updates: ["message", "callback_query", "pre_checkout_query"] }).then(
      () => logger.info({ url: `${publicUrl}${telegramWebhookPath}` }, "telegram: webhook registered"),
      (error: unknown) => logger.warn({ err: error }, "telegram: could not register the webhook; updates will not arrive until it is"),
    );
  }
  return botApi;
}
