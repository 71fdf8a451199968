import type { AddressInfo } from "node:net";
import { createTestApi } from "@pinglass/api/testing";
import { avatars, rowsOf, users } from "@pinglass/db";
import { findOrCreateTelegramUser } from "@pinglass/telegram";
import { startFakeBotApi } from "@pinglass/telegram/testing";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { type TelegramConfig, telegramArea } from "./telegram.ts";

const bot: TelegramConfig = {
  botToken: "7000000001:AAF-webhook-test-token",
  botUsername: "PinGlassBot",
  webhookSecret: "webhook-secret-0123456789abcdef",
  initDataMaxAgeSeconds: 86_400,
  apiUrl: "http://127.0.0.1:9",
};
const logger = pino({ level: "silent" });
let api: Awaited<ReturnType<typeof createTestApi>>;
let fakeBotApi: Awaited<ReturnType<typeof startFakeBotApi>>;
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
  fakeBotApi = await startFakeBotApi({ token: bot.botToken });
  const configured = telegramArea({ telegram: { ...bot, apiUrl: fakeBotApi.url }, publicUrl: "https://pinglass.test" }, logger);
  base = await listen(createApp({ deps: api.deps, logger, routes: configured.parts(api.deps).routes }));
  unconfiguredBase = await listen(createApp({ deps: api.deps, logger, routes: telegramArea({ telegram: null, publicUrl: "https://pinglass.test" }, logger).parts(api.deps).routes }));
  // The configured bot registers its webhook (PUBLIC_URL is https): that call is in before the tests count theirs.
  await vi.waitFor(() => expect(fakeBotApi.accepted().map((c) => c.method)).toContain("setWebhook"));
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
  await fakeBotApi.close();
  await api.testDb.close();
});
beforeEach(async () => {
  await api.testDb.reset();
  fakeBotApi.calls.length = 0;
});

let updateId = 0;
const message = (text: string, from = 4_000_001, language_code = "ru") => ({
  update_id: ++updateId,
  message: { message_id: updateId, date: 1_790_000_000, from: { id: from, is_bot: false, first_name: "Ann", language_code }, chat: { id: from, type: "private" }, text },
});
const press = (data: string, from = 4_000_001, chat = from) => ({
  update_id: ++updateId,
  callback_query: {
    id: `query-${updateId}`,
    from: { id: from, is_bot: false, first_name: "Ann", language_code: "ru" },
    message: { message_id: updateId, date: 1_790_000_000, chat: { id: chat, type: "private" }, text: "…" },
    chat_instance: "-1",
    data,
  },
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

  it("refuses a body that is not an update (with the secret) with 400, stores no language it cannot use, and keeps serving", async () => {
    const nul = String.fromCharCode(0);
    for (const body of ["null", "[]", "5", { update_id: 1, message: { ...message("/start").message, text: 5 } }, { ...press("merge_x"), callback_query: { ...press("x").callback_query, data: 5 } }]) {
      expect((await post(base, body, bot.webhookSecret)).status).toBe(400);
    }
    expect((await post(base, message(`/start${nul}`), bot.webhookSecret)).status).toBe(400);
    // A language code Telegram would never send is not stored; the bot answers in Russian.
    const odd = await post(base, message("/start", 4_000_009, "x".repeat(10_000)), bot.webhookSecret);
    expect(odd.status).toBe(200);
    expect(((await odd.json()) as { text: string }).text).toMatch(/^Привет/);
    expect((await post(base, message("/start", 4_000_002, "en"), bot.webhookSecret)).status).toBe(200);
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

describe("merging accounts through the webhook", () => {
  it("warns on /start link_ for a Telegram id with an account, and merges only on that user's Merge press", async () => {
    const { caller, userId } = await api.signIn();
    const { code } = await caller.account.linkTelegram();
    const holder = await findOrCreateTelegramUser(api.testDb.db, { telegramUserId: 4_000_001n, languageCode: "ru", firstName: "Ann", username: null });
    await api.testDb.db.insert(avatars).values({ userId: holder.id, name: "Море" });
    const avatarOwners = async () => (await api.testDb.db.select({ userId: avatars.userId }).from(avatars)).map((a) => a.userId);

    const warning = await post(base, message(`/start link_${code}`), bot.webhookSecret);
    expect(await warning.json()).toMatchObject({
      method: "sendMessage",
      chat_id: 4_000_001,
      text: expect.stringContaining("аватаров: 1, фото: 0, оплат: 0"),
      reply_markup: { inline_keyboard: [[{ text: "Объединить", callback_data: `merge_${code}` }, { text: "Отмена", callback_data: `cancel_${code}` }]] },
    });
    expect(await avatarOwners()).toEqual([holder.id]);

    // A press from another Telegram user changes nothing.
    const stranger = await post(base, press(`merge_${code}`, 4_000_009), bot.webhookSecret);
    expect(await stranger.json()).toMatchObject({ method: "sendMessage", chat_id: 4_000_009, text: expect.stringContaining("неверна") });
    expect(await avatarOwners()).toEqual([holder.id]);
    expect(await linkedTelegramIds()).toEqual(["4000001", null]);

    const merged = await post(base, press(`merge_${code}`), bot.webhookSecret);
    expect(await merged.json()).toMatchObject({ method: "sendMessage", chat_id: 4_000_001, text: expect.stringContaining("аккаунты объединены") });
    expect(await avatarOwners()).toEqual([userId]);
    expect(await api.testDb.db.select({ id: users.id, telegramUserId: users.telegramUserId }).from(users)).toEqual([{ id: userId, telegramUserId: 4_000_001n }]);
    // Both presses were answered through the Bot API, so the buttons stop spinning.
    expect(fakeBotApi.accepted().map((c) => [c.method, c.params.callback_query_id])).toEqual([
      ["answerCallbackQuery", `query-${updateId - 1}`],
      ["answerCallbackQuery", `query-${updateId}`],
    ]);
  });
});

describe("telegramArea", () => {
  it("registers the webhook with its secret for messages, button presses and Stars pre-checkouts", async () => {
    expect(telegramArea({ telegram: { ...bot, apiUrl: fakeBotApi.url }, publicUrl: "https://pinglass.test" }, logger).botApi).not.toBeNull();
    await expect.poll(() => fakeBotApi.accepted().find((c) => c.method === "setWebhook")?.params).toEqual({
      url: "https://pinglass.test/telegram/webhook",
      secret_token: bot.webhookSecret,
      allowed_updates: ["message", "callback_query", "pre_checkout_query"],
    });
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
