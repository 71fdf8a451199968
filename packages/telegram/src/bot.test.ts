import { manualClock } from "@pinglass/core";
import { avatars, generatedPhotos, generationJobs, payments, telegramLinkCodes, users } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBotApi } from "./bot-api.ts";
import { type BotContext, replyToUpdate, type TelegramUpdate } from "./bot.ts";
import { createLinkCode } from "./linking.ts";
import { startFakeBotApi } from "./testing.ts";
import { findOrCreateTelegramUser } from "./users.ts";

const bot = { botToken: "7000000001:AAF-link-test", botUsername: "PinGlassBot", initDataMaxAgeSeconds: 86_400 };
let testDb: TestDb;
let fake: Awaited<ReturnType<typeof startFakeBotApi>>;
let ctx: BotContext;
const botApiErrors: unknown[] = [];
beforeAll(async () => {
  testDb = await createTestDb();
  fake = await startFakeBotApi({ token: bot.botToken });
  ctx = {
    db: testDb.db,
    clock: manualClock(new Date("2026-11-25T12:00:00Z")),
    publicUrl: "https://pinglass.test",
    botApi: createBotApi({ token: bot.botToken, apiUrl: fake.url }),
    onBotApiError: (error) => botApiErrors.push(error),
    // Merging is composed above the domains and tested in packages/api; no test here gets that far.
    mergeAccounts: () => Promise.reject(new Error("no merge may happen in this test")),
  };
});
afterAll(async () => {
  await fake.close();
  await testDb.close();
});
beforeEach(async () => {
  await testDb.reset();
  fake.calls.length = 0;
  botApiErrors.length = 0;
});

let updateId = 0;
const update = (text: string, from: { id: number; language_code?: string }, chat = { id: from.id, type: "private" }): TelegramUpdate => ({
  update_id: ++updateId,
  message: { message_id: updateId, from, chat, text },
});
const appButton = (text: string) => ({ inline_keyboard: [[{ text, web_app: { url: "https://pinglass.test" } }]] });
/** A press on an inline button under a message the bot sent to `chat` (by default the presser's own private chat). */
const press = (data: string, from: { id: number; language_code?: string }, chat = { id: from.id, type: "private" }): TelegramUpdate => ({
  update_id: ++updateId,
  callback_query: { id: `query-${updateId}`, from, message: { message_id: updateId, chat }, data },
});
const answeredQueries = () => fake.accepted().filter((c) => c.method === "answerCallbackQuery").map((c) => c.params.callback_query_id);

