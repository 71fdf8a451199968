import { type Clock, type Locale, type MessageKey, translate } from "@pinglass/core";
import { avatars, type Db, generationJobs, users } from "@pinglass/db";
import { and, desc, eq, sql } from "drizzle-orm";
import type { BotApi, ReplyMarkup, SendMessageParams } from "./bot-api.ts";
import { cancelCallbackPrefix, cancelLinkMerge, confirmLinkMerge, linkPayloadPrefix, type LinkOutcome, mergeCallbackPrefix, redeemLinkCode } from "./linking.ts";
import type { MergeAccounts } from "./user-data.ts";
import { telegramLanguageCode } from "./update.ts";

/** The parts of a Telegram Update (core.telegram.org/bots/api#update) the bot reads. */
export interface TelegramUpdate {
  update_id: number;
  message?: {
    message_id: number;
    from?: TelegramSender;
    chat: TelegramChat;
    text?: string;
    /** A Telegram Stars payment that went through (payments records it). */
    successful_payment?: SuccessfulPayment;
  };
  /** Telegram asks whether to take a Stars payment; it must be answered within 10 seconds (payments decides). */
  pre_checkout_query?: PreCheckoutQuery;
  /** A press on one of our inline buttons; `message` is the bot's message that carried it. */
  callback_query?: {
    id: string;
    from: TelegramSender;
    message?: { message_id: number; chat: TelegramChat };
    data?: string;
  };
}

/** core.telegram.org/bots/api#successfulpayment */
export interface SuccessfulPayment {
  currency: string;
  total_amount: number;
  invoice_payload: string;
  telegram_payment_charge_id: string;
  provider_payment_charge_id?: string;
}

/** core.telegram.org/bots/api#precheckoutquery */
export interface PreCheckoutQuery {
  id: string;
  from: TelegramSender;
  currency: string;
  total_amount: number;
  invoice_payload: string;
}

export interface TelegramSender {
  id: number;
  is_bot?: boolean;
  language_code?: string;
}

export interface TelegramChat {
  id: number;
  type: string;
}

export interface BotContext {
  db: Db;
  clock: Clock;
  /** The web app's public URL: the Mini App and gallery buttons open it. */
  publicUrl: string;
  /** Answers button presses (answerCallbackQuery) so their spinner stops; without it they are not answered. */
  botApi?: Pick<BotApi, "answerCallbackQuery"> | null;
  /** Told when a Bot API call made while handling an update fails; the update is handled anyway. */
  onBotApiError?: (error: unknown) => void;
  /** Makes two accounts one when a Telegram user confirms a merge (the app's composition of every domain's data). */
  mergeAccounts: MergeAccounts;
}

/** Russian unless Telegram says the person uses English. */
export const botLocale = (languageCode: string | null | undefined): Locale => (languageCode?.toLowerCase().startsWith("en") ? "en" : "ru");

/** A button that opens the web app (`url`, PUBLIC_URL or a page under it) inside Telegram; Telegram accepts Mini App URLs only over HTTPS. */
export function webAppKeyboard(url: string, text: string): ReplyMarkup | undefined {
  return url.startsWith("https://") ? { inline_keyboard: [[{ text, web_app: { url } }]] } : undefined;
}

const linkReplies: Record<LinkOutcome, MessageKey> = {
  linked: "telegram.bot.link.done",
  merged: "telegram.bot.link.merged",
  already: "telegram.bot.link.already",
  otherTelegram: "telegram.bot.link.otherTelegram",
  expired: "telegram.bot.link.expired",
  invalid: "telegram.bot.link.invalid",
  cancelled: "telegram.bot.link.cancelled",
};

type Say = (key: MessageKey, params?: Record<string, string | number>, reply_markup?: ReplyMarkup) => SendMessageParams;

/**
 * The person behind an update, or null unless it comes from a person in their own private chat
 * with the bot (the sender is the chat, so a link code or a status never lands in a group). The
 * sender's id comes from Telegram's own update, delivered with our webhook secret. Keeps the
 * user's language as Telegram reports it.
 */
