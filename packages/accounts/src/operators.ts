/** Users as the operators' console finds them: by id or by Telegram id, with what they have. */
import { type DbOrTx, isRowId, users } from "@pinglass/db";
import { desc, inArray, or, sql } from "drizzle-orm";

export interface UserRow {
  id: number;
  telegramUserId: string | null;
  languageCode: string | null;
  createdAt: Date | null;
  avatars: number;
  photos: number;
  payments: number;
  paidPayments: number;
}

const counts = {
  avatars: sql<number>`(SELECT count(*)::int FROM avatars a WHERE a.user_id = "users"."id")`,
  photos: sql<number>`(SELECT count(*)::int FROM generated_photos gp JOIN avatars a ON a.id = gp.avatar_id WHERE a.user_id = "users"."id")`,
  payments: sql<number>`(SELECT count(*)::int FROM payments p WHERE p.user_id = "users"."id")`,
  paidPayments: sql<number>`(SELECT count(*)::int FROM payments p WHERE p.user_id = "users"."id" AND p.status IN ('succeeded', 'refunded'))`,
};

/** The users with these ids or Telegram ids, newest first. */
export async function findUsers(db: DbOrTx, match: { ids?: readonly number[]; telegramUserIds?: readonly bigint[] }): Promise<UserRow[]> {
  const ids = (match.ids ?? []).filter(isRowId);
  const telegramUserIds = match.telegramUserIds ?? [];
  if (ids.length === 0 && telegramUserIds.length === 0) return [];
  const conditions = [...(ids.length ? [inArray(users.id, [...ids])] : []), ...(telegramUserIds.length ? [inArray(users.telegramUserId, [...telegramUserIds])] : [])];
  const rows = await db
    .select({ user: users, ...counts })
    .from(users)
    .where(or(...conditions))
    .orderBy(desc(users.id))
    .limit(50);
  return rows.map(({ user, ...n }) => ({
    id: user.id,
    telegramUserId: user.telegramUserId === null ? null : String(user.telegramUserId),
    languageCode: user.languageCode,
    createdAt: user.createdAt,
    avatars: Number(n.avatars),
    photos: Number(n.photos),
    payments: Number(n.payments),
    paidPayments: Number(n.paidPayments),
  }));
}