describe("the bot's commands", () => {
  it("/start answers with a Mini App button, in Russian by default and in English for English users", async () => {
    expect(await replyToUpdate(ctx, update("/start", { id: 10 }))).toMatchObject({ chat_id: 10, text: expect.stringContaining("Привет"), reply_markup: appButton("Открыть PinGlass") });
    expect(await replyToUpdate(ctx, update("/start", { id: 11, language_code: "en" }))).toMatchObject({ text: expect.stringContaining("Hi!"), reply_markup: appButton("Open PinGlass") });
  });

  it("/help and unknown commands list the commands; plain text and group chats get no answer", async () => {
    expect((await replyToUpdate(ctx, update("/help", { id: 10, language_code: "en" })))!.text).toContain("/status");
    expect((await replyToUpdate(ctx, update("/whatever", { id: 10 })))!.text).toContain("/status");
    expect(await replyToUpdate(ctx, update("hello", { id: 10 }))).toBeNull();
    expect(await replyToUpdate(ctx, update("/status", { id: 10 }, { id: -100123, type: "supergroup" }))).toBeNull();
  });

  it("/status reports the latest job of the user with the sender's Telegram id", async () => {
    expect((await replyToUpdate(ctx, update("/status", { id: 20 })))!.text).toBe("У вас пока нет фотосессий. Откройте приложение, чтобы создать первую.");
    const user = await findOrCreateTelegramUser(testDb.db, { telegramUserId: 20n, languageCode: "ru", firstName: null, username: null });
    const [avatar] = await testDb.db.insert(avatars).values({ userId: user.id, name: "Море" }).returning();
    await testDb.db.insert(generationJobs).values({ avatarId: avatar!.id, status: "completed", totalPhotos: 7, completedPhotos: 7 });
    await testDb.db.insert(generationJobs).values({ avatarId: avatar!.id, status: "processing", totalPhotos: 15, completedPhotos: 4 });
    expect((await replyToUpdate(ctx, update("/status", { id: 20 })))!.text).toBe("Фотосессия «Море» в работе: готово 4 из 15 фото.");
    expect((await replyToUpdate(ctx, update("/status", { id: 20, language_code: "en" })))!.text).toBe("Photoset “Море” is in progress: 4 of 15 photos ready.");
    expect((await testDb.db.select().from(users).where(eq(users.id, user.id)))[0]!.languageCode).toBe("en");
    expect((await replyToUpdate(ctx, update("/status", { id: 21 })))!.text).toContain("нет фотосессий");
  });

  it("/start link_<code> links the sender, and refuses a used or expired code in the sender's language", async () => {
    const [web] = await testDb.db.insert(users).values({ deviceId: crypto.randomUUID() }).returning();
    const { code } = await createLinkCode(testDb.db, ctx.clock, bot, web!.id);
    expect((await replyToUpdate(ctx, update(`/start link_${code}`, { id: 30, language_code: "en" })))!.text).toBe("Done: Telegram is linked to your PinGlass account.");
    expect((await testDb.db.select().from(users))[0]!.telegramUserId).toBe(30n);
    expect((await replyToUpdate(ctx, update(`/start link_${code}`, { id: 31 })))!.text).toBe("Ссылка для привязки неверна или уже использована. Получите новую в приложении.");
    const stale = await createLinkCode(testDb.db, manualClock(new Date("2026-11-24T00:00:00Z")), bot, web!.id);
    expect((await replyToUpdate(ctx, update(`/start link_${stale.code}`, { id: 30, language_code: "en" })))!.text).toBe("This link has expired. Get a new one in the app.");
  });
});

