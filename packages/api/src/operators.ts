/**
 * The operators' console, composed above the domains: who is an operator, the audit log, and
 * each change an operator makes as one transaction with its audit entry. The domains do the work
 * (payments refunds and rechecks, generation retries and cancels, telegram resends, accounts'
 * deletion); routers/admin.ts only validates and calls these.
 */
import { type AdminKeyPermit, type AuditActor, deleteAccountRows, findUsers, getUser, listAvatars, recordAudit, type UserRow } from "@pinglass/accounts";
import { defaultLocale, DomainError, translate } from "@pinglass/core";
import { isRowId } from "@pinglass/db";
import { cancelJob, generationOverview, jobsOfUser, type JobFinishHook, providerCallStats, retryFailedSlots } from "@pinglass/generation";
import { deleteStoredFiles } from "@pinglass/media";
import { paymentsOfUser, recheckPayment, refundQueueCounts, requestRefund, revenueByDay, userIdsByEmail, withdrawUnsentJobRefund } from "@pinglass/payments";
import { deliveryCounts, resendDelivery } from "@pinglass/telegram";
import { userDataOwners } from "./account-data.ts";
import { authenticate } from "./authentication.ts";
import type { ApiDeps, Context } from "./trpc.ts";

/** What the console needs from the server beyond the API's own dependencies. */
export interface OperatorSettings {
  /** ADMIN_TELEGRAM_IDS: the Telegram users who are operators. */
  telegramIds: readonly bigint[];
  /** The finish hooks the workers run when a job ends (its refund, its delivery, developer webhooks): a cancelled job ends the same way. */
  jobFinishHooks: readonly JobFinishHook[];
  /** A slot's lease: a running job where nothing changed for longer is stuck. */
  leaseMs: number;
}

/** Who an operator's change is written down as. */
export type Operator = AuditActor;

/** The user's Telegram id if it is in ADMIN_TELEGRAM_IDS; null for anyone else (a user who no longer exists included). */
async function operatorTelegramId(deps: Pick<ApiDeps, "db" | "operators">, userId: number): Promise<bigint | null> {
  const ids = deps.operators?.telegramIds ?? [];
  if (ids.length === 0) return null;
  const user = await getUser(deps.db, userId).catch(() => null);
  return user?.telegramUserId != null && ids.includes(user.telegramUserId) ? user.telegramUserId : null;
}

const forbidden = () => new DomainError("FORBIDDEN", "errors.admin.forbidden");

/**
 * The operator making an admin.* call, or a 403 for anyone else, whoever they are: no token, a
 * token of a user who no longer exists, an ordinary user, an API key without the `admin` scope.
 * A session (or an admin key) counts only while its user's Telegram id is in ADMIN_TELEGRAM_IDS,
 * so taking someone off the list takes their keys' power away too. A key's own rate limit still
 * answers 429.
 */
export async function authenticateOperator(ctx: Pick<Context, "deps" | "userId" | "apiKey" | "setHeader" | "requestId">, procedure: string): Promise<{ userId: number; apiKeyId: number | null; operator: Operator }> {
  const settings = ctx.deps.operators;
  if (!settings || settings.telegramIds.length === 0 || (ctx.userId === null && ctx.apiKey === null)) throw forbidden();
  const caller = await authenticate(ctx, procedure, "admin").catch((error: unknown) => {
    throw error instanceof DomainError && (error.code === "UNAUTHORIZED" || error.code === "FORBIDDEN") ? forbidden() : error;
  });
  const telegramId = await operatorTelegramId(ctx.deps, caller.userId);
  if (telegramId === null) throw forbidden();
  return { ...caller, operator: { userId: caller.userId, telegramId, apiKeyId: caller.apiKeyId, requestId: ctx.requestId } };
}

/**
 * Whether this user may hold an API key with the `admin` scope: only an operator now (and such a
 * key works for admin.* only while they stay one). Making one is written in the audit log.
 */
export async function adminKeyPermit(deps: Pick<ApiDeps, "db" | "operators">, userId: number, requestId: string | null): Promise<AdminKeyPermit> {
  const telegramId = await operatorTelegramId(deps, userId);
  if (telegramId === null) return { mayHoldAdmin: false };
  const operator: Operator = { userId, telegramId, apiKeyId: null, requestId };
  return {
    mayHoldAdmin: true,
    alsoIn: (tx, key) => recordAudit(tx, operator, { action: "apiKey.createAdmin", targetType: "apiKey", targetId: key.id, before: null, after: { name: key.name, prefix: key.prefix, scopes: key.scopes } }),
  };
}

const settingsOf = (deps: ApiDeps): OperatorSettings => deps.operators ?? { telegramIds: [], jobFinishHooks: [], leaseMs: 60_000 };

