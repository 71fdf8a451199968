/**
 * What the operators' console does with payments: find them, read their history, refund them
 * (a whole payment or a number of photos, through the refund queue the system itself uses) and
 * ask the bank again. Who may call these, and the audit log, are the caller's (packages/api).
 */
import { DomainError } from "@pinglass/core";
import { type DbOrTx, isRowId, paymentEvents, paymentRefunds, payments, type Tx } from "@pinglass/db";
import { and, asc, desc, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import { BankError } from "./bank.ts";
import type { PaymentsDeps } from "./deps.ts";
import type { Payment } from "./payments.ts";
import { wholeRefundsOnly } from "./provider.ts";
import { BankMismatchError, reconcilePayment } from "./reconcile.ts";
import { refundShareKopecks } from "./refunds.ts";
import { decimalToKopecks, kopecksToDecimal } from "./tiers.ts";

/** A payment as an operator sees it in a list. */
export interface PaymentRow {
  id: number;
  userId: number | null;
  orderId: string | null;
  /** T-Bank's PaymentId, or the Telegram Stars charge id. */
  bankPaymentId: string | null;
  provider: Payment["provider"];
  status: NonNullable<Payment["status"]>;
  bankStatus: string | null;
  tierId: string | null;
  photoCount: number;
  amount: string;
  currency: string;
  refundedAmount: string;
  /** Refunds asked for and not sent yet (their money has not gone back). */
  refundingAmount: string;
  receiptEmail: string | null;
  /** The job that used it, if one did. */
  jobId: number | null;
  used: boolean;
  errorMessage: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
}

const refundingOf = sql<string>`(SELECT coalesce(sum(r.amount), 0)::text FROM payment_refunds r WHERE r.payment_id = "payments"."id" AND r.status = 'pending')`;
const jobOf = sql<number | null>`(SELECT j.id FROM generation_jobs j WHERE j.payment_id = "payments"."id")`;

const rowSelection = { payment: payments, refunding: refundingOf, jobId: jobOf };

const rowOf = ({ payment: p, refunding, jobId }: { payment: Payment; refunding: string; jobId: number | null }): PaymentRow => ({
  id: p.id,
  userId: p.userId,
  orderId: p.orderId,
  bankPaymentId: p.provider === "stars" ? p.telegramPaymentChargeId : p.tbankPaymentId,
  provider: p.provider,
  status: p.status ?? "pending",
  bankStatus: p.bankStatus,
  tierId: p.tierId,
  photoCount: p.photoCount ?? 0,
  amount: p.amount ?? "0.00",
  currency: p.currency ?? "RUB",
  refundedAmount: p.refundedAmount,
  refundingAmount: kopecksToDecimal(decimalToKopecks(refunding)),
  receiptEmail: p.receiptEmail,
  jobId: jobId === null ? null : Number(jobId),
  used: p.consumedAt !== null,
  errorMessage: p.errorMessage,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Payments matching what an operator typed, newest first: an e-mail (the receipt address, any
 * case), an order id (our UUID), or a number, which may be our payment id, a user id or T-Bank's
 * PaymentId; anything else is tried as a bank or Telegram Stars charge id.
 */
export async function findPayments(db: DbOrTx, query: string, limit = 50): Promise<PaymentRow[]> {
  const text = query.trim();
  if (!text) return [];
  const conditions: SQL[] = [];
  if (text.includes("@")) conditions.push(sql`lower(${payments.receiptEmail}) = ${text.toLowerCase()}`);
  else if (uuidPattern.test(text)) conditions.push(eq(payments.orderId, text.toLowerCase()));
  else {
    conditions.push(eq(payments.tbankPaymentId, text), eq(payments.telegramPaymentChargeId, text));
    if (/^\d+$/.test(text) && isRowId(Number(text))) conditions.push(eq(payments.id, Number(text)), eq(payments.userId, Number(text)));
  }
  const rows = await db
    .select(rowSelection)
    .from(payments)
    .where(or(...conditions))
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(limit);
  return rows.map(rowOf);
}

/** A user's payments, newest first. */
export async function paymentsOfUser(db: DbOrTx, userId: number, limit = 100): Promise<PaymentRow[]> {
  const rows = await db.select(rowSelection).from(payments).where(eq(payments.userId, userId)).orderBy(desc(payments.createdAt), desc(payments.id)).limit(limit);
  return rows.map(rowOf);
}

/** The users who gave this receipt address (a user has no e-mail of their own: only their payments do). */
export async function userIdsByEmail(db: DbOrTx, email: string): Promise<number[]> {
  const rows = await db
    .selectDistinct({ userId: payments.userId })
    .from(payments)
    .where(sql`lower(${payments.receiptEmail}) = ${email.trim().toLowerCase()}`);
  return rows.flatMap((r) => (r.userId === null ? [] : [r.userId]));
}

/** One word from the bank or Telegram in a payment's history. */
export interface PaymentEventRow {
  id: number;
  bankStatus: string | null;
  /** Where it came from: the bank's notification, GetState, Cancel, Telegram. */
  source: string;
  receivedAt: Date;
  /** The provider's error code and message, when it gave them. */
  errorCode: string | null;
  message: string | null;
}

export interface RefundRow {
  id: number;
  /** The job whose failed photos it returns; null for a refund an operator asked for. */
  jobId: number | null;
  amount: string;
  photos: number;
  status: "pending" | "succeeded" | "failed";
  attempts: number;
  errorMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PaymentDetail {
  payment: PaymentRow;
  events: PaymentEventRow[];
  refunds: RefundRow[];
}

const textField = (body: unknown, key: string): string | null => {
  const value = (body as Record<string, unknown> | null)?.[key];
  return typeof value === "string" || typeof value === "number" ? String(value) : null;
};

/**
 * A payment with its history: every event recorded (notifications, GetState and Cancel answers,
 * Telegram's updates), oldest first, and its refunds. Only the fields that say what happened are
 * taken from an event's body: no card data.
 */
export async function paymentDetail(db: DbOrTx, paymentId: number): Promise<PaymentDetail> {
  const [row] = isRowId(paymentId) ? await db.select(rowSelection).from(payments).where(eq(payments.id, paymentId)) : [];
  if (!row) throw new DomainError("NOT_FOUND", "errors.payment.notFound");
  const [events, refunds] = await Promise.all([
    db.select().from(paymentEvents).where(eq(paymentEvents.paymentId, paymentId)).orderBy(asc(paymentEvents.receivedAt), asc(paymentEvents.id)),
    db.select().from(paymentRefunds).where(eq(paymentRefunds.paymentId, paymentId)).orderBy(asc(paymentRefunds.id)),
  ]);
  return {
    payment: rowOf(row),
    events: events.map((e) => ({
      id: e.id,
      bankStatus: e.bankStatus,
      source: textField(e.body, "source") ?? "notification",
      receivedAt: e.receivedAt,
      errorCode: textField(e.body, "ErrorCode") ?? textField(e.body, "errorCode"),
      message: textField(e.body, "Message") ?? textField(e.body, "Details") ?? textField(e.body, "reason"),
    })),
    refunds: refunds.map(refundRowOf),
  };
}

const refundRowOf = (r: typeof paymentRefunds.$inferSelect): RefundRow => ({
  id: r.id,
  jobId: r.jobId,
  amount: r.amount,
  photos: r.failedPhotos,
  status: r.status,
  attempts: r.attempts,
  errorMessage: r.errorMessage,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/** What a refund or a recheck changed, for the audit log. */
export interface PaymentSnapshot {
  status: NonNullable<Payment["status"]>;
  bankStatus: string | null;
  refundedAmount: string;
  refundingAmount: string;
  used: boolean;
}

const stateOf = (p: Payment, refundingKopecks: number): PaymentSnapshot => ({
  status: p.status ?? "pending",
  bankStatus: p.bankStatus,
  refundedAmount: p.refundedAmount,
  refundingAmount: kopecksToDecimal(refundingKopecks),
  used: p.consumedAt !== null,
});

async function refundingKopecksOf(tx: DbOrTx, paymentId: number): Promise<number> {
  const [row] = await tx
    .select({ sum: sql<string>`coalesce(sum(${paymentRefunds.amount}), 0)::text` })
    .from(paymentRefunds)
    .where(and(eq(paymentRefunds.paymentId, paymentId), eq(paymentRefunds.status, "pending")));
  return decimalToKopecks(row?.sum ?? "0");
}

export interface RefundRequest {
  /** How many of the payment's photos to pay back (their share of the amount); null: everything not refunded yet. */
  photos: number | null;
}

/**
 * An operator's refund, inside the caller's transaction: a pending payment_refunds row, which the
 * refund sweep sends through the payment's provider like a job's refund (T-Bank Cancel with its
 * receipt, or refundStarPayment), with its own ExternalRequestId. The payment row is locked, so
 * two refunds at once cannot both take the same money: what may go back is the amount less what
 * went back and what is on its way. A number of photos returns their share (the rounding of a
 * job's refund); Telegram Stars return whole payments only. A refund of everything that is left
 * of a photoset nobody used marks it used, so it cannot start a photoset while its money goes back.
 */
export async function requestRefund(tx: Tx, now: Date, paymentId: number, request: RefundRequest): Promise<{ refund: RefundRow; before: PaymentSnapshot; after: PaymentSnapshot }> {
  const [payment] = isRowId(paymentId) ? await tx.select().from(payments).where(eq(payments.id, paymentId)).for("update") : [];
  if (!payment) throw new DomainError("NOT_FOUND", "errors.payment.notFound");
  const refunding = await refundingKopecksOf(tx, payment.id);
  const before = stateOf(payment, refunding);
  if (payment.status === "refunded") throw new DomainError("CONFLICT", "errors.admin.refund.nothingLeft");
  if (payment.status !== "succeeded") throw new DomainError("CONFLICT", "errors.admin.refund.notPaid");
  const amount = decimalToKopecks(payment.amount ?? "0");
  const photoCount = payment.photoCount ?? 0;
  const available = amount - decimalToKopecks(payment.refundedAmount) - refunding;
  if (available <= 0) throw new DomainError("CONFLICT", "errors.admin.refund.nothingLeft");

  let share = available;
  let photos = photoCount;
  if (request.photos !== null) {
    if (!Number.isInteger(request.photos) || request.photos < 1 || request.photos > photoCount) {
      throw new DomainError("BAD_REQUEST", "errors.admin.refund.photos", { max: photoCount });
    }
    if (wholeRefundsOnly(payment.provider) && request.photos < photoCount) throw new DomainError("BAD_REQUEST", "errors.admin.refund.wholeOnly");
    photos = request.photos;
    share = refundShareKopecks(amount, photoCount, photoCount - request.photos);
    if (share > available) {
      const money = (kopecks: number) => `${kopecksToDecimal(kopecks)} ${payment.currency ?? "RUB"}`;
      throw new DomainError("CONFLICT", "errors.admin.refund.tooMuch", { available: money(available), amount: money(amount) });
    }
  } else if (wholeRefundsOnly(payment.provider) && available < amount) {
    throw new DomainError("BAD_REQUEST", "errors.admin.refund.wholeOnly");
  }

  const [refund] = await tx
    .insert(paymentRefunds)
    .values({ paymentId: payment.id, jobId: null, amount: kopecksToDecimal(share), failedPhotos: photos, status: "pending", createdAt: now, updatedAt: now })
    .returning();
  const [after] =
    share === available && payment.consumedAt === null ? await tx.update(payments).set({ consumedAt: now, updatedAt: now }).where(eq(payments.id, payment.id)).returning() : [payment];
  return { refund: refundRowOf(refund!), before, after: stateOf(after!, refunding + share) };
}

/**
 * Asks the provider about a payment now (T-Bank's GetState) and applies its answer as the
 * reconciliation does; `alsoIn` runs inside the transaction that records it (the audit log).
 * Telegram Stars cannot be asked (Telegram tells us), nor a payment whose bank session never
 * opened. A bank that does not answer, or answers about another payment, changes nothing.
 */
export async function recheckPayment(
  deps: PaymentsDeps,
  paymentId: number,
  alsoIn: (tx: Tx, change: { before: PaymentSnapshot; after: PaymentSnapshot }) => Promise<void>,
): Promise<{ changed: boolean; payment: PaymentRow }> {
  const [payment] = isRowId(paymentId) ? await deps.db.select().from(payments).where(eq(payments.id, paymentId)) : [];
  if (!payment) throw new DomainError("NOT_FOUND", "errors.payment.notFound");
  if (payment.provider === "stars" || !payment.tbankPaymentId) throw new DomainError("PRECONDITION_FAILED", "errors.admin.recheck.notAsked");
  let changed: boolean;
  try {
    changed = await reconcilePayment(deps, payment, async (tx) => {
      const refunding = await refundingKopecksOf(tx, payment.id);
      const [now] = await tx.select().from(payments).where(eq(payments.id, payment.id));
      await alsoIn(tx, { before: stateOf(payment, refunding), after: stateOf(now!, refunding) });
    });
  } catch (error) {
    if (error instanceof BankMismatchError) throw new DomainError("BAD_GATEWAY", "errors.admin.recheck.mismatch");
    if (error instanceof BankError && error.kind === "refused") throw new DomainError("BAD_GATEWAY", "errors.payment.bankRefused", { reason: error.reason || error.errorCode });
    if (error instanceof BankError) throw new DomainError("BAD_GATEWAY", "errors.payment.bankUnavailable");
    throw error;
  }
  const [row] = await deps.db.select(rowSelection).from(payments).where(eq(payments.id, payment.id));
  return { changed, payment: rowOf(row!) };
}

/** Money for the overview: per day and currency, the photosets paid and what they brought in and gave back. */
export interface RevenueDay {
  day: string;
  currency: string;
  paid: number;
  amount: string;
  refunded: string;
}

/**
 * Paid payments (succeeded or refunded since) of the last `days` days by the day they were made
 * (UTC) and currency: roubles and Telegram Stars are never added up together.
 */
export async function revenueByDay(db: DbOrTx, now: Date, days: number): Promise<RevenueDay[]> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const day = sql<string>`to_char(date_trunc('day', ${payments.createdAt}), 'YYYY-MM-DD')`;
  const rows = await db
    .select({
      day,
      currency: sql<string>`coalesce(${payments.currency}, 'RUB')`,
      paid: sql<number>`count(*)::int`,
      amount: sql<string>`coalesce(sum(${payments.amount}), 0)::text`,
      refunded: sql<string>`coalesce(sum(${payments.refundedAmount}), 0)::text`,
    })
    .from(payments)
    .where(and(inArray(payments.status, ["succeeded", "refunded"]), sql`${payments.createdAt} >= ${since.toISOString()}::timestamp`))
    .groupBy(day, sql`coalesce(${payments.currency}, 'RUB')`)
    .orderBy(desc(day), asc(sql`coalesce(${payments.currency}, 'RUB')`));
  return rows.map((r) => ({ day: r.day, currency: r.currency, paid: Number(r.paid), amount: kopecksToDecimal(decimalToKopecks(r.amount)), refunded: kopecksToDecimal(decimalToKopecks(r.refunded)) }));
}

/** Refunds not sent yet, and those given up on (for a person to look at). */
export async function refundQueueCounts(db: DbOrTx): Promise<{ pending: number; failed: number }> {
  const rows = await db
    .select({ status: paymentRefunds.status, n: sql<number>`count(*)::int` })
    .from(paymentRefunds)
    .where(inArray(paymentRefunds.status, ["pending", "failed"]))
    .groupBy(paymentRefunds.status);
  const count = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
  return { pending: count("pending"), failed: count("failed") };
}

/** Payments by provider and status (the /metrics gauge). */
export async function paymentCounts(db: DbOrTx): Promise<{ provider: string; status: string; count: number }[]> {
  const rows = await db
    .select({ provider: payments.provider, status: sql<string>`coalesce(${payments.status}, 'pending')`, n: sql<number>`count(*)::int` })
    .from(payments)
    .groupBy(payments.provider, sql`coalesce(${payments.status}, 'pending')`);
  return rows.map((r) => ({ provider: r.provider, status: r.status, count: Number(r.n) }));
}

/**
 * A job's refund that no sweep has tried yet is withdrawn (inside the caller's transaction, the
 * row locked): the operator is having the job's failed photos made again, and the job's end will
 * work out its refund anew. One already tried may be at the bank right now, so it stays and the
 * retry is refused; one that went through (or was given up on) stays as it is.
 */
export async function withdrawUnsentJobRefund(tx: Tx, jobId: number): Promise<"none" | "withdrawn" | "kept"> {
  const [refund] = await tx.select().from(paymentRefunds).where(eq(paymentRefunds.jobId, jobId)).for("update");
  if (!refund) return "none";
  if (refund.status !== "pending") return "kept";
  if (refund.attempts > 0) throw new DomainError("CONFLICT", "errors.admin.job.refundInFlight");
  await tx.delete(paymentRefunds).where(eq(paymentRefunds.id, refund.id));
  return "withdrawn";
}
