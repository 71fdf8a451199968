import { DomainError } from "@pinglass/core";
import { avatars, type DbOrTx, generatedPhotos, generationJobs, isRowId, preparedPerDb, users } from "@pinglass/db";
import { and, eq, sql } from "drizzle-orm";

export type Avatar = typeof avatars.$inferSelect;
export type Job = typeof generationJobs.$inferSelect;

const liveUser = preparedPerDb((db) =>
  db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.id, sql.placeholder("userId")))
    .prepare("live_user"),
);

/**
 * A session token stays valid after its user is gone (the account deleted, or merged into another):
 * every signed-in call checks that the user still exists, by primary key, and is refused like an
 * expired session otherwise.
 */
export async function requireLiveUser(db: DbOrTx, userId: number): Promise<void> {
  const [user] = await liveUser(db).execute({ userId });
  if (!user) throw new DomainError("UNAUTHORIZED", "errors.unauthorized");
}

/**
 * The one ownership check. Every id a client sends goes through here: someone else's avatar
 * is reported exactly like one that does not exist, and so is a number no row id can be. Pass `forUpdate` inside a transaction to lock it.
 */
export async function requireOwnedAvatar(db: DbOrTx, userId: number, avatarId: number, options: { forUpdate?: boolean } = {}): Promise<Avatar> {
  if (!isRowId(avatarId)) throw new DomainError("NOT_FOUND", "errors.avatar.notFound");
  const query = db.select().from(avatars).where(and(eq(avatars.id, avatarId), eq(avatars.userId, userId)));
  const [avatar] = options.forUpdate ? await query.for("update") : await query;
  if (!avatar) throw new DomainError("NOT_FOUND", "errors.avatar.notFound");
  return avatar;
}

/** A job is owned through its avatar. */
export async function requireOwnedJob(db: DbOrTx, userId: number, jobId: number): Promise<Job> {
  if (!isRowId(jobId)) throw new DomainError("NOT_FOUND", "errors.job.notFound");
  const [row] = await db
    .select({ job: generationJobs })
    .from(generationJobs)
    .innerJoin(avatars, eq(avatars.id, generationJobs.avatarId))
    .where(and(eq(generationJobs.id, jobId), eq(avatars.userId, userId)));
  if (!row) throw new DomainError("NOT_FOUND", "errors.job.notFound");
  return row.job;
}

/** A photo is owned through its avatar. */
export async function requireOwnedPhoto(db: DbOrTx, userId: number, photoId: number): Promise<typeof generatedPhotos.$inferSelect> {
  if (!isRowId(photoId)) throw new DomainError("NOT_FOUND", "errors.photo.notFound");
  const [row] = await db
    .select({ photo: generatedPhotos })
    .from(generatedPhotos)
    .innerJoin(avatars, eq(avatars.id, generatedPhotos.avatarId))
    .where(and(eq(generatedPhotos.id, photoId), eq(avatars.userId, userId)));
  if (!row) throw new DomainError("NOT_FOUND", "errors.photo.notFound");
  return row.photo;
}
