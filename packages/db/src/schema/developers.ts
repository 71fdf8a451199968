/**
 * The developers' door (issue #14): API keys, webhook endpoints with their delivery queue, and
 * the idempotency keys of mutations. Every row belongs to a user and goes with it (ON DELETE
 * CASCADE): a deleted account's keys stop working in the same transaction.
 */
import { check, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, unique, varchar } from "drizzle-orm/pg-core";
import { inList } from "./check-in.ts";
import { users } from "./spec.ts";

/** What an API key may do; `admin` is reserved for the operators' console (issue #15). */
export const apiKeyScopes = ["read", "create", "generate", "pay", "admin"] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

/** A secret API key (`pg_live_…`): only its SHA-256 is stored, and a short prefix to recognise it by. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: varchar("name", { length: 100 }).notNull(),
    /** The first characters of the secret (`pg_live_` and four more), shown in lists. */
    prefix: varchar("prefix", { length: 20 }).notNull(),
    secretHash: varchar("secret_hash", { length: 64 }).notNull().unique("api_keys_secret_hash_key"),
    scopes: text("scopes").array().$type<ApiKeyScope[]>().notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    /** Updated at most once a minute, so a busy key does not write on every call. */
    lastUsedAt: timestamp("last_used_at"),
    revokedAt: timestamp("revoked_at"),
  },
  (t) => [index("idx_api_keys_user_id").on(t.userId)],
);

export const webhookEventTypes = ["job.completed", "job.failed", "payment.succeeded", "payment.refunded", "photo.created"] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** Where a user's events go, signed with `secret` (Standard Webhooks, `whsec_…`). */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    secret: varchar("secret", { length: 64 }).notNull(),
    events: text("events").array().$type<WebhookEventType[]>().notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (t) => [index("idx_webhook_endpoints_user_id").on(t.userId)],
);

export const webhookDeliveryStatuses = ["pending", "delivered", "failed"] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

/**
 * One event for one endpoint, and the queue that delivers it (the leased-row helper of
 * queue.ts): `message_id` is the stable webhook-id of every attempt; rows of one endpoint with
 * the same `order_key` (a job, a payment) go out one after another, in id order.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: serial("id").primaryKey(),
    endpointId: integer("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    messageId: varchar("message_id", { length: 40 }).notNull(),
    eventType: varchar("event_type", { length: 40 }).$type<WebhookEventType>().notNull(),
    orderKey: varchar("order_key", { length: 40 }).notNull(),
    /** The exact body sent (and signed) on every attempt. */
    payload: text("payload").notNull(),
    status: varchar("status", { length: 20 }).$type<WebhookDeliveryStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    availableAt: timestamp("available_at").defaultNow().notNull(),
    leaseExpiresAt: timestamp("lease_expires_at"),
    claimToken: varchar("claim_token", { length: 36 }),
    lastAttemptAt: timestamp("last_attempt_at"),
    /** The receiver's HTTP status of the last attempt; null when it never answered (refused, timed out). */
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (t) => [
    unique("webhook_deliveries_endpoint_message_key").on(t.endpointId, t.messageId),
    index("idx_webhook_deliveries_claim").on(t.status, t.availableAt),
    index("idx_webhook_deliveries_order").on(t.endpointId, t.orderKey, t.id),
    check("webhook_deliveries_status_check", inList("status", webhookDeliveryStatuses)),
  ],
);

/**
 * The first answer of a mutation sent with an idempotency key, per user and key: the same key
 * within 24 hours gets it again (`response` is null while the first request is still running).
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: varchar("key", { length: 255 }).notNull(),
    /** SHA-256 of the procedure and its input: the same key with another request is refused. */
    requestHash: varchar("request_hash", { length: 64 }).notNull(),
    response: jsonb("response"),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [primaryKey({ name: "idempotency_keys_pkey", columns: [t.userId, t.key] }), index("idx_idempotency_keys_created_at").on(t.createdAt)],
);
