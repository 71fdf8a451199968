import { DomainError } from "@pinglass/core";

/** The bot this server is: from TELEGRAM_* configuration. Absent, every Telegram feature refuses. */
export interface TelegramSettings {
  botToken: string;
  botUsername: string;
  /** How old initData and Login Widget data may be (TELEGRAM_INIT_DATA_MAX_AGE_SECONDS). */
  initDataMaxAgeSeconds: number;
}

export function requireTelegram(settings: TelegramSettings | null | undefined): TelegramSettings {
  if (!settings?.botToken) throw new DomainError("PRECONDITION_FAILED", "errors.telegram.notConfigured");
  return settings;
}