async function personIn(ctx: BotContext, from: TelegramSender | undefined, chat: TelegramChat | undefined) {
  if (!from || !chat || from.is_bot || chat.type !== "private" || chat.id !== from.id) return null;
  const telegramUserId = BigInt(from.id);
  const languageCode = telegramLanguageCode(from.language_code);
  const locale = botLocale(languageCode);
  if (languageCode) {
    await ctx.db.update(users).set({ languageCode }).where(and(eq(users.telegramUserId, telegramUserId), sql`${users.languageCode} IS DISTINCT FROM ${languageCode}`));
  }
  const say: Say = (key, params = {}, reply_markup) => ({ chat_id: chat.id, text: translate(key, locale, params), ...(reply_markup ? { reply_markup } : {}) });
  return { telegramUserId, languageCode, locale, say };
}

/**
 * The answer to one update, or null when there is nothing to say. Only private chats with a
 * person are served (see personIn). Button presses are also answered with answerCallbackQuery.
 */
export async function replyToUpdate(ctx: BotContext, update: TelegramUpdate): Promise<SendMessageParams | null> {
  if (update.callback_query) return answerButton(ctx, update.callback_query);
  const message = update.message;
  if (!message?.text) return null;
  const command = /^\/([a-z]+)(?:@\w+)?(?:\s+(\S+))?\s*$/i.exec(message.text.trim());
  if (!command) return null;
  const person = await personIn(ctx, message.from, message.chat);
  if (!person) return null;
  const [, name, payload] = command as unknown as [string, string, string | undefined];
  const { telegramUserId, languageCode, locale, say } = person;
  const appButton = webAppKeyboard(ctx.publicUrl, translate("telegram.bot.openApp", locale));

  switch (name.toLowerCase()) {
    case "start":
      if (payload?.startsWith(linkPayloadPrefix)) {
        const code = payload.slice(linkPayloadPrefix.length);
        const result = await redeemLinkCode(ctx.db, ctx.clock, { code, telegramUserId, languageCode });
        if (result.outcome !== "confirmMerge") return say(linkReplies[result.outcome], {}, appButton);
        // The Telegram id has an account already: nothing moves until its owner presses "Merge".
        return say(
          "telegram.bot.link.confirmMerge",
          { ...result.moving, targetAvatars: result.into.avatars },
          {
            inline_keyboard: [
              [
                { text: translate("telegram.bot.link.mergeButton", locale), callback_data: `${mergeCallbackPrefix}${code}` },
                { text: translate("telegram.bot.link.cancelButton", locale), callback_data: `${cancelCallbackPrefix}${code}` },
              ],
            ],
          },
        );
      }
      return say("telegram.bot.welcome", {}, appButton);
    case "status":
      return say(...(await statusOf(ctx.db, telegramUserId)));
    case "paysupport":
      return say("telegram.bot.paysupport");
    default:
      return say("telegram.bot.help");
  }
}

/**
 * A press on "Merge" (`merge_<code>`) or "Cancel" (`cancel_<code>`) under the merge warning. The
 * presser is Telegram's `from`, and must be the person of the private chat the warning went to;
 * the code itself was bound to the Telegram user it was shown to, so a press by anyone else finds
 * nothing and changes nothing. The spinner is stopped whatever happens.
 */
async function answerButton(ctx: BotContext, query: NonNullable<TelegramUpdate["callback_query"]>): Promise<SendMessageParams | null> {
  try {
    const data = query.data ?? "";
    const action = data.startsWith(mergeCallbackPrefix) ? "merge" : data.startsWith(cancelCallbackPrefix) ? "cancel" : null;
    if (!action) return null;
    const person = await personIn(ctx, query.from, query.message?.chat);
    if (!person) return null;
    const code = data.slice((action === "merge" ? mergeCallbackPrefix : cancelCallbackPrefix).length);
    const input = { code, telegramUserId: person.telegramUserId, languageCode: person.languageCode };
    const outcome = action === "merge" ? await confirmLinkMerge(ctx.db, ctx.clock, input, ctx.mergeAccounts) : await cancelLinkMerge(ctx.db, ctx.clock, input);
    return person.say(linkReplies[outcome], {}, webAppKeyboard(ctx.publicUrl, translate("telegram.bot.openApp", person.locale)));
  } finally {
    if (ctx.botApi) await ctx.botApi.answerCallbackQuery({ callback_query_id: query.id }).catch((error: unknown) => ctx.onBotApiError?.(error));
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
