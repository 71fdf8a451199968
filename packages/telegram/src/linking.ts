import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "@pinglass/core";
import { avatars, type Db, generatedPhotos, payments, telegramLinkCodes, type Tx, users } from "@pinglass/db";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { requireTelegram, type TelegramSettings } from "./settings.ts";
import type { MergeAccounts } from "./user-data.ts";

export const linkCodeTtlSeconds = 15 * 60;
/** The deep-link payload prefix: t.me/<bot>?start=link_<code>. */
export const linkPayloadPrefix = "link_";
/** callback_data of the merge warning's buttons: `merge_<code>` / `cancel_<code>` (a 24-character code, well within Telegram's 64 bytes). */
export const mergeCallbackPrefix = "merge_";
export const cancelCallbackPrefix = "cancel_";

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

/** How a link code ends: what the bot tells the person. */
export type LinkOutcome = "linked" | "merged" | "already" | "otherTelegram" | "expired" | "invalid" | "cancelled";

/** What a user has, as the merge warning counts it. */
export interface AccountContents {
  avatars: number;
  photos: number;
  /** Paid ones only. */
  payments: number;
}

/**
 * What `/start link_<code>` leads to. `confirmMerge`: the sender's Telegram id already belongs to
 * another user, so nothing happened yet; `moving` is what that user has and would move into the
 * code's owner (`into`) if the sender confirms with the button.
 */
export type RedeemResult = { outcome: LinkOutcome } | { outcome: "confirmMerge"; moving: AccountContents; into: AccountContents };

/** Someone linked or created a user with this Telegram id between our read and our lock: start over. */
class HolderChanged extends Error {}

const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Error && ((error as { code?: string }).code === "23505" || isUniqueViolation((error as { cause?: unknown }).cause));

const isCode = (code: string) => /^[A-Za-z0-9_-]{16,64}$/.test(code);

/**
 * A code waiting for a merge confirmation is stored under this hash instead of its own: bound to
 * the Telegram user it was shown to. Only that user's button press finds it (the id comes from
 * Telegram's update, not from the button), and the bare `/start link_<code>` no longer works for
 * anyone else.
 */
const boundHash = (code: string, telegramUserId: bigint) => hashCode(`${code}:${telegramUserId}`);

interface RedeemInput {
  code: string;
  telegramUserId: bigint;
  languageCode: string | null;
}

/**
 * `/start link_<code>` from a Telegram user. When that Telegram id belongs to nobody, the code's
 * owner gets it at once ("linked"). When it already belongs to ANOTHER user, nothing is merged
 * here: a link can be sent to someone else, and one tap must never hand their account over. The
 * code is bound to the sender (see boundHash) and the result says what would move where; only
 * `confirmLinkMerge` from the same Telegram user merges. Opening the same link again from that
 * Telegram asks again.
 */
export async function redeemLinkCode(db: Db, clock: Clock, input: RedeemInput): Promise<RedeemResult> {
  if (!isCode(input.code)) return { outcome: "invalid" };
  return withRetries(() => redeemOnce(db, clock, input, { step: "start" }));
}

/**
 * The "Merge" button (callback `merge_<code>`) pressed by `telegramUserId`, as Telegram reports
 * the presser: finds the code only if it was bound to this very Telegram user, and only while it
 * is unused and unexpired. Then the user holding the Telegram id is merged into the code's owner
 * (the account that asked for the link survives) by `mergeAccounts`, in the same transaction that
 * consumes the code. The code row is locked first, then both users in id order (as the merge does), so
 * concurrent confirmations, redemptions, merges and sign-ins cannot merge twice, link one Telegram
 * id twice or lose a row; a sign-in that creates the Telegram user in between makes us start over.
 * If the holder is gone by now, the Telegram id is simply linked.
 */
export async function confirmLinkMerge(db: Db, clock: Clock, input: RedeemInput, mergeAccounts: MergeAccounts): Promise<LinkOutcome> {
  if (!isCode(input.code)) return "invalid";
  const { outcome } = await withRetries(() => redeemOnce(db, clock, input, { step: "confirm", mergeAccounts }));
  if (outcome === "confirmMerge") throw new Error("a confirmation never asks for another one");
  return outcome;
}

