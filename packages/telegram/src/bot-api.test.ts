import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BotApiError, createBotApi } from "./bot-api.ts";
import { startFakeBotApi } from "./testing.ts";

const token = "7000000001:AAF-client-test";
let fake: Awaited<ReturnType<typeof startFakeBotApi>>;
beforeAll(async () => {
  fake = await startFakeBotApi({ token });
});
afterAll(() => fake.close());

const photo = (n: number) => ({ bytes: Buffer.from(`jpeg bytes ${n}`), filename: `p${n}.jpg`, contentType: "image/jpeg" });

describe("the Bot API client", () => {
  it("sends messages as JSON and albums as multipart with attach:// references to uploaded bytes", async () => {
    const bot = createBotApi({ token, apiUrl: fake.url });
    const keyboard = { inline_keyboard: [[{ text: "Open", web_app: { url: "https://pinglass.test" } }]] };
    await bot.sendMessage({ chat_id: 42, text: "Привет", reply_markup: keyboard });
    const album = await bot.sendMediaGroup(42, [photo(1), photo(2), photo(3)]);
    expect(album).toHaveLength(3);
    const [message, group] = fake.calls.slice(-2);
    expect(message).toMatchObject({ method: "sendMessage", token, status: 200, params: { chat_id: 42, text: "Привет", reply_markup: keyboard } });
    expect(group!.method).toBe("sendMediaGroup");
    expect(JSON.parse(String(group!.params.media))).toEqual([0, 1, 2].map((i) => ({ type: "photo", media: `attach://photo${i}` })));
    expect(group!.files.map((f) => [f.field, f.bytes.toString()])).toEqual([["photo0", "jpeg bytes 1"], ["photo1", "jpeg bytes 2"], ["photo2", "jpeg bytes 3"]]);
    await bot.sendPhoto(42, photo(9));
    expect(fake.calls.at(-1)!.files[0]!.bytes.toString()).toBe("jpeg bytes 9");
  });

  it("reports 429 with retry_after, 5xx and dropped connections as transient, other refusals as final", async () => {
    const bot = createBotApi({ token, apiUrl: fake.url });
    fake.failNext("sendMessage", { kind: "rateLimit", retryAfter: 17 });
    const limited = await bot.sendMessage({ chat_id: 1, text: "x" }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(BotApiError);
    expect(limited).toMatchObject({ errorCode: 429, retryAfterSeconds: 17, transient: true });

    fake.failNext("sendMessage", { kind: "error", status: 502, description: "Bad Gateway" });
    expect(await bot.sendMessage({ chat_id: 1, text: "x" }).catch((e: unknown) => e)).toMatchObject({ errorCode: 502, transient: true });

    fake.failNext("sendMessage", { kind: "drop" });
    expect(await bot.sendMessage({ chat_id: 1, text: "x" }).catch((e: unknown) => e)).toMatchObject({ errorCode: null, transient: true });

    fake.failNext("sendMessage", { kind: "error", status: 403, description: "Forbidden: bot was blocked by the user" });
    const blocked = await bot.sendMessage({ chat_id: 1, text: "x" }).catch((e: unknown) => e);
    expect(blocked).toMatchObject({ errorCode: 403, transient: false, description: "Forbidden: bot was blocked by the user" });

    const wrongToken = await createBotApi({ token: "1:wrong", apiUrl: fake.url }).sendMessage({ chat_id: 1, text: "x" }).catch((e: unknown) => e);
    expect(wrongToken).toMatchObject({ errorCode: 401, transient: false });
  });

  it("refuses an album Telegram would refuse before sending it", async () => {
    const bot = createBotApi({ token, apiUrl: fake.url });
    const before = fake.calls.length;
    expect(() => bot.sendMediaGroup(1, [photo(1)])).toThrow(RangeError);
    expect(() => bot.sendMediaGroup(1, Array.from({ length: 11 }, (_, i) => photo(i)))).toThrow(RangeError);
    expect(fake.calls.length).toBe(before);
  });

  it("answers a pressed button, and sends callback buttons Telegram accepts", async () => {
    const bot = createBotApi({ token, apiUrl: fake.url });
    expect(await bot.answerCallbackQuery({ callback_query_id: "4382bfdwdsb323b2d9" })).toBe(true);
    expect(fake.calls.at(-1)).toMatchObject({ method: "answerCallbackQuery", status: 200, params: { callback_query_id: "4382bfdwdsb323b2d9" } });
    const keyboard = { inline_keyboard: [[{ text: "Merge", callback_data: "merge_" + "A".repeat(24) }]] };
    await bot.sendMessage({ chat_id: 42, text: "?", reply_markup: keyboard });
    expect(fake.calls.at(-1)).toMatchObject({ status: 200, params: { reply_markup: keyboard } });
    const tooLong = { inline_keyboard: [[{ text: "Merge", callback_data: "x".repeat(65) }]] };
    expect(await bot.sendMessage({ chat_id: 42, text: "?", reply_markup: tooLong }).catch((e: unknown) => e)).toMatchObject({ errorCode: 400 });
  });

  it("sets the webhook with its secret token", async () => {
    const bot = createBotApi({ token, apiUrl: fake.url });
    expect(await bot.setWebhook({ url: "https://pinglass.test/telegram/webhook", secret_token: "s3cret_token-1" })).toBe(true);
    expect(fake.calls.at(-1)!.params).toEqual({ url: "https://pinglass.test/telegram/webhook", secret_token: "s3cret_token-1" });
  });
});
