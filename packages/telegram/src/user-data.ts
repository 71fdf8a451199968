import type { Clock } from "@pinglass/core";
import { generationJobs, telegramDeliveries, telegramLinkCodes, type Tx } from "@pinglass/db";
import { eq, inArray } from "drizzle-orm";

/**
 * Telegram's part of a user's data (a UserDataOwner of @pinglass/accounts): link codes, and the
 * deliveries of the photosets made from the user's avatars.
 */
export const telegramUserData = {
  userColumns: ["telegram_link_codes.user_id"],
  avatarColumns: [],

  async deleteAvatarData(tx: Tx, avatarIds: number[]): Promise<string[]> {
    const jobs = tx.select({ id: generationJobs.id }).from(generationJobs).where(inArray(generationJobs.avatarId, avatarIds));
    await tx.delete(telegramDeliveries).where(inArray(telegramDeliveries.jobId, jobs));
    return [];
  },

  async deleteUserData(tx: Tx, userId: number): Promise<string[]> {
    await tx.delete(telegramLinkCodes).where(eq(telegramLinkCodes.userId, userId));
    return [];
  },

  async reassignUserData(tx: Tx, fromUserId: number, toUserId: number): Promise<void> {
    await tx.update(telegramLinkCodes).set({ userId: toUserId }).where(eq(telegramLinkCodes.userId, fromUserId));
  },
};

/**
 * Makes two accounts one inside the caller's transaction: everything of `absorbedId` moves to
 * `survivorId`, whose row stays. Linking needs it but cannot do it alone (every domain keeps part
 * of a user), so the app passes in its composition (packages/api, account-data.ts).
 */
export type MergeAccounts = (tx: Tx, clock: Clock, survivorId: number, absorbedId: number) => Promise<unknown>;