/**
 * The "Cancel" button (callback `cancel_<code>`) pressed by `telegramUserId`: consumes the code
 * bound to this Telegram user, so the link is dead at once rather than live until it expires;
 * no account changes. A code bound to someone else is not found.
 */
export async function cancelLinkMerge(db: Db, clock: Clock, input: { code: string; telegramUserId: bigint }): Promise<LinkOutcome> {
  if (!isCode(input.code)) return "invalid";
  const consumed = await db
    .update(telegramLinkCodes)
    .set({ usedAt: clock.now() })
    .where(and(eq(telegramLinkCodes.codeHash, boundHash(input.code, input.telegramUserId)), isNull(telegramLinkCodes.usedAt)))
    .returning({ codeHash: telegramLinkCodes.codeHash });
  return consumed.length === 1 ? "cancelled" : "invalid";
}

async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof HolderChanged || isUniqueViolation(error)) || n >= 3) throw error;
    }
  }
}

/** Avatars, their photos, and paid payments of one user. */
async function contentsOf(tx: Tx, userId: number): Promise<AccountContents> {
  const ownAvatars = tx.select({ id: avatars.id }).from(avatars).where(eq(avatars.userId, userId));
  return {
    avatars: await tx.$count(avatars, eq(avatars.userId, userId)),
    photos: await tx.$count(generatedPhotos, inArray(generatedPhotos.avatarId, ownAvatars)),
    payments: await tx.$count(payments, and(eq(payments.userId, userId), eq(payments.status, "succeeded"))),
  };
}

async function redeemOnce(db: Db, clock: Clock, input: RedeemInput, how: { step: "start" } | { step: "confirm"; mergeAccounts: MergeAccounts }): Promise<RedeemResult> {
  return db.transaction(async (tx) => {
    const now = clock.now();
    const bound = boundHash(input.code, input.telegramUserId);
    // The bare code only opens the first step; a confirmation needs the code bound to the presser.
    const hashes = how.step === "start" ? [hashCode(input.code), bound] : [bound];
    const [code] = await tx.select().from(telegramLinkCodes).where(inArray(telegramLinkCodes.codeHash, hashes)).for("update");
    if (!code || code.usedAt) return { outcome: "invalid" };
    if (code.expiresAt.getTime() <= now.getTime()) return { outcome: "expired" };
    const consume = () => tx.update(telegramLinkCodes).set({ usedAt: now }).where(eq(telegramLinkCodes.codeHash, code.codeHash));
    const holderId = async () => (await tx.select({ id: users.id }).from(users).where(eq(users.telegramUserId, input.telegramUserId)))[0]?.id ?? null;

    const seenHolder = await holderId();
    const ids = seenHolder === null || seenHolder === code.userId ? [code.userId] : [code.userId, seenHolder];
    const locked = await tx.select().from(users).where(inArray(users.id, ids)).orderBy(users.id).for("update");
    const owner = locked.find((u) => u.id === code.userId);
    if (!owner) return { outcome: "invalid" };
    if (owner.telegramUserId === input.telegramUserId) {
      await consume();
      return { outcome: "already" };
    }
    if (owner.telegramUserId !== null) {
      await consume();
      return { outcome: "otherTelegram" };
    }
    const holder = locked.find((u) => u.id !== owner.id && u.telegramUserId === input.telegramUserId);
    if ((await holderId()) !== (holder?.id ?? null)) throw new HolderChanged();
    if (holder && how.step === "start") {
      if (code.codeHash !== bound) await tx.update(telegramLinkCodes).set({ codeHash: bound }).where(eq(telegramLinkCodes.codeHash, code.codeHash));
      return { outcome: "confirmMerge", moving: await contentsOf(tx, holder.id), into: await contentsOf(tx, owner.id) };
    }
    if (holder && how.step === "confirm") await how.mergeAccounts(tx, clock, owner.id, holder.id);
    await tx
      .update(users)
      .set({ telegramUserId: input.telegramUserId, languageCode: input.languageCode ?? holder?.languageCode ?? owner.languageCode, updatedAt: now })
      .where(eq(users.id, owner.id));
    await consume();
    return { outcome: holder ? "merged" : "linked" };
  });
}
