/**
 * A user's data as a whole, composed above the domains: every domain says what it keeps of a
 * user and how it lets go of it (its UserDataOwner), accounts deletes and merges users and
 * avatars through them, and this is the one place that lists them. "Delete all my data",
 * deleting an avatar and the merge that Telegram linking performs all come through here.
 */
import { type Clock } from "@pinglass/core";
import { apiKeysUserData, deleteAccountRows, idempotencyUserData, mergeUsersWithin, type UserDataOwners } from "@pinglass/accounts";
import type { Db, Tx } from "@pinglass/db";
import { generationUserData } from "@pinglass/generation";
import { deleteAvatarWithFiles, deleteStoredFiles, type Media, mediaUserData } from "@pinglass/media";
import { paymentsUserData } from "@pinglass/payments";
import { type MergeAccounts, telegramUserData } from "@pinglass/telegram";
import { webhooksUserData } from "@pinglass/webhooks";

/**
 * Every domain's part, in the order their rows are deleted: a row that points at another
 * domain's row goes first (Telegram deliveries, refunds and photos point at generation's jobs).
 * The developers' door (API keys, webhook endpoints, idempotency keys) goes with the user row.
 */
export const userDataOwners: UserDataOwners = [telegramUserData, paymentsUserData, mediaUserData, generationUserData, apiKeysUserData, webhooksUserData, idempotencyUserData];

/** Every row of the user in one transaction, then, once that is committed, their files. */
export async function deleteAccount(deps: { db: Db; clock: Clock; media: Media }, userId: number): Promise<{ deleted: true }> {
  const { fileRefs } = await deleteAccountRows(deps.db, deps.clock, userId, userDataOwners);
  await deleteStoredFiles(deps.media, fileRefs);
  return { deleted: true };
}

/** An avatar with everything made from it, then its files. */
export function deleteAvatar(deps: { db: Db; media: Media }, userId: number, avatarId: number): Promise<{ deleted: true }> {
  return deleteAvatarWithFiles(deps.db, deps.media, userId, avatarId, userDataOwners);
}

/** The merge that confirming a Telegram link performs (injected into the bot: see BotContext). */
export const mergeAccounts: MergeAccounts = (tx: Tx, clock: Clock, survivorId: number, absorbedId: number) => mergeUsersWithin(tx, clock, survivorId, absorbedId, userDataOwners);
