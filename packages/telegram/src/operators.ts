/**
 * What the operators' console does with Telegram deliveries: list those that failed (with the
 * reason) or wait, and send a failed one again. Who may, and the audit log, are the caller's.
 */
import { DomainError } from "@pinglass/core";
import { avatars, type DbOrTx, generationJobs, isRowId, telegramDeliveries, type Tx } from "@pinglass/db";
import { and, desc, eq, sql } from "drizzle-orm";

export interface DeliveryRow {
  jobId: number;
  avatarId: number | null;
  userId: number | null;
  chatId: string;
  status: "pending" | "sent" | "failed";
  sentPhotos: number;
  attempts: number;
  /** Telegram's answer or our reason, for a failed one (a blocked bot, a chat no longer the owner's…). */
  errorMessage: string | null;
  availableAt: Date;
  updatedAt: Date;
}

const selection = {
  delivery: telegramDeliveries,
  avatarId: generationJobs.avatarId,
  userId: avatars.userId,
};

const rowOf = ({ delivery: d, avatarId, userId }: { delivery: typeof telegramDeliveries.$inferSelect; avatarId: number | null; userId: number | null }): DeliveryRow => ({
  jobId: d.jobId,
  avatarId,
  userId,
  chatId: String(d.chatId),
  status: d.status,
  sentPhotos: d.sentPhotos,
  attempts: d.attempts,
  errorMessage: d.errorMessage,
  availableAt: d.availableAt,
  updatedAt: d.updatedAt,
});

/** Deliveries in one state, latest change first. */
export async function listDeliveries(db: DbOrTx, status: "failed" | "pending", limit = 50): Promise<DeliveryRow[]> {
  const rows = await db
    .select(selection)
    .from(telegramDeliveries)
    .leftJoin(generationJobs, eq(generationJobs.id, telegramDeliveries.jobId))
    .leftJoin(avatars, eq(avatars.id, generationJobs.avatarId))
    .where(eq(telegramDeliveries.status, status))
    .orderBy(desc(telegramDeliveries.updatedAt), desc(telegramDeliveries.jobId))
    .limit(limit);
  return rows.map(rowOf);
}

export interface DeliveryState {
  status: DeliveryRow["status"];
  sentPhotos: number;
  attempts: number;
  errorMessage: string | null;
}

const stateOf = (d: typeof telegramDeliveries.$inferSelect): DeliveryState => ({ status: d.status, sentPhotos: d.sentPhotos, attempts: d.attempts, errorMessage: d.errorMessage });

/**
 * Sends a failed delivery again, inside the caller's transaction: it is queued at once with fresh
 * attempts and resumes after the albums Telegram already took (sent_photos), so no photo goes
 * twice. The delivery loop still checks that the job's owner has that chat.
 */
export async function resendDelivery(tx: Tx, jobId: number, now: Date): Promise<{ before: DeliveryState; after: DeliveryState }> {
  const [delivery] = isRowId(jobId) ? await tx.select().from(telegramDeliveries).where(eq(telegramDeliveries.jobId, jobId)).for("update") : [];
  if (!delivery) throw new DomainError("NOT_FOUND", "errors.admin.deliveryNotFound");
  if (delivery.status !== "failed") throw new DomainError("CONFLICT", "errors.admin.delivery.notFailed");
  const [queued] = await tx
    .update(telegramDeliveries)
    .set({ status: "pending", attempts: 0, availableAt: now, leaseExpiresAt: null, errorMessage: null, updatedAt: now })
    .where(and(eq(telegramDeliveries.jobId, jobId), eq(telegramDeliveries.status, "failed")))
    .returning();
  return { before: stateOf(delivery), after: stateOf(queued!) };
}

/** Deliveries waiting (queued or between attempts) and failed: the overview and the /metrics gauge. */
export async function deliveryCounts(db: DbOrTx): Promise<{ pending: number; failed: number }> {
  const rows = await db
    .select({ status: telegramDeliveries.status, n: sql<number>`count(*)::int` })
    .from(telegramDeliveries)
    .where(sql`${telegramDeliveries.status} IN ('pending', 'failed')`)
    .groupBy(telegramDeliveries.status);
  const count = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
  return { pending: count("pending"), failed: count("failed") };
}