/** The overview: money per day (roubles and Stars apart), queues, failure rates, provider latency. */
export async function overview(deps: ApiDeps) {
  const now = deps.clock.now();
  const [revenue, refunds, generation, providers, deliveries] = await Promise.all([
    revenueByDay(deps.db, now, 14),
    refundQueueCounts(deps.db),
    generationOverview(deps.db, now, settingsOf(deps).leaseMs),
    providerCallStats(deps.db, now),
    deliveryCounts(deps.db),
  ]);
  return { at: now, revenue, refunds, generation, providers, deliveries };
}

/** An operator's refund of a payment (whole, or a number of its photos): queued for the refund sweep, audited. */
export function refundPayment(deps: ApiDeps, operator: Operator, paymentId: number, photos: number | null) {
  return deps.db.transaction(async (tx) => {
    const { refund, before, after } = await requestRefund(tx, deps.clock.now(), paymentId, { photos });
    await recordAudit(tx, operator, { action: "payment.refund", targetType: "payment", targetId: paymentId, before, after: { ...after, refund } });
    return refund;
  });
}

/** Asks the bank about a payment now; the answer and its audit entry are one transaction. */
export function recheck(deps: ApiDeps, operator: Operator, paymentId: number) {
  return recheckPayment(deps, paymentId, (tx, { before, after }) => recordAudit(tx, operator, { action: "payment.recheck", targetType: "payment", targetId: paymentId, before, after }));
}

/** Makes a job's failed photos again; a refund of them not sent yet is withdrawn (the job's end works it out anew). */
export function retryJob(deps: ApiDeps, operator: Operator, jobId: number) {
  return deps.db.transaction(async (tx) => {
    const refund = isRowId(jobId) ? await withdrawUnsentJobRefund(tx, jobId) : "none";
    const { before, after, retried } = await retryFailedSlots(tx, jobId, deps.clock.now());
    await recordAudit(tx, operator, { action: "job.retry", targetType: "job", targetId: jobId, before, after: { ...after, retried, refund } });
    return { retried, refund };
  });
}

/** Cancels a running job: its unmade photos fail and are refunded through the job's own refund. */
export function cancelRunningJob(deps: ApiDeps, operator: Operator, jobId: number) {
  return deps.db.transaction(async (tx) => {
    const reason = translate("errors.admin.generation.canceled", defaultLocale);
    const { before, after, canceled } = await cancelJob(tx, jobId, deps.clock.now(), reason, settingsOf(deps).jobFinishHooks);
    await recordAudit(tx, operator, { action: "job.cancel", targetType: "job", targetId: jobId, before, after: { ...after, canceled } });
    return { canceled };
  });
}

/** Sends a failed Telegram delivery again. */
export function resend(deps: ApiDeps, operator: Operator, jobId: number) {
  return deps.db.transaction(async (tx) => {
    const { before, after } = await resendDelivery(tx, jobId, deps.clock.now());
    await recordAudit(tx, operator, { action: "delivery.resend", targetType: "delivery", targetId: jobId, before, after });
    return after;
  });
}

/** Users matching what an operator typed: a number is a user id or a Telegram id, an address is a receipt e-mail. */
export async function searchUsers(deps: ApiDeps, query: string): Promise<UserRow[]> {
  const text = query.trim();
  if (text.includes("@")) return findUsers(deps.db, { ids: await userIdsByEmail(deps.db, text) });
  if (!/^\d{1,19}$/.test(text)) return [];
  const number = BigInt(text);
  return findUsers(deps.db, { ids: number <= 2_147_483_647n ? [Number(number)] : [], telegramUserIds: number <= 9_223_372_036_854_775_807n ? [number] : [] });
}

/** A user with their avatars, payments and jobs. */
export async function userDetail(deps: ApiDeps, userId: number) {
  const [user] = await findUsers(deps.db, { ids: [userId] });
  if (!user) throw new DomainError("NOT_FOUND", "errors.admin.userNotFound");
  const [avatars, payments, jobs] = await Promise.all([listAvatars(deps.db, userId, { limit: 50 }), paymentsOfUser(deps.db, userId), jobsOfUser(deps.db, userId)]);
  return { user, avatars: avatars.items.map(({ thumbnailUrl: _key, ...avatar }) => avatar), payments, jobs };
}

/**
 * Deletes all of a user's data on request, through the same deletion as "Delete all my data"
 * (refused while a photoset generates, a payment may still complete or a refund is on its way),
 * with the audit entry in its transaction. The entry keeps what the user had, in counts only.
 */
export async function deleteUserData(deps: ApiDeps, operator: Operator, userId: number): Promise<{ deleted: true }> {
  const [before] = await findUsers(deps.db, { ids: [userId] });
  if (!before) throw new DomainError("NOT_FOUND", "errors.admin.userNotFound");
  const { id: _id, telegramUserId, languageCode: _language, createdAt: _created, ...had } = before;
  const { fileRefs } = await deleteAccountRows(deps.db, deps.clock, userId, userDataOwners, (tx) =>
    recordAudit(tx, operator, { action: "user.delete", targetType: "user", targetId: userId, before: { ...had, telegramLinked: telegramUserId !== null }, after: { deleted: true } }),
  );
  await deleteStoredFiles(deps.media, fileRefs);
  return { deleted: true };
}
