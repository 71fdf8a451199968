import { type Clock, DomainError } from "@pinglass/core";
import { avatars, type Db, type Tx, users } from "@pinglass/db";
import { eq, inArray } from "drizzle-orm";
import { deleteAvatarsWithin } from "./avatars.ts";

/**
 * What one domain keeps of a user, and how it lets go of it. Each domain package (payments,
 * generation, media, telegram) exports one for its own tables; accounts deletes and merges users
 * and avatars through them without knowing any domain, and packages/api lists them
 * (account-data.ts). A domain that adds a table pointing at a user or an avatar changes only its
 * own owner: a test compares every foreign key to users and to avatars with these lists.
 */
export interface UserDataOwner {
  /** Its columns that point at users.id ("table.column"). */
  userColumns: readonly string[];
  /** Its columns that point at avatars.id ("table.column"). */
  avatarColumns: readonly string[];
  /** Why the user's data cannot be deleted right now (something is still being written or paid), or null. */
  blockersForDeletion?(tx: Tx, userId: number, now: Date): Promise<DomainError | null>;
  /** Why these avatars' data cannot be deleted right now, or null. */
  blockersForAvatarDeletion?(tx: Tx, avatarIds: number[]): Promise<DomainError | null>;
  /** Deletes its rows made from these avatars (directly or through their jobs); returns the storage keys of their files. */
  deleteAvatarData?(tx: Tx, avatarIds: number[]): Promise<string[]>;
  /** Deletes its rows that belong to the user directly (not through an avatar); returns the storage keys of their files. */
  deleteUserData?(tx: Tx, userId: number): Promise<string[]>;
  /** Re-points its rows of one user to another (a merge). */
  reassignUserData?(tx: Tx, fromUserId: number, toUserId: number): Promise<void>;
}

/**
 * Owners are asked in the order given: rows that point at another owner's rows must go first
 * (Telegram deliveries and refunds point at generation's jobs, photos at jobs too).
 */
export type UserDataOwners = readonly UserDataOwner[];

/** The columns of accounts' own tables that point at users: avatars are accounts' (users and ownership). */
export const accountsUserColumns = ["avatars.user_id"] as const;

/**
 * Moves everything of `absorbedId` to `survivorId` and removes the absorbed user row, inside the
 * caller's transaction. Both user rows are locked in id order first, so two merges (or a merge
 * and a deletion) touching the same users wait for each other instead of deadlocking. Returns
 * the absorbed user as it was, or null when it no longer exists.
 */
export async function mergeUsersWithin(tx: Tx, clock: Clock, survivorId: number, absorbedId: number, owners: UserDataOwners) {
  if (survivorId === absorbedId) throw new Error("a user cannot be merged into itself");
  const locked = await tx.select().from(users).where(inArray(users.id, [survivorId, absorbedId])).orderBy(users.id).for("update");
  const absorbed = locked.find((u) => u.id === absorbedId);
  if (!locked.some((u) => u.id === survivorId)) throw new DomainError("UNAUTHORIZED", "errors.unauthorized");
  if (!absorbed) return null;
  await tx.update(avatars).set({ userId: survivorId }).where(eq(avatars.userId, absorbedId));
  for (const owner of owners) await owner.reassignUserData?.(tx, absorbedId, survivorId);
  await tx.delete(users).where(eq(users.id, absorbedId));
  await tx
    .update(users)
    .set({ updatedAt: clock.now(), ...(absorbed.languageCode ? { languageCode: absorbed.languageCode } : {}) })
    .where(eq(users.id, survivorId));
  return absorbed;
}

/**
 * "Delete all my data": every row of the user in one transaction, then the caller removes the
 * returned storage keys. Refused (before anything is deleted) when an owner says it must wait:
 * a photoset is generating, a payment could still be completed at the bank, a refund is on its way.
 * `alsoIn` runs in the same transaction before the rows go (an operator's deletion is audited there).
 */
export async function deleteAccountRows(db: Db, clock: Clock, userId: number, owners: UserDataOwners, alsoIn?: (tx: Tx) => Promise<void>): Promise<{ fileRefs: string[] }> {
  return db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
    if (!user) throw new DomainError("UNAUTHORIZED", "errors.unauthorized");
    const owned = await tx.select({ id: avatars.id, status: avatars.status }).from(avatars).where(eq(avatars.userId, userId)).for("update");
    if (owned.some((a) => a.status === "processing")) throw new DomainError("CONFLICT", "errors.account.busy");
    for (const owner of owners) {
      const blocker = await owner.blockersForDeletion?.(tx, userId, clock.now());
      if (blocker) throw blocker;
    }
    await alsoIn?.(tx);
    const fileRefs = await deleteAvatarsWithin(tx, owned.map((a) => a.id), owners);
    for (const owner of owners) fileRefs.push(...((await owner.deleteUserData?.(tx, userId)) ?? []));
    await tx.delete(users).where(eq(users.id, userId));
    return { fileRefs };
  });
}
