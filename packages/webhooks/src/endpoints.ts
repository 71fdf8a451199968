/** A user's webhook endpoints: add one (its secret shown once), list, delete, and what was delivered to it. */
import { DomainError } from "@pinglass/core";
import { type Db, isRowId, users, webhookDeliveries, webhookEndpoints, type WebhookEventType, type WebhookDeliveryStatus } from "@pinglass/db";
import { and, asc, desc, eq, lt } from "drizzle-orm";
import { newWebhookSecret } from "./signing.ts";
import { checkWebhookUrl, type UrlPolicy } from "./urls.ts";

export const maxEndpointsPerUser = 10;

export interface WebhookEndpointView {
  id: number;
  url: string;
  events: WebhookEventType[];
  createdAt: Date;
}

type EndpointRow = typeof webhookEndpoints.$inferSelect;
const viewOf = (row: EndpointRow): WebhookEndpointView => ({ id: row.id, url: row.url, events: row.events, createdAt: row.createdAt });

/**
 * Adds an endpoint after checking its URL (http(s); in production a host whose every address is
 * public). The signing secret is in this answer only: it is kept to sign, never shown again.
 */
export async function createEndpoint(
  db: Db,
  policy: UrlPolicy,
  userId: number,
  input: { url: string; events: readonly WebhookEventType[] },
  now: Date,
): Promise<WebhookEndpointView & { secret: string }> {
  const url = await checkWebhookUrl(input.url, policy);
  return db.transaction(async (tx) => {
    // Counted under a lock on the user, so two concurrent creations cannot pass the cap together.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
    const existing = await tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.userId, userId));
    if (existing.length >= maxEndpointsPerUser) throw new DomainError("FORBIDDEN", "errors.webhook.limit", { max: maxEndpointsPerUser });
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({ userId, url: url.href, secret: newWebhookSecret(), events: [...new Set(input.events)].sort(), createdAt: now })
      .returning();
    return { ...viewOf(row!), secret: row!.secret };
  });
}

export async function listEndpoints(db: Db, userId: number): Promise<WebhookEndpointView[]> {
  const rows = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.userId, userId)).orderBy(asc(webhookEndpoints.id));
  return rows.map(viewOf);
}

/** Someone else's endpoint is reported exactly like one that does not exist. */
async function requireOwnedEndpoint(db: Db, userId: number, endpointId: number): Promise<EndpointRow> {
  const [row] = isRowId(endpointId)
    ? await db
        .select()
        .from(webhookEndpoints)
        .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.userId, userId)))
    : [];
  if (!row) throw new DomainError("NOT_FOUND", "errors.webhook.notFound");
  return row;
}

/** Deletes the endpoint and its deliveries, sent or not (an attempt in flight finds its row gone). */
export async function deleteEndpoint(db: Db, userId: number, endpointId: number): Promise<{ deleted: true }> {
  await requireOwnedEndpoint(db, userId, endpointId);
  await db.delete(webhookEndpoints).where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.userId, userId)));
  return { deleted: true };
}

export interface WebhookDeliveryView {
  id: number;
  /** The webhook-id header of every attempt. */
  messageId: string;
  eventType: WebhookEventType;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastAttemptAt: Date | null;
  /** The receiver's HTTP status of the last attempt; null when it did not answer. */
  lastStatusCode: number | null;
  lastError: string | null;
  /** When it is tried next (pending only). */
  nextAttemptAt: Date | null;
  createdAt: Date;
}

/** The endpoint's latest deliveries, newest first, each with the outcome of its last attempt; pass `nextCursor` back for older ones. */
export async function listDeliveries(
  db: Db,
  userId: number,
  endpointId: number,
  page: { cursor?: number; limit: number },
): Promise<{ items: WebhookDeliveryView[]; nextCursor: number | null }> {
  await requireOwnedEndpoint(db, userId, endpointId);
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.endpointId, endpointId), page.cursor === undefined ? undefined : lt(webhookDeliveries.id, page.cursor)))
    .orderBy(desc(webhookDeliveries.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit).map((row) => ({
    id: row.id,
    messageId: row.messageId,
    eventType: row.eventType,
    status: row.status,
    attempts: row.attempts,
    lastAttemptAt: row.lastAttemptAt,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    nextAttemptAt: row.status === "pending" ? row.availableAt : null,
    createdAt: row.createdAt,
  }));
  return { items, nextCursor: rows.length > page.limit ? items.at(-1)!.id : null };
}
