import type { AddressInfo } from "node:net";
import { createTestApi } from "@pinglass/api/testing";
import { rowsOf } from "@pinglass/db";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { type TelegramConfig, telegramRoutes } from "./telegram.ts";

const bot: TelegramConfig = {
  botToken: "7000000001:AAF-webhook-test-token",
  botUsername: "PinGlassBot",
  webhookSecret: "webhook-secret-0123456789abcdef",
  initDataMaxAgeSeconds: 86_400,
  apiUrl: "http://127.0.0.1:9",
};
const logger = pino({ level: "silent" });
let api: Awaited<ReturnType<typeof createTestApi>>;
let servers: ReturnType<typeof createApp>[] = [];
let base: string;
let unconfiguredBase: string;

async function listen(server: ReturnType<typeof createApp>) {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  api = await createTestApi({ telegram: bot });
  base = await listen(createApp({ deps: api.deps, logger, routes: telegramRoutes(api.deps, bot, "https://pinglass.test", logger) }));
  unconfiguredBase = await listen(createApp({ deps: api.deps, logger, routes: telegramRoutes(api.deps, null, "https://pinglass.test", logger) }));
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
  await api.testDb.close();
});
beforeEach(() => api.testDb.reset());

let updateId = 0;
const message = (text: string, from = 4_000_001, language_code = "ru") => ({
  update_id: ++updateId,
  message: { message_id: updateId, date: 1_790_000_000, from: { id: from, is_bot: false, first_name: "Ann", language_code }, chat: { id: from, type: "private" }, text },
});
const post = (url: string, body: unknown, secret?: string) =>
  fetch(`${url}/telegram/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(secret === undefined ? {} : { "x-telegram-bot-api-secret-token": secret }) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const linkedTelegramIds = async () => rowsOf<{ id: string | null }>(await api.testDb.db.execute("SELECT telegram_user_id::text AS id FROM users ORDER BY id")).map((r) => r.id);

describe("POST /telegram/webhook", () => {
  it("refuses updates without the secret token, with a wrong one, or when no bot is configured, and does nothing", async () => {
    const { caller } = await api.signIn();
    const { code } = await caller.account.linkTelegram();
    const update = message(`/start link_${code}`);
    expect((await post(base, update)).status).toBe(401);
    expect((await post(base, update, "webhook-secret-0123456789abcdeX")).status).toBe(401);
    expect((await post(base, update, "short")).status).toBe(401);
    expect((await post(unconfiguredBase, update, bot.webhookSecret)).status).toBe(401);
    expect(await linkedTelegramIds()).toEqual([null]);
    // The same update with the right secret links the account: the code was still unused.
    const accepted = await post(base, update, bot.webhookSecret);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ method: "sendMessage", chat_id: 4_000_001, text: "Готово: Telegram привязан к вашему аккаунту PinGlass." });
    expect(await linkedTelegramIds()).toEqual(["4000001"]);
  });

  it("answers /start with a Mini App button through the webhook response, in English for English users", async () => {
    const response = await post(base, message("/start", 4_000_002, "en"), bot.webhookSecret);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      method: "sendMessage",
      chat_id: 4_000_002,
      text: expect.stringContaining("Hi!"),
      reply_markup: { inline_keyboard: [[{ text: "Open PinGlass", web_app: { url: "https://pinglass.test" } }]] },
    });
    const silent = await post(base, { update_id: ++updateId, edited_message: {} }, bot.webhookSecret);
    expect(silent.status).toBe(200);
    expect(await silent.text()).toBe("");
    expect((await post(base, "{not json", bot.webhookSecret)).status).toBe(400);
  });
});

describe("Telegram configuration", () => {
  it("is off without a token, needs the username and webhook secret with one, and defaults the age limit to a day", () => {
    expect(loadConfig({}).telegram).toBeNull();
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: bot.botToken })).toThrow(ConfigError);
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: "nonsense", TELEGRAM_BOT_USERNAME: "PinGlassBot", TELEGRAM_WEBHOOK_SECRET: bot.webhookSecret })).toThrow(/TELEGRAM_BOT_TOKEN/);
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: bot.botToken, TELEGRAM_BOT_USERNAME: "PinGlassBot", TELEGRAM_WEBHOOK_SECRET: bot.webhookSecret }).telegram).toEqual({
      botToken: bot.botToken,
      botUsername: "PinGlassBot",
      webhookSecret: bot.webhookSecret,
      initDataMaxAgeSeconds: 86_400,
      apiUrl: "https://api.telegram.org",
    });
  });
});
