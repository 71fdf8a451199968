/**
 * The operators' console (issue #15): the audit log of every change an operator made, and the
 * log of image-provider calls its overview measures latency and errors from.
 */
import { bigint, check, index, integer, jsonb, pgTable, serial, text, timestamp, varchar } from "drizzle-orm/pg-core";
import { inList } from "./check-in.ts";

/** What an operator can change; each is one row of the audit log. */
export const auditActions = ["payment.refund", "payment.recheck", "job.retry", "job.cancel", "delivery.resend", "user.delete", "apiKey.createAdmin"] as const;
export type AuditAction = (typeof auditActions)[number];

export const auditTargets = ["payment", "job", "delivery", "user", "apiKey"] as const;
export type AuditTarget = (typeof auditTargets)[number];

/**
 * Who changed what, when, and the state before and after, written in the transaction of the
 * change. Append-only: a trigger (migration 0011_operators) refuses UPDATE and DELETE, and no
 * code path offers either. No foreign keys: an entry outlives the operator's account and the
 * user it was about (deleted on request: the entry keeps counts, not their personal data).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: serial("id").primaryKey(),
    at: timestamp("at").defaultNow().notNull(),
    actorUserId: integer("actor_user_id").notNull(),
    /** The operator's Telegram id at the time (what ADMIN_TELEGRAM_IDS named). */
    actorTelegramId: bigint("actor_telegram_id", { mode: "bigint" }),
    /** The admin API key the change was made with; null for the console (a session). */
    actorApiKeyId: integer("actor_api_key_id"),
    action: varchar("action", { length: 40 }).$type<AuditAction>().notNull(),
    targetType: varchar("target_type", { length: 20 }).$type<AuditTarget>().notNull(),
    targetId: integer("target_id").notNull(),
    before: jsonb("before"),
    after: jsonb("after"),
    /** The request that made the change (x-request-id), to find its log lines. */
    requestId: varchar("request_id", { length: 64 }),
  },
  (t) => [index("idx_audit_log_at").on(t.at), index("idx_audit_log_target").on(t.targetType, t.targetId)],
);

export const providerCallOperations = ["submit", "check"] as const;
export type ProviderCallOperation = (typeof providerCallOperations)[number];

/** `failed`: the provider answered that the render failed; `error`: the call itself failed (HTTP error, timeout). */
export const providerCallOutcomes = ["ok", "failed", "error"] as const;
export type ProviderCallOutcome = (typeof providerCallOutcomes)[number];

/**
 * One call to an image provider, written by every worker process as it is made, so the console
 * sees latency and errors across all of them. Kept for a week.
 */
export const providerCalls = pgTable(
  "provider_calls",
  {
    id: serial("id").primaryKey(),
    provider: varchar("provider", { length: 20 }).notNull(),
    operation: varchar("operation", { length: 10 }).$type<ProviderCallOperation>().notNull(),
    outcome: varchar("outcome", { length: 10 }).$type<ProviderCallOutcome>().notNull(),
    durationMs: integer("duration_ms").notNull(),
    /** When the call ended. */
    at: timestamp("at").notNull(),
    error: text("error"),
  },
  (t) => [
    index("idx_provider_calls_at").on(t.at),
    check("provider_calls_operation_check", inList("operation", providerCallOperations)),
    check("provider_calls_outcome_check", inList("outcome", providerCallOutcomes)),
  ],
);
