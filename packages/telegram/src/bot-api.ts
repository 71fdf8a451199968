/**
 * A small client of the Telegram Bot API (core.telegram.org/bots/api): HTTPS POST to
 * <apiUrl>/bot<token>/<method>, JSON or multipart/form-data, answers `{ ok, result }` or
 * `{ ok: false, error_code, description, parameters: { retry_after } }`. It does not retry by
 * itself: callers decide (deliveries back off in the database, webhook replies are not retried).
 */

export interface InlineKeyboardButton {
  text: string;
  web_app?: { url: string };
  url?: string;
  /** 1–64 bytes, sent back in the callback_query when the button is pressed. */
  callback_data?: string;
}

export interface ReplyMarkup {
  inline_keyboard: InlineKeyboardButton[][];
}

export interface SendMessageParams {
  chat_id: number | string;
  text: string;
  reply_markup?: ReplyMarkup;
}

/** Stops the spinner of a pressed inline button; `text` shows as a short notice. */
export interface AnswerCallbackQueryParams {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
}

/** A photo uploaded from our storage; Telegram never sees a provider's URL. */
export interface PhotoUpload {
  bytes: Buffer;
  filename: string;
  contentType: string;
  caption?: string;
}

/** core.telegram.org/bots/api#labeledprice: in the smallest units of the currency (whole Stars for XTR). */
export interface LabeledPrice {
  label: string;
  amount: number;
}

/** createInvoiceLink for Telegram Stars: currency XTR, exactly one price, no provider token. */
export interface CreateInvoiceLinkParams {
  /** 1–32 characters. */
  title: string;
  /** 1–255 characters. */
  description: string;
  /** 1–128 bytes, ours: Telegram sends it back in the pre-checkout query and the successful payment. */
  payload: string;
  currency: "XTR";
  prices: LabeledPrice[];
}

export interface AnswerPreCheckoutQueryParams {
  pre_checkout_query_id: string;
  ok: boolean;
  /** Required when ok is false: Telegram shows it to the person. */
  error_message?: string;
}

export interface BotApi {
  sendMessage(params: SendMessageParams): Promise<unknown>;
  /** 2–10 photos as one album. */
  sendMediaGroup(chatId: number | string, photos: PhotoUpload[]): Promise<unknown>;
  sendPhoto(chatId: number | string, photo: PhotoUpload): Promise<unknown>;
  answerCallbackQuery(params: AnswerCallbackQueryParams): Promise<unknown>;
  setWebhook(params: { url: string; secret_token: string; allowed_updates?: string[] }): Promise<unknown>;
  /** The invoice's t.me link, which the Mini App opens with Telegram.WebApp.openInvoice. */
  createInvoiceLink(params: CreateInvoiceLinkParams): Promise<string>;
  /** Must come within 10 seconds of the pre_checkout_query. */
  answerPreCheckoutQuery(params: AnswerPreCheckoutQueryParams): Promise<unknown>;
  /** Returns a whole Stars payment to the user who made it. */
  refundStarPayment(params: { user_id: number; telegram_payment_charge_id: string }): Promise<unknown>;
}

export class BotApiError extends Error {
  constructor(
    readonly method: string,
    /** Telegram's error_code, the HTTP status without one, or null when no answer came. */
    readonly errorCode: number | null,
    readonly description: string,
    /** Seconds to wait, from parameters.retry_after of a 429. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(`Telegram ${method}: ${errorCode ?? "no answer"} ${description}`);
    this.name = "BotApiError";
  }

  /** Worth trying again later: flood control, Telegram's own failures, or no answer at all. */
  get transient(): boolean {
    return this.errorCode === null || this.errorCode === 429 || this.errorCode >= 500;
  }
}

export interface BotApiOptions {
  token: string;
  /** https://api.telegram.org, or a fake server in tests. */
  apiUrl: string;
  timeoutMs?: number;
}

interface TelegramAnswer {
  ok?: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

export function createBotApi(options: BotApiOptions): BotApi {
  const base = `${options.apiUrl.replace(/\/$/, "")}/bot${options.token}`;
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function call(method: string, body: FormData | Record<string, unknown>): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${base}/${method}`, {
        method: "POST",
        ...(body instanceof FormData ? { body } : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new BotApiError(method, null, error instanceof Error ? error.message : String(error));
    }
    let answer: TelegramAnswer;
    try {
      answer = (await response.json()) as TelegramAnswer;
    } catch {
      throw new BotApiError(method, response.status, `HTTP ${response.status} without a JSON answer`);
    }
    if (answer.ok === true) return answer.result;
    const retryAfter = answer.parameters?.retry_after;
    throw new BotApiError(method, answer.error_code ?? response.status, answer.description ?? `HTTP ${response.status}`, typeof retryAfter === "number" ? retryAfter : null);
  }

  function photoForm(chatId: number | string, photos: PhotoUpload[]): { form: FormData; media: Record<string, unknown>[] } {
    const form = new FormData();
    form.append("chat_id", String(chatId));
    const media = photos.map((photo, index) => {
      const name = `photo${index}`;
      form.append(name, new Blob([new Uint8Array(photo.bytes)], { type: photo.contentType }), photo.filename);
      return { type: "photo", media: `attach://${name}`, ...(photo.caption ? { caption: photo.caption } : {}) };
    });
    return { form, media };
  }

  return {
    sendMessage: (params) => call("sendMessage", { ...params }),
    sendMediaGroup(chatId, photos) {
      if (photos.length < 2 || photos.length > 10) throw new RangeError(`sendMediaGroup takes 2–10 photos, got ${photos.length}`);
      const { form, media } = photoForm(chatId, photos);
      form.append("media", JSON.stringify(media));
      return call("sendMediaGroup", form);
    },
    sendPhoto(chatId, photo) {
      const form = new FormData();
      form.append("chat_id", String(chatId));
      form.append("photo", new Blob([new Uint8Array(photo.bytes)], { type: photo.contentType }), photo.filename);
      if (photo.caption) form.append("caption", photo.caption);
      return call("sendPhoto", form);
    },
    answerCallbackQuery: (params) => call("answerCallbackQuery", { ...params }),
    setWebhook: (params) => call("setWebhook", { ...params }),
    async createInvoiceLink(params) {
      const link = await call("createInvoiceLink", { ...params });
      if (typeof link !== "string") throw new BotApiError("createInvoiceLink", null, "the answer carried no invoice link");
      return link;
    },
    answerPreCheckoutQuery: (params) => call("answerPreCheckoutQuery", { ...params }),
    refundStarPayment: (params) => call("refundStarPayment", { ...params }),
  };
}
