/**
 * The operators' audit log (audit_log): who changed what, when, and the state before and after.
 * Entries are only ever added, each inside the transaction of the change it records; the table
 * refuses UPDATE and DELETE (a trigger), and nothing here offers either.
 */
import { auditLog, type AuditAction, type AuditTarget, type DbOrTx } from "@pinglass/db";
import { desc, lt } from "drizzle-orm";

/** Who an operator's change is written down as. */
export interface AuditActor {
  userId: number;
  /** Their Telegram id (what ADMIN_TELEGRAM_IDS named). */
  telegramId: bigint;
  /** The admin API key the call came with; null for a session (the console). */
  apiKeyId: number | null;
  /** The request the change came in (x-request-id). */
  requestId: string | null;
}

export interface AuditRecord {
  action: AuditAction;
  targetType: AuditTarget;
  targetId: number;
  before: unknown;
  after: unknown;
}

/** State as JSON (bigint ids as text, dates as ISO strings). */
const asJson = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? String(v) : v))));

/** Adds one entry, with the request it came in (the actor's): call it inside the change's transaction. */
export async function recordAudit(tx: DbOrTx, actor: AuditActor, record: AuditRecord): Promise<void> {
  await tx.insert(auditLog).values({
    actorUserId: actor.userId,
    actorTelegramId: actor.telegramId,
    actorApiKeyId: actor.apiKeyId,
    action: record.action,
    targetType: record.targetType,
    targetId: record.targetId,
    before: asJson(record.before),
    after: asJson(record.after),
    requestId: actor.requestId,
  });
}

export interface AuditEntry extends AuditRecord {
  id: number;
  at: Date;
  actorUserId: number;
  actorTelegramId: string | null;
  actorApiKeyId: number | null;
  requestId: string | null;
}

/** The log, newest first, a page at a time (`cursor`: the last id seen). */
export async function listAudit(db: DbOrTx, options: { cursor?: number; limit: number }): Promise<{ items: AuditEntry[]; nextCursor: number | null }> {
  const rows = await db
    .select()
    .from(auditLog)
    .where(options.cursor === undefined ? undefined : lt(auditLog.id, options.cursor))
    .orderBy(desc(auditLog.id))
    .limit(options.limit + 1);
  const items = rows.slice(0, options.limit).map((r) => ({ ...r, actorTelegramId: r.actorTelegramId === null ? null : String(r.actorTelegramId) }));
  return { items, nextCursor: rows.length > options.limit ? items.at(-1)!.id : null };
}
