import { newDeviceId, type User } from "@pinglass/accounts";
import { type DbOrTx, users } from "@pinglass/db";
import { sql } from "drizzle-orm";
import type { TelegramIdentity } from "./auth.ts";

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
