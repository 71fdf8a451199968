/**
 * Delivers queued events to their endpoints: a POST of the stored JSON with the Standard Webhooks
 * headers, signed at each attempt. At least once, with the same webhook-id every time; a 2xx
 * answer within the timeout is a delivery, anything else (another status, a redirect, no answer,
 * a refused address) an attempt that is tried again on the schedule receivers expect, for about a
 * day. The rows are the queue (the leased-row helper of @pinglass/db), so a restart loses nothing.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Clock } from "@pinglass/core";
import { backoffSchedule, claimRows, type Db, type ExpiringLease, type LeasedTable, released, retryLater, updateHeld, webhookDeliveries, webhookEndpoints } from "@pinglass/db";
import { and, asc, eq, inArray, lt, ne, sql } from "drizzle-orm";
import { signedHeaders } from "./signing.ts";
import { checkedAddresses, pinnedLookup, refusalReason, type UrlPolicy } from "./urls.ts";

/** The wait after each failed attempt: 5 s, 30 s, 5 min, 30 min, 2 h, 6 h, 12 h; the eighth failure is the last. */
export const webhookRetryDelaysMs = [5_000, 30_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000] as const;
export const maxWebhookAttempts = webhookRetryDelaysMs.length + 1;
export const webhookRetryDelayMs = backoffSchedule(webhookRetryDelaysMs);
/** An attempt with no answer by then has failed. */
export const webhookTimeoutMs = 10_000;
/** Longer than an attempt can take: a worker that died mid-attempt leaves the row to another after it. */
const leaseMs = 60_000;
/** Delivered and given-up rows are kept this long for the deliveries list, then deleted. */
export const webhookDeliveryRetentionMs = 30 * 24 * 3_600_000;

export interface WebhookDeliveryDeps {
  db: Db;
  clock: Clock;
  policy: UrlPolicy;
  /** Shorter in tests that make a receiver wait; webhookTimeoutMs otherwise. */
  timeoutMs?: number;
  logger?: { warn(details: object, message: string): void };
}

const deliveryQueue: LeasedTable<typeof webhookDeliveries, ExpiringLease> = {
  table: webhookDeliveries,
  key: webhookDeliveries.id,
  attempts: webhookDeliveries.attempts,
  lease: { availableAt: webhookDeliveries.availableAt, expiresAt: webhookDeliveries.leaseExpiresAt, token: webhookDeliveries.claimToken },
};

type Delivery = typeof webhookDeliveries.$inferSelect;
type Endpoint = typeof webhookEndpoints.$inferSelect;

/** In order per endpoint and key: a row waits while an earlier one of its job (or payment) is still on its way. */
const firstInOrder = sql`NOT EXISTS (
  SELECT 1 FROM webhook_deliveries earlier
  WHERE earlier.endpoint_id = ${webhookDeliveries.endpointId} AND earlier.order_key = ${webhookDeliveries.orderKey}
    AND earlier.id < ${webhookDeliveries.id} AND earlier.status = 'pending')`;

/**
 * Claims up to `limit` due deliveries (each the first pending one of its endpoint and key) and
 * attempts them side by side; returns how many it attempted.
 */
export async function deliverDueWebhooks(deps: WebhookDeliveryDeps, limit = 20): Promise<number> {
  const claimed = await claimRows(deps.db, deliveryQueue, {
    now: deps.clock.now(),
    leaseMs,
    limit,
    where: and(eq(webhookDeliveries.status, "pending"), firstInOrder),
    orderBy: [asc(webhookDeliveries.availableAt), asc(webhookDeliveries.id)],
    countAttempt: true,
  });
  if (claimed.length === 0) return 0;
  const endpoints = await deps.db
    .select()
    .from(webhookEndpoints)
    .where(inArray(webhookEndpoints.id, [...new Set(claimed.map((row) => row.endpointId))]));
  await Promise.all(
    claimed.map(async (delivery) => {
      const endpoint = endpoints.find((e) => e.id === delivery.endpointId);
      // Deleted meanwhile: its deliveries went with it.
      if (endpoint) await attempt(deps, delivery, endpoint);
    }),
  );
  return claimed.length;
}

async function attempt(deps: WebhookDeliveryDeps, delivery: Delivery, endpoint: Endpoint): Promise<void> {
  const sentAt = deps.clock.now();
  const outcome = await post(endpoint, delivery, sentAt, deps);
  const delivered = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
  const now = deps.clock.now();
  const last = { lastAttemptAt: sentAt, lastStatusCode: outcome.statusCode, lastError: outcome.error };
  if (delivered) {
    await updateHeld(deps.db, deliveryQueue, delivery, { ...released(deliveryQueue), ...last, status: "delivered" });
  } else if (delivery.attempts >= maxWebhookAttempts) {
    await updateHeld(deps.db, deliveryQueue, delivery, { ...released(deliveryQueue), ...last, status: "failed" });
    deps.logger?.warn({ endpointId: endpoint.id, messageId: delivery.messageId, attempts: delivery.attempts, ...last }, "webhooks: a delivery failed for good");
  } else {
    await updateHeld(deps.db, deliveryQueue, delivery, { ...retryLater(deliveryQueue, { attempts: delivery.attempts, now, backoff: webhookRetryDelayMs }), ...last });
  }
}

interface Outcome {
  /** The receiver's HTTP status, or null when it did not answer. */
  statusCode: number | null;
  /** Why there was no answer. */
  error: string | null;
}

/**
 * One POST, to the addresses the policy allows right now (resolved and checked anew each time);
 * redirects are not followed; the answer's status is all that counts, its body is not read.
 */
async function post(endpoint: Endpoint, delivery: Delivery, sentAt: Date, deps: WebhookDeliveryDeps): Promise<Outcome> {
  const url = new URL(endpoint.url);
  let addresses;
  try {
    addresses = await checkedAddresses(url, deps.policy);
  } catch (error) {
    return { statusCode: null, error: refusalReason(error) };
  }
  const timeoutMs = deps.timeoutMs ?? webhookTimeoutMs;
  const headers = {
    "content-type": "application/json",
    "user-agent": "PinGlass-Webhooks/1.0",
    ...signedHeaders(endpoint.secret, delivery.messageId, delivery.payload, sentAt),
  };
  return new Promise<Outcome>((resolve) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(url, { method: "POST", headers, agent: false, lookup: pinnedLookup(addresses) }, (res) => {
      clearTimeout(timer);
      resolve({ statusCode: res.statusCode ?? null, error: null });
      res.destroy();
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ statusCode: null, error: error.code ? `${error.code}: ${error.message}` : error.message });
    });
    req.end(delivery.payload);
  });
}

/** Deletes delivered and given-up rows older than the retention, a batch at a time; returns how many. */
export async function pruneWebhookDeliveries(db: Db, now: Date, batch = 1000): Promise<number> {
  const old = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(ne(webhookDeliveries.status, "pending"), lt(webhookDeliveries.createdAt, new Date(now.getTime() - webhookDeliveryRetentionMs))))
    .limit(batch);
  const deleted = await db.delete(webhookDeliveries).where(inArray(webhookDeliveries.id, old)).returning({ id: webhookDeliveries.id });
  return deleted.length;
}
