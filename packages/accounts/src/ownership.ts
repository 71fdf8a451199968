import { DomainError } from "@pinglass/core";
import { avatars, type DbOrTx, generationJobs } from "@pinglass/db";
import { and, eq } from "drizzle-orm";

export type Avatar = typeof avatars.$inferSelect;
export type Job = typeof generationJobs.$inferSelect;

/**
 * The one ownership check. Every id a client sends goes through here: someone else's avatar
 * is reported exactly like one that does not exist. Pass `forUpdate` inside a transaction to lock it.
 */
export async function requireOwnedAvatar(db: DbOrTx, userId: number, avatarId: number, options: { forUpdate?: boolean } = {}): Promise<Avatar> {
  const query = db.select().from(avatars).where(and(eq(avatars.id, avatarId), eq(avatars.userId, userId)));
  const [avatar] = options.forUpdate ? await query.for("update") : await query;
  if (!avatar) throw new DomainError("NOT_FOUND", "errors.avatar.notFound");
  return avatar;
}

/** A job is owned through its avatar. */
export async function requireOwnedJob(db: DbOrTx, userId: number, jobId: number): Promise<Job> {
  const [row] = await db
    .select({ job: generationJobs })
    .from(generationJobs)
    .innerJoin(avatars, eq(avatars.id, generationJobs.avatarId))
    .where(and(eq(generationJobs.id, jobId), eq(avatars.userId, userId)));
  if (!row) throw new DomainError("NOT_FOUND", "errors.job.notFound");
  return row.job;
}
