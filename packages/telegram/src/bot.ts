import { type Clock, type Locale, type MessageKey, translate } from "@pinglass/core";
import { avatars, type Db, generationJobs, users } from "@pinglass/db";
import { and, desc, eq, sql } from "drizzle-orm";
import type { ReplyMarkup, SendMessageParams } from "./bot-api.ts";
import { linkPayloadPrefix, type LinkOutcome, redeemLinkCode } from "./linking.ts";

/** The parts of a Telegram Update (core.telegram.org/bots/api#update) the bot reads. */
export interface TelegramUpdate {
  update_id: number;
  message?: {
    message_id: number;
    from?: { id: number; is_bot?: boolean; language_code?: string };
    chat: { id: number; type: string };
    text?: string;
  };
}

export interface BotContext {
  db: Db;
  clock: Clock;
  /** The web app's public URL: the Mini App and gallery buttons open it. */
  publicUrl: string;
}

/** Russian unless Telegram says the person uses English. */
export const botLocale = (languageCode: string | null | undefined): Locale => (languageCode?.toLowerCase().startsWith("en") ? "en" : "ru");

/** A button that opens the web app inside Telegram; Telegram accepts Mini App URLs only over HTTPS. */
export function webAppKeyboard(publicUrl: string, text: string): ReplyMarkup | undefined {
  return publicUrl.startsWith("https://") ? { inline_keyboard: [[{ text, web_app: { url: publicUrl } }]] } : undefined;
}

const linkReplies: Record<LinkOutcome, MessageKey> = {
  linked: "telegram.bot.link.done",
  merged: "telegram.bot.link.merged",
  already: "telegram.bot.link.already",
  otherTelegram: "telegram.bot.link.otherTelegram",
  expired: "telegram.bot.link.expired",
  invalid: "telegram.bot.link.invalid",
};

/**
 * The answer to one update, or null when there is nothing to say. Only private chats with a
 * person are served: the sender is the chat, so a link code or a status never lands in a group.
 * The sender's id comes from Telegram's own update, delivered with our webhook secret.
 */
export async function replyToUpdate(ctx: BotContext, update: TelegramUpdate): Promise<SendMessageParams | null> {
  const message = update.message;
  const from = message?.from;
  if (!message?.text || !from || from.is_bot || message.chat.type !== "private" || message.chat.id !== from.id) return null;
  const command = /^\/([a-z]+)(?:@\w+)?(?:\s+(\S+))?\s*$/i.exec(message.text.trim());
  if (!command) return null;
  const [, name, payload] = command as unknown as [string, string, string | undefined];
  const telegramUserId = BigInt(from.id);
  const languageCode = from.language_code ?? null;
  const locale = botLocale(languageCode);
  const say = (key: MessageKey, params: Record<string, string | number> = {}, reply_markup?: ReplyMarkup): SendMessageParams => ({
    chat_id: message.chat.id,
    text: translate(key, locale, params),
    ...(reply_markup ? { reply_markup } : {}),
  });

  if (languageCode) {
    await ctx.db.update(users).set({ languageCode }).where(and(eq(users.telegramUserId, telegramUserId), sql`${users.languageCode} IS DISTINCT FROM ${languageCode}`));
  }

  switch (name.toLowerCase()) {
    case "start":
      if (payload?.startsWith(linkPayloadPrefix)) {
        const outcome = await redeemLinkCode(ctx.db, ctx.clock, { code: payload.slice(linkPayloadPrefix.length), telegramUserId, languageCode });
        return say(linkReplies[outcome], {}, webAppKeyboard(ctx.publicUrl, translate("telegram.bot.openApp", locale)));
      }
      return say("telegram.bot.welcome", {}, webAppKeyboard(ctx.publicUrl, translate("telegram.bot.openApp", locale)));
    case "status":
      return say(...(await statusOf(ctx.db, telegramUserId)));
    default:
      return say("telegram.bot.help");
  }
}

/** The latest job of the user with this Telegram id, as a message key and its numbers. */
async function statusOf(db: Db, telegramUserId: bigint): Promise<[MessageKey, Record<string, string | number>]> {
  const [latest] = await db
    .select({ job: generationJobs, avatarName: avatars.name })
    .from(generationJobs)
    .innerJoin(avatars, eq(avatars.id, generationJobs.avatarId))
    .innerJoin(users, eq(users.id, avatars.userId))
    .where(eq(users.telegramUserId, telegramUserId))
    .orderBy(desc(generationJobs.id))
    .limit(1);
  if (!latest) return ["telegram.bot.status.none", {}];
  const key: MessageKey =
    latest.job.status === "completed" ? "telegram.bot.status.completed" : latest.job.status === "failed" ? "telegram.bot.status.failed" : "telegram.bot.status.processing";
  return [key, { avatar: latest.avatarName ?? "", done: latest.job.completedPhotos ?? 0, total: latest.job.totalPhotos ?? 0 }];
}
