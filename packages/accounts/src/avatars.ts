import { DomainError, type Clock, defaultLocale, type Locale, translate } from "@pinglass/core";
import { avatars, type Db, generationJobs, type Tx, users } from "@pinglass/db";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { UserDataOwners } from "./account.ts";
import { type Avatar, requireOwnedAvatar } from "./ownership.ts";

export const avatarNameMaxLength = 60;
/** The column's default, and the name of an avatar stored without one. */
export const defaultAvatarName = translate("avatars.defaultName", "ru");
/** How many avatars one account may have unless configured otherwise (MAX_AVATARS_PER_USER). */
export const defaultMaxAvatarsPerUser = 50;

export interface JobSummary {
  id: number;
  styleId: string | null;
  status: "processing" | "completed" | "failed" | null;
  totalPhotos: number;
  completedPhotos: number;
  errorMessage: string | null;
  createdAt: Date | null;
}

export interface AvatarSummary {
  id: number;
  name: string;
  status: "draft" | "processing" | "ready";
  /** The avatar's picture (a storage key until media signs it): its own, else its first selfie's thumbnail. */
  thumbnailUrl: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  photoCount: number;
  /** Its selfies, so a draft can say what it has and what it lacks. */
  selfieCount: number;
  latestJob: JobSummary | null;
}

const jobSummary = (job: typeof generationJobs.$inferSelect): JobSummary => ({
  id: job.id,
  styleId: job.styleId,
  status: job.status ?? null,
  totalPhotos: job.totalPhotos ?? 0,
  completedPhotos: job.completedPhotos ?? 0,
  errorMessage: job.errorMessage,
  createdAt: job.createdAt,
});

interface Counts {
  photoCount: number;
  selfieCount: number;
  firstSelfieThumbnail: string | null;
}

const summary = (avatar: Avatar, counts: Counts, latestJob: JobSummary | null): AvatarSummary => ({
  id: avatar.id,
  name: avatar.name ?? defaultAvatarName,
  status: avatar.status ?? "draft",
  thumbnailUrl: avatar.thumbnailUrl ?? counts.firstSelfieThumbnail,
  createdAt: avatar.createdAt,
  updatedAt: avatar.updatedAt,
  photoCount: counts.photoCount,
  selfieCount: counts.selfieCount,
  latestJob,
});

/** An avatar's photo and selfie counts and its first selfie's thumbnail, as subqueries of a select from avatars. */
const countsOfAvatar = {
  // Spelled out: drizzle leaves columns unqualified here, and a bare "id" would bind to the photo.
  photoCount: sql<number>`(SELECT count(*)::int FROM generated_photos gp WHERE gp.avatar_id = "avatars"."id")`,
  selfieCount: sql<number>`(SELECT count(*)::int FROM reference_photos rp WHERE rp.avatar_id = "avatars"."id")`,
  firstSelfieThumbnail: sql<string | null>`(SELECT rp.thumbnail_key FROM reference_photos rp WHERE rp.avatar_id = "avatars"."id" ORDER BY rp.id LIMIT 1)`,
};

const countsOf = (row: Counts): Counts => ({ photoCount: Number(row.photoCount), selfieCount: Number(row.selfieCount), firstSelfieThumbnail: row.firstSelfieThumbnail });

