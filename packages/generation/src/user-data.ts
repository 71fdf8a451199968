import { DomainError } from "@pinglass/core";
import { avatars, generationJobs, generationSlots, type Tx } from "@pinglass/db";
import { and, eq, inArray } from "drizzle-orm";

/**
 * Generation's part of a user's data (a UserDataOwner of @pinglass/accounts): the photosets' jobs
 * and their slots, made from the user's avatars. The photos themselves are media's.
 */
export const generationUserData = {
  userColumns: [],
  avatarColumns: ["generation_jobs.avatar_id"],

  /** A photoset that is generating: its paid photos are still being written. */
  async blockersForDeletion(tx: Tx, userId: number): Promise<DomainError | null> {
    const [running] = await tx
      .select({ id: generationJobs.id })
      .from(generationJobs)
      .innerJoin(avatars, eq(avatars.id, generationJobs.avatarId))
      .where(and(eq(avatars.userId, userId), eq(generationJobs.status, "processing")))
      .limit(1);
    return running ? new DomainError("CONFLICT", "errors.account.busy") : null;
  },

  async deleteAvatarData(tx: Tx, avatarIds: number[]): Promise<string[]> {
    const jobs = tx.select({ id: generationJobs.id }).from(generationJobs).where(inArray(generationJobs.avatarId, avatarIds));
    await tx.delete(generationSlots).where(inArray(generationSlots.jobId, jobs));
    await tx.delete(generationJobs).where(inArray(generationJobs.avatarId, avatarIds));
    return [];
  },
};
