import type { ApiDeps } from "@pinglass/api";
import { pickLocale, translate } from "@pinglass/core";
import { answerStarsPreCheckout, BankError, type PreCheckoutAnswer, recordStarsPayment } from "@pinglass/payments";
import type { BotApi, SendMessageParams, TelegramUpdate } from "@pinglass/telegram";
import type { Logger } from "pino";

/** What the webhook answers Telegram: 500 makes Telegram send the update again. */
export interface StarsUpdateAnswer {
  status: 200 | 500;
  reply: SendMessageParams | null;
}

/**
 * The Telegram Stars updates of /telegram/webhook, decided by @pinglass/payments. A
 * pre_checkout_query is answered at once with answerPreCheckoutQuery (Telegram waits at most 10
 * seconds and charges nothing without an ok). A successful_payment is recorded (and a charge we
 * cannot honour refunded); when that fails in a way a retry may fix, the answer is 500 so Telegram
 * delivers the update again. Null for every other update.
 */
export async function handleStarsUpdate(deps: ApiDeps, botApi: BotApi, update: TelegramUpdate, logger: Logger, requestId: string | null = null): Promise<StarsUpdateAnswer | null> {
  const query = update.pre_checkout_query;
  if (query) {
    const answer: PreCheckoutAnswer = await answerStarsPreCheckout(deps, query).catch((error: unknown) => {
      logger.error({ err: error, queryId: query.id }, "payments: a Stars pre-checkout could not be checked; it is refused");
      return { ok: false, errorMessage: translate("errors.internal", pickLocale(query.from?.language_code)) };
    });
    if (!answer.ok) logger.warn({ queryId: query.id, payload: query.invoice_payload, from: query.from?.id, reason: answer.errorMessage }, "payments: a Stars pre-checkout was refused");
    try {
      await botApi.answerPreCheckoutQuery({ pre_checkout_query_id: query.id, ok: answer.ok, ...(answer.ok ? {} : { error_message: answer.errorMessage }) });
    } catch (error) {
      // Too late or unknown to Telegram: it charges nothing, and the payment stays pending.
      logger.warn({ err: error, queryId: query.id }, "payments: Telegram did not take a Stars pre-checkout answer");
    }
    return { status: 200, reply: null };
  }
  const message = update.message;
  if (!message?.successful_payment) return null;
  try {
    const result = await recordStarsPayment(deps, message, requestId);
    const reply = result.outcome === "paid" ? { chat_id: message.chat.id, text: translate("telegram.bot.starsPaid", result.locale) } : null;
    return { status: 200, reply };
  } catch (error) {
    if (error instanceof BankError && error.kind === "refused") {
      // Nothing a resend could change: for a person to look at.
      logger.error({ err: error, payment: message.successful_payment }, "payments: a Telegram Stars payment could not be recorded or refunded");
      return { status: 200, reply: null };
    }
    logger.error({ err: error, payment: message.successful_payment }, "payments: a Telegram Stars payment is not recorded yet; Telegram will send it again");
    return { status: 500, reply: null };
  }
}