export interface AvatarPage {
  items: AvatarSummary[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: number | null;
}

/**
 * One page of the user's avatars, newest first, each with its photo count and latest job: two
 * queries whatever the page size. The next page starts after the cursor avatar's (created_at, id),
 * read among this user's avatars only, so no row is skipped or repeated and another user's id
 * finds an empty page.
 */
export async function listAvatars(db: Db, userId: number, options: { cursor?: number; limit: number }): Promise<AvatarPage> {
  const after =
    options.cursor === undefined
      ? undefined
      : sql`("avatars"."created_at", "avatars"."id") < ((SELECT a.created_at FROM avatars a WHERE a.id = ${options.cursor} AND a.user_id = ${userId}), ${options.cursor})`;
  const rows = await db
    .select({ avatar: avatars, ...countsOfAvatar })
    .from(avatars)
    .where(and(eq(avatars.userId, userId), after))
    .orderBy(desc(avatars.createdAt), desc(avatars.id))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  if (page.length === 0) return { items: [], nextCursor: null };
  const latest = await db
    .selectDistinctOn([generationJobs.avatarId])
    .from(generationJobs)
    .where(inArray(generationJobs.avatarId, page.map((r) => r.avatar.id)))
    .orderBy(generationJobs.avatarId, desc(generationJobs.id));
  const latestByAvatar = new Map(latest.map((job) => [job.avatarId, jobSummary(job)]));
  return {
    items: page.map((r) => summary(r.avatar, countsOf(r), latestByAvatar.get(r.avatar.id) ?? null)),
    nextCursor: rows.length > options.limit ? page.at(-1)!.avatar.id : null,
  };
}

export async function getAvatar(db: Db, userId: number, avatarId: number): Promise<AvatarSummary> {
  const avatar = await requireOwnedAvatar(db, userId, avatarId);
  const [counts] = await db.select(countsOfAvatar).from(avatars).where(eq(avatars.id, avatar.id));
  const [job] = await db.select().from(generationJobs).where(eq(generationJobs.avatarId, avatar.id)).orderBy(desc(generationJobs.id)).limit(1);
  return summary(avatar, counts ? countsOf(counts) : { photoCount: 0, selfieCount: 0, firstSelfieThumbnail: null }, job ? jobSummary(job) : null);
}

/**
 * The spec's "Create Avatar", up to maxPerUser avatars per account. The user's row is locked
 * while counting, so two creates at the cap cannot both find room. Without a name it is called
 * "My avatar" in the person's language.
 */
export async function createAvatar(db: Db, userId: number, name: string | undefined, options: { maxPerUser?: number; locale?: Locale } = {}): Promise<AvatarSummary> {
  const maxPerUser = options.maxPerUser ?? defaultMaxAvatarsPerUser;
  return db.transaction(async (tx) => {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
    const [count] = await tx.select({ n: sql<number>`count(*)::int` }).from(avatars).where(eq(avatars.userId, userId));
    if (Number(count?.n ?? 0) >= maxPerUser) throw new DomainError("CONFLICT", "errors.avatar.limit", { max: maxPerUser });
    const [avatar] = await tx
      .insert(avatars)
      .values({ userId, name: name ?? translate("avatars.defaultName", options.locale ?? defaultLocale), status: "draft" })
      .returning();
    return summary(avatar!, { photoCount: 0, selfieCount: 0, firstSelfieThumbnail: null }, null);
  });
}

export async function renameAvatar(db: Db, clock: Clock, userId: number, avatarId: number, name: string): Promise<AvatarSummary> {
  await requireOwnedAvatar(db, userId, avatarId);
  await db.update(avatars).set({ name, updatedAt: clock.now() }).where(and(eq(avatars.id, avatarId), eq(avatars.userId, userId)));
  return getAvatar(db, userId, avatarId);
}

/**
 * Deletes an avatar with everything made from it (each owner deletes its own rows), in one
 * transaction, and returns the storage references of its files so the caller can remove them
 * once the rows are gone. An avatar that is generating right now is refused: its paid photos are
 * still arriving.
 */
export async function deleteAvatarRows(db: Db, userId: number, avatarId: number, owners: UserDataOwners): Promise<{ fileRefs: string[] }> {
  return db.transaction(async (tx) => {
    const avatar = await requireOwnedAvatar(tx, userId, avatarId, { forUpdate: true });
    if (avatar.status === "processing") throw new DomainError("CONFLICT", "errors.avatar.busy");
    return { fileRefs: await deleteAvatarsWithin(tx, [avatarId], owners) };
  });
}

/**
 * Everything made from these avatars, then the avatars, inside the caller's transaction: each
 * owner deletes its rows (after all of them agreed); returns the storage keys of their files.
 * Avatar deletion and account deletion both come here.
 */
export async function deleteAvatarsWithin(tx: Tx, avatarIds: number[], owners: UserDataOwners): Promise<string[]> {
  if (avatarIds.length === 0) return [];
  for (const owner of owners) {
    const blocker = await owner.blockersForAvatarDeletion?.(tx, avatarIds);
    if (blocker) throw blocker;
  }
  const fileRefs: string[] = [];
  for (const owner of owners) fileRefs.push(...((await owner.deleteAvatarData?.(tx, avatarIds)) ?? []));
  await tx.delete(avatars).where(inArray(avatars.id, avatarIds));
  return fileRefs;
}
