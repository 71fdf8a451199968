import { newDeviceId, type User } from "@pinglass/accounts";
import type { Clock } from "@pinglass/core";
import { type Db, type DbOrTx, users } from "@pinglass/db";
import { sql } from "drizzle-orm";
import { type LoginWidgetPayload, type TelegramIdentity, verifyInitData, verifyLoginWidget } from "./auth.ts";
import { requireTelegram, type TelegramSettings } from "./settings.ts";

/**
 * Finds or creates the user of a VERIFIED Telegram identity (never a bare id from a request) and
 * keeps the language Telegram reports. One INSERT … ON CONFLICT statement, so concurrent first
 * sign-ins of one Telegram user end with exactly one row. A new user gets a fresh random device
 * id, which the spec requires and nobody else knows.
 */
export async function findOrCreateTelegramUser(db: DbOrTx, identity: TelegramIdentity): Promise<User> {
  const [user] = await db
    .insert(users)
    .values({ deviceId: newDeviceId(), telegramUserId: identity.telegramUserId, languageCode: identity.languageCode })
    .onConflictDoUpdate({
      target: users.telegramUserId,
      set: { languageCode: sql`coalesce(excluded.language_code, ${users.languageCode})` },
    })
    .returning();
  return user!;
}

/** session.telegram: the Mini App's initData, verified, to its user. */
export async function signInWithInitData(db: Db, clock: Clock, settings: TelegramSettings | null | undefined, initData: string): Promise<User> {
  const bot = requireTelegram(settings);
  const identity = verifyInitData(initData, { botToken: bot.botToken, maxAgeSeconds: bot.initDataMaxAgeSeconds, now: clock.now() });
  return findOrCreateTelegramUser(db, identity);
}

/** session.telegramLogin: the Login Widget's data, verified, to its user. */
export async function signInWithLoginWidget(
  db: Db,
  clock: Clock,
  settings: TelegramSettings | null | undefined,
  payload: LoginWidgetPayload & Record<string, string | number | undefined>,
): Promise<User> {
  const bot = requireTelegram(settings);
  const identity = verifyLoginWidget(payload, { botToken: bot.botToken, maxAgeSeconds: bot.initDataMaxAgeSeconds, now: clock.now() });
  return findOrCreateTelegramUser(db, identity);
}
