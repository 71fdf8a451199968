import { z } from "zod";
import type { TelegramUpdate } from "./bot.ts";

/**
 * The fields of an update PinGlass reads, with the types the Bot API gives them. Anything else
 * passes through untouched; a body that is not an update of this shape (only a forger who has the
 * webhook secret could send one) is refused before it reaches the bot or payments.
 */
const sender = z.looseObject({ id: z.number().int(), is_bot: z.boolean().optional(), language_code: z.string().optional() });
const chat = z.looseObject({ id: z.number().int(), type: z.string() });
const updateSchema = z.looseObject({
  update_id: z.number().int(),
  message: z
    .looseObject({
      message_id: z.number().int(),
      from: sender.optional(),
      chat,
      text: z.string().optional(),
      successful_payment: z
        .looseObject({
          currency: z.string(),
          total_amount: z.number().int(),
          invoice_payload: z.string(),
          telegram_payment_charge_id: z.string(),
          provider_payment_charge_id: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  pre_checkout_query: z
    .looseObject({ id: z.string(), from: sender, currency: z.string(), total_amount: z.number().int(), invoice_payload: z.string() })
    .optional(),
  callback_query: z
    .looseObject({ id: z.string(), from: sender, message: z.looseObject({ message_id: z.number().int(), chat }).optional(), data: z.string().optional() })
    .optional(),
});

export function parseTelegramUpdate(body: unknown): TelegramUpdate | null {
  const parsed = updateSchema.safeParse(body);
  return parsed.success ? (parsed.data as TelegramUpdate) : null;
}

/**
 * A language code as Telegram sends it (an IETF tag such as "en" or "pt-br"), or null for
 * anything else: it is stored (users.language_code, 10 characters) and picks the bot's language.
 */
export function telegramLanguageCode(value: unknown): string | null {
  return typeof value === "string" && /^[a-z]{2,3}(-[a-z0-9]{2,6})?$/i.test(value) ? value.toLowerCase() : null;
}
