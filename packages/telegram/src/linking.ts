import { createHash, randomBytes } from "node:crypto";
import { mergeUsersWithin } from "@pinglass/accounts";
import type { Clock } from "@pinglass/core";
import { type Db, telegramLinkCodes, users } from "@pinglass/db";
import { eq, inArray } from "drizzle-orm";
import { requireTelegram, type TelegramSettings } from "./settings.ts";

export const linkCodeTtlSeconds = 15 * 60;
/** The deep-link payload prefix: t.me/<bot>?start=link_<code>. */
export const linkPayloadPrefix = "link_";

const hashCode = (code: string) => createHash("sha256").update(code).digest("hex");

/**
 * A one-time code that links the signed-in user to the Telegram account that sends it to the bot.
 * Only its SHA-256 is stored; the code itself exists in the link the user opens.
 */
export async function createLinkCode(db: Db, clock: Clock, settings: TelegramSettings | null | undefined, userId: number) {
  const { botUsername } = requireTelegram(settings);
  // 18 random bytes → 24 base64url characters: within the [A-Za-z0-9_-]{1,64} a start payload allows.
  const code = randomBytes(18).toString("base64url");
  const expiresAt = new Date(clock.now().getTime() + linkCodeTtlSeconds * 1000);
  await db.insert(telegramLinkCodes).values({ codeHash: hashCode(code), userId, expiresAt, createdAt: clock.now() });
  return { code, link: `https://t.me/${botUsername}?start=${linkPayloadPrefix}${code}`, expiresAt };
}

export type LinkOutcome = "linked" | "merged" | "already" | "otherTelegram" | "expired" | "invalid";

/** Someone linked or created a user with this Telegram id between our read and our lock: start over. */
class HolderChanged extends Error {}

const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Error && ((error as { code?: string }).code === "23505" || isUniqueViolation((error as { cause?: unknown }).cause));

/**
 * `/start link_<code>` from a Telegram user: gives the code's owner that Telegram id. When the id
 * already belongs to another user, that user is merged into the code's owner (the account that
 * asked for the link survives) in the same transaction that consumes the code. The code row is
 * locked first, then both users in id order (as mergeUsersWithin does), so concurrent
 * redemptions, merges and sign-ins cannot link one Telegram id twice or lose a row; a sign-in
 * that creates the Telegram user in between makes us start over and merge it.
 */
export async function redeemLinkCode(db: Db, clock: Clock, input: { code: string; telegramUserId: bigint; languageCode: string | null }): Promise<LinkOutcome> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(input.code)) return "invalid";
  for (let attempt = 1; ; attempt++) {
    try {
      return await redeemOnce(db, clock, input);
    } catch (error) {
      if (!(error instanceof HolderChanged || isUniqueViolation(error)) || attempt >= 3) throw error;
    }
  }
}

async function redeemOnce(db: Db, clock: Clock, input: { code: string; telegramUserId: bigint; languageCode: string | null }): Promise<LinkOutcome> {
  return db.transaction(async (tx) => {
    const now = clock.now();
    const [code] = await tx.select().from(telegramLinkCodes).where(eq(telegramLinkCodes.codeHash, hashCode(input.code))).for("update");
    if (!code || code.usedAt) return "invalid";
    if (code.expiresAt.getTime() <= now.getTime()) return "expired";
    const consume = () => tx.update(telegramLinkCodes).set({ usedAt: now }).where(eq(telegramLinkCodes.codeHash, code.codeHash));
    const holderId = async () => (await tx.select({ id: users.id }).from(users).where(eq(users.telegramUserId, input.telegramUserId)))[0]?.id ?? null;

    const seenHolder = await holderId();
    const ids = seenHolder === null || seenHolder === code.userId ? [code.userId] : [code.userId, seenHolder];
    const locked = await tx.select().from(users).where(inArray(users.id, ids)).orderBy(users.id).for("update");
    const owner = locked.find((u) => u.id === code.userId);
    if (!owner) return "invalid";
    if (owner.telegramUserId === input.telegramUserId) {
      await consume();
      return "already";
    }
    if (owner.telegramUserId !== null) {
      await consume();
      return "otherTelegram";
    }
    const holder = locked.find((u) => u.id !== owner.id && u.telegramUserId === input.telegramUserId);
    if ((await holderId()) !== (holder?.id ?? null)) throw new HolderChanged();
    if (holder) await mergeUsersWithin(tx, clock, owner.id, holder.id);
    await tx
      .update(users)
      .set({ telegramUserId: input.telegramUserId, languageCode: input.languageCode ?? holder?.languageCode ?? owner.languageCode, updatedAt: now })
      .where(eq(users.id, owner.id));
    await consume();
    return holder ? "merged" : "linked";
  });
}
