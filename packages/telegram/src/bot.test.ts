import { manualClock } from "@pinglass/core";
import { avatars, generationJobs, users } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BotContext, replyToUpdate, type TelegramUpdate } from "./bot.ts";
import { createLinkCode } from "./linking.ts";
import { findOrCreateTelegramUser } from "./users.ts";

const bot = { botToken: "7000000001:AAF-link-test", botUsername: "PinGlassBot", initDataMaxAgeSeconds: 86_400 };
let testDb: TestDb;
let ctx: BotContext;
beforeAll(async () => {
  testDb = await createTestDb();
  ctx = { db: testDb.db, clock: manualClock(new Date("2026-11-25T12:00:00Z")), publicUrl: "https://pinglass.test" };
});
afterAll(() => testDb.close());
beforeEach(() => testDb.reset());

let updateId = 0;
const update = (text: string, from: { id: number; language_code?: string }, chat = { id: from.id, type: "private" }): TelegramUpdate => ({
  update_id: ++updateId,
  message: { message_id: updateId, from, chat, text },
});
const appButton = (text: string) => ({ inline_keyboard: [[{ text, web_app: { url: "https://pinglass.test" } }]] });

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