describe("merging through the bot", () => {
  /** A web user who asked for a link, and a Telegram user (id 40) who already has an avatar with photos and a paid payment. */
  async function accounts() {
    const [web] = await testDb.db.insert(users).values({ deviceId: crypto.randomUUID() }).returning();
    const telegram = await findOrCreateTelegramUser(testDb.db, { telegramUserId: 40n, languageCode: "ru", firstName: null, username: null });
    const [avatar] = await testDb.db.insert(avatars).values({ userId: telegram.id, name: "Море" }).returning();
    await testDb.db.insert(generatedPhotos).values([1, 2, 3].map((n) => ({ avatarId: avatar!.id, imageUrl: `photos/${n}.jpg` })));
    await testDb.db.insert(payments).values({ userId: telegram.id, amount: "499.00", status: "succeeded", orderId: "order-tg" });
    const { code } = await createLinkCode(testDb.db, ctx.clock, bot, web!.id);
    return { web: web!, telegram, code };
  }
  const owners = async () => ({
    users: (await testDb.db.select({ id: users.id, telegramUserId: users.telegramUserId }).from(users).orderBy(users.id)).map((u) => `${u.id}:${u.telegramUserId}`),
    avatars: (await testDb.db.select({ userId: avatars.userId }).from(avatars)).map((a) => a.userId),
    payments: (await testDb.db.select({ userId: payments.userId }).from(payments)).map((p) => p.userId),
  });

  it("/start link_<code> for a Telegram id that has an account only warns, with Merge and Cancel buttons", async () => {
    const { code } = await accounts();
    const before = await owners();
    const reply = await replyToUpdate(ctx, update(`/start link_${code}`, { id: 40 }));
    expect(reply).toEqual({
      chat_id: 40,
      text: expect.stringContaining("аватаров: 1, фото: 3, оплат: 1"),
      reply_markup: {
        inline_keyboard: [
          [
            { text: "Объединить", callback_data: `merge_${code}` },
            { text: "Отмена", callback_data: `cancel_${code}` },
          ],
        ],
      },
    });
    expect(reply!.text).toContain("создана в другом аккаунте PinGlass");
    expect(reply!.text).toContain("Если вы не создавали эту ссылку сами, нажмите «Отмена»");
    for (const button of reply!.reply_markup!.inline_keyboard.flat()) expect(Buffer.byteLength(button.callback_data!)).toBeLessThanOrEqual(64);
    expect(await owners()).toEqual(before);

    const english = await replyToUpdate(ctx, update(`/start link_${code}`, { id: 40, language_code: "en" }));
    expect(english!.text).toContain("avatars: 1, photos: 3, payments: 1");
    expect(english!.text).toContain("If you did not create this link yourself, press “Cancel”");
    expect(english!.reply_markup!.inline_keyboard[0]!.map((b) => b.text)).toEqual(["Merge", "Cancel"]);
    expect(await owners()).toEqual(before);
  });

  it("refuses a press from any other Telegram user and changes nothing, but still stops the button's spinner", async () => {
    const { code } = await accounts();
    await findOrCreateTelegramUser(testDb.db, { telegramUserId: 41n, languageCode: "ru", firstName: null, username: null });
    await replyToUpdate(ctx, update(`/start link_${code}`, { id: 40 }));
    const before = await owners();
    // Someone else pressing under the message in Telegram user 40's chat, and a press from another user's own chat.
    const elsewhere = press(`merge_${code}`, { id: 41 }, { id: 40, type: "private" });
    expect(await replyToUpdate(ctx, elsewhere)).toBeNull();
    expect((await replyToUpdate(ctx, press(`merge_${code}`, { id: 41 })))!.text).toBe("Ссылка для привязки неверна или уже использована. Получите новую в приложении.");
    expect((await replyToUpdate(ctx, press(`cancel_${code}`, { id: 41 })))!.text).toBe("Ссылка для привязки неверна или уже использована. Получите новую в приложении.");
    expect(await replyToUpdate(ctx, press(`merge_${code}`, { id: 40 }, { id: -100, type: "supergroup" }))).toBeNull();
    expect(await owners()).toEqual(before);
    expect((await testDb.db.select().from(telegramLinkCodes))[0]!.usedAt).toBeNull();
    expect(answeredQueries()).toHaveLength(4);
  });

  it("Cancel spends the code and changes nothing; an expired code is refused at confirmation", async () => {
    const { web, code } = await accounts();
    await replyToUpdate(ctx, update(`/start link_${code}`, { id: 40 }));
    const before = await owners();
    expect((await replyToUpdate(ctx, press(`cancel_${code}`, { id: 40 })))!.text).toBe("Отменено: аккаунты не объединены, ничего не перенесено. Эта ссылка больше не действует.");
    expect((await replyToUpdate(ctx, press(`merge_${code}`, { id: 40 })))!.text).toContain("неверна или уже использована");
    expect(await owners()).toEqual(before);

    const other = await createLinkCode(testDb.db, ctx.clock, bot, web.id);
    await replyToUpdate(ctx, update(`/start link_${other.code}`, { id: 40 }));
    const later = { ...ctx, clock: manualClock(new Date(ctx.clock.now().getTime() + 15 * 60 * 1000)) };
    expect((await replyToUpdate(later, press(`merge_${other.code}`, { id: 40 })))!.text).toBe("Ссылка для привязки устарела. Получите новую в приложении.");
    expect(await owners()).toEqual(before);
  });

  it("answers a press even when the Bot API fails, and ignores buttons it does not know", async () => {
    fake.failNext("answerCallbackQuery", { kind: "error", status: 500 });
    expect(await replyToUpdate(ctx, press("something_else", { id: 40 }))).toBeNull();
    expect(botApiErrors).toHaveLength(1);
    expect(await replyToUpdate(ctx, press("merge_short", { id: 40 }))).toMatchObject({ text: expect.stringContaining("неверна") });
    expect(answeredQueries()).toHaveLength(1);
  });
});
