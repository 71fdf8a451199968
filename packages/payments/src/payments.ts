import { randomUUID } from "node:crypto";
import { DomainError, type Locale, sleep } from "@pinglass/core";
import { type Db, type DbOrTx, paymentRefunds, payments, preparedPerDb, users } from "@pinglass/db";
import { and, asc, desc, eq, gt, inArray, isNull, ne, sql } from "drizzle-orm";
import { BankError } from "./bank.ts";
import { unusedPaidPhotoset } from "./consumption.ts";
import type { PaymentsDeps } from "./deps.ts";
import type { PaymentProvider } from "./provider.ts";
import { initTimeoutMs, reconcilePayment, unpaidBankStatuses } from "./reconcile.ts";
import { starsProvider } from "./stars.ts";
import { cardProvider } from "./tbank-provider.ts";
import { decimalToKopecks, findTier, kopecksToDecimal } from "./tiers.ts";
import { applyBankStatus, recordBankEvent } from "./transitions.ts";
import { providerFor } from "./provider.ts";

export { receiptFor } from "./tbank-provider.ts";

export type Payment = typeof payments.$inferSelect;

/** How the buyer pays: a card (T-Bank, or the local test checkout) or Telegram Stars. */
export const paymentMethods = ["card", "stars"] as const;
export type PaymentMethod = (typeof paymentMethods)[number];

/**
 * How long a pending payment is the answer to the same intent again (a double tap, a second tab,
 * a retry after a lost answer): the same tier, avatar and method (and receipt address for cards).
 */
export const paymentIntentWindowMs = 30 * 60_000;

/** How long a repeated create waits for the first one's provider session (Init's own timeout and then some). */
const sessionWaitMs = 30_000;

/** The bank's refusal in words the user can act on; the bank's own reason goes along. */
function initFailure(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (!(error instanceof BankError) || error.kind === "unavailable") return new DomainError("BAD_GATEWAY", "errors.payment.bankUnavailable");
  // 202 terminal blocked, 204/205 wrong TerminalKey/Password, 501 unknown terminal: our setup, not the buyer's fault.
  if (["202", "204", "205", "501"].includes(error.errorCode)) return new DomainError("BAD_GATEWAY", "errors.payment.bankSetup");
  return new DomainError("BAD_GATEWAY", "errors.payment.bankRefused", { reason: error.reason || error.errorCode });
}

export interface CreatePaymentInput {
  tierId: string;
  /** The 54-FZ receipt address: required for cards, not taken for Stars. */
  email?: string | null;
  /** The photoset this payment is for: it starts when the money arrives. */
  avatarId?: number | null;
  styleId?: string | null;
  method?: PaymentMethod;
  /** The language of the Stars invoice. */
  locale?: Locale;
}

export type CardPaymentCreated = { method: "card"; paymentId: number; paymentUrl: string };
export type StarsPaymentCreated = { method: "stars"; paymentId: number; invoiceUrl: string };
export type CreatedPayment = CardPaymentCreated | StarsPaymentCreated;

const created = (method: PaymentMethod, payment: Payment): CreatedPayment =>
  method === "stars" ? { method, paymentId: payment.id, invoiceUrl: payment.paymentUrl! } : { method, paymentId: payment.id, paymentUrl: payment.paymentUrl! };

/**
 * Starts a payment, once per intent. Under a lock on the user's row (so concurrent calls of one
 * user line up) it either finds a pending payment of the same intent younger than
 * `paymentIntentWindowMs` — same tier, same avatar (or both without one), same method, same
 * receipt address, not being canceled — or writes a new pending row. Only the caller that wrote
 * the row asks the provider for a session (T-Bank Init with RedirectDueDate, or a Stars invoice
 * link), after the lock is released: a slow bank never holds a lock. The others wait for that
 * session's URL and answer with it, so ten parallel calls make one payment and one Init. A
 * repeated intent with another style keeps the payment and takes the new style (the latest
 * choice stands). If the provider refuses, the payment is canceled with its reason and every
 * caller hears it; no money has moved.
 */
export async function createPayment(deps: PaymentsDeps, userId: number, input: CreatePaymentInput & { method: "stars" }): Promise<StarsPaymentCreated>;
export async function createPayment(deps: PaymentsDeps, userId: number, input: CreatePaymentInput & { method?: "card" }): Promise<CardPaymentCreated>;
export async function createPayment(deps: PaymentsDeps, userId: number, input: CreatePaymentInput): Promise<CreatedPayment>;
export async function createPayment(deps: PaymentsDeps, userId: number, input: CreatePaymentInput): Promise<CreatedPayment> {
  const tier = findTier(input.tierId);
  const method = input.method ?? "card";
  const provider: PaymentProvider = method === "stars" ? starsProvider(deps) : cardProvider(deps.bank, deps.payments);
  const email = method === "card" ? input.email?.trim() || null : null;
  if (method === "card" && !email) throw new DomainError("BAD_REQUEST", "errors.payment.emailRequired");
  const amount = provider.priceOf(tier);
  const avatarId = input.avatarId ?? null;
  const styleId = input.styleId ?? null;
  const now = deps.clock.now();

  const { payment, fresh, telegramUserId } = await deps.db.transaction(async (tx) => {
    const [user] = await tx.select({ telegramUserId: users.telegramUserId }).from(users).where(eq(users.id, userId)).for("update");
    if (!user) throw new DomainError("UNAUTHORIZED", "errors.unauthorized");
    if (method === "stars" && user.telegramUserId === null) throw new DomainError("PRECONDITION_FAILED", "errors.payment.starsNeedTelegram");
    const [same] = await tx
      .select()
      .from(payments)
      .where(
        and(
          eq(payments.userId, userId),
          eq(payments.status, "pending"),
          eq(payments.tierId, tier.id),
          method === "stars" ? eq(payments.provider, "stars") : ne(payments.provider, "stars"),
          avatarId === null ? isNull(payments.avatarId) : eq(payments.avatarId, avatarId),
          email === null ? isNull(payments.receiptEmail) : eq(payments.receiptEmail, email),
          isNull(payments.cancelRequestedAt),
          gt(payments.createdAt, new Date(now.getTime() - paymentIntentWindowMs)),
        ),
      )
      .orderBy(desc(payments.createdAt), desc(payments.id))
      .limit(1);
    if (same) {
      if (same.styleId !== styleId) await tx.update(payments).set({ styleId, updatedAt: now }).where(and(eq(payments.id, same.id), eq(payments.status, "pending")));
      return { payment: same, fresh: false, telegramUserId: user.telegramUserId };
    }
    const [inserted] = await tx
      .insert(payments)
      .values({
        userId,
        orderId: randomUUID(),
        tierId: tier.id,
        photoCount: tier.photoCount,
        amount: kopecksToDecimal(amount),
        currency: provider.currency,
        status: "pending",
        provider: provider.id,
        receiptEmail: email,
        avatarId,
        styleId,
        telegramPayerId: method === "stars" ? user.telegramUserId : null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return { payment: inserted!, fresh: true, telegramUserId: user.telegramUserId };
  });
  if (!fresh) return created(method, payment.paymentUrl ? payment : await awaitSession(deps.db, payment.id));

  try {
    const session = await provider.create({
      paymentId: payment.id,
      orderId: payment.orderId!,
      tier,
      amount,
      email,
      telegramUserId,
      createdAt: now,
      locale: input.locale ?? "ru",
    });
    // A notification may have raced ahead of Init's answer (the buyer paid within the round trip):
    // its PaymentId and status stand, Init's "NEW" only fills a bank_status nothing has set yet.
    const [stored] = await deps.db
      .update(payments)
      .set({
        paymentUrl: session.url,
        tbankPaymentId: sql`coalesce(${payments.tbankPaymentId}, ${session.providerPaymentId})`,
        bankStatus: sql`CASE WHEN ${payments.status} = 'pending' AND ${payments.bankStatus} IS NULL THEN ${session.status} ELSE ${payments.bankStatus} END`,
        updatedAt: deps.clock.now(),
      })
      .where(eq(payments.id, payment.id))
      .returning();
    return created(method, stored!);
  } catch (error) {
    // The bank's own words (with its code) are what the user sees later in payments.status.
    const reason = error instanceof BankError ? `${error.reason || error.bankMessage} (${error.errorCode})` : String(error);
    await deps.db
      .update(payments)
      .set({ status: "canceled", errorMessage: reason.slice(0, 1000), updatedAt: deps.clock.now() })
      .where(and(eq(payments.id, payment.id), eq(payments.status, "pending")));
    throw initFailure(error);
  }
}

/**
 * A repeated create waits for the session the first caller is getting from the provider (its row
 * gets the URL), polling briefly. If that caller's provider refused, the payment is canceled and
 * this caller hears the same reason.
 */
async function awaitSession(db: Db, paymentId: number): Promise<Payment> {
  const deadline = Date.now() + sessionWaitMs;
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    const [row] = await db.select().from(payments).where(eq(payments.id, paymentId));
    if (row?.paymentUrl) return row;
    if (!row || row.status !== "pending") {
      throw row?.errorMessage ? new DomainError("BAD_GATEWAY", "errors.payment.bankRefused", { reason: row.errorMessage }) : new DomainError("BAD_GATEWAY", "errors.payment.bankUnavailable");
    }
    if (Date.now() >= deadline) throw new DomainError("BAD_GATEWAY", "errors.payment.bankUnavailable");
    await sleep(pause);
  }
}

export interface RefundView {
  amount: string;
  failedPhotos: number;
  status: "pending" | "succeeded" | "failed";
  createdAt: Date;
}

export interface PaymentView {
  paymentId: number;
  tierId: string | null;
  photoCount: number;
  amount: string;
  amountKopecks: number;
  currency: string;
  status: "pending" | "succeeded" | "canceled" | "refunded";
  refundedAmount: string;
  /** The bank's reason when the payment did not go through. */
  errorMessage: string | null;
  createdAt: Date | null;
  /** True once a generation job has used this payment. */
  used: boolean;
  /** Which way it was paid: T-Bank, the local test checkout, or Telegram Stars. */
  provider: Payment["provider"];
  /** Canceled at its owner's request (payments.cancel). */
  canceledByOwner: boolean;
  refunds: RefundView[];
}

async function viewsOf(db: DbOrTx, rows: Payment[]): Promise<PaymentView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((p) => p.id);
  const refunds = await db.select().from(paymentRefunds).where(inArray(paymentRefunds.paymentId, ids)).orderBy(asc(paymentRefunds.id));
  return rows.map((p) => ({
    paymentId: p.id,
    tierId: p.tierId,
    photoCount: p.photoCount ?? 0,
    amount: p.amount ?? "0.00",
    amountKopecks: decimalToKopecks(p.amount ?? "0"),
    currency: p.currency ?? "RUB",
    status: p.status ?? "pending",
    refundedAmount: p.refundedAmount,
    errorMessage: p.status === "canceled" ? p.errorMessage : null,
    createdAt: p.createdAt,
    used: p.consumedAt !== null,
    provider: p.provider,
    canceledByOwner: p.status === "canceled" && p.cancelRequestedAt !== null,
    refunds: refunds
      .filter((r) => r.paymentId === p.id)
      .map((r) => ({ amount: r.amount, failedPhotos: r.failedPhotos, status: r.status, createdAt: r.createdAt })),
  }));
}

/** A payment of this user; someone else's is reported exactly like one that does not exist. */
export async function requireOwnedPayment(db: DbOrTx, userId: number, paymentId: number): Promise<Payment> {
  const [payment] = await db.select().from(payments).where(and(eq(payments.id, paymentId), eq(payments.userId, userId)));
  if (!payment) throw new DomainError("NOT_FOUND", "errors.payment.notFound");
  return payment;
}

const getStateMinIntervalMs = 2000;

/**
 * The return page's question. A payment still pending is asked about at the bank first
 * (GetState), so a lost notification cannot leave a paying user waiting; if the bank cannot be
 * reached the payment simply stays pending.
 */
export async function getPaymentStatus(deps: PaymentsDeps, userId: number, paymentId: number): Promise<PaymentView> {
  let payment = await requireOwnedPayment(deps.db, userId, paymentId);
  // A polling return page asks the bank at most every couple of seconds (each answer touches updated_at).
  const askedRecently = deps.clock.now().getTime() - (payment.updatedAt?.getTime() ?? 0) < getStateMinIntervalMs;
  if (payment.status === "pending" && payment.tbankPaymentId && !askedRecently) {
    await reconcilePayment(deps, payment).catch(() => undefined);
    payment = await requireOwnedPayment(deps.db, userId, paymentId);
  }
  const [view] = await viewsOf(deps.db, [payment]);
  return view!;
}

/** What payments.cancel did: canceled it, or found it paid (kept), refunded, or still being completed by the bank. */
export type CancelOutcome = "canceled" | "paid" | "refunded" | "processing";

const outcomeOf = (payment: Payment): CancelOutcome =>
  payment.status === "canceled" ? "canceled" : payment.status === "succeeded" ? "paid" : payment.status === "refunded" ? "refunded" : "processing";

/**
 * The owner cancels a pending payment (so "Delete all my data" can proceed, or to change their
 * mind). The provider's word comes first: GetState, applied like a notification, so a payment the
 * bank confirmed meanwhile is kept as paid and the answer says so; while the bank reports money
 * on its way (AUTHORIZED, 3DS…) nothing is canceled ("processing", ask again shortly). Otherwise
 * the cancel request is stamped on the row (from then on the payment never starts a photoset by
 * itself) and the provider cancels the session (T-Bank and the test checkout: Cancel; Stars: the
 * invoice is refused at pre-checkout from now on). If the buyer paid in the instant between, the
 * bank's Cancel refunds the money and the payment ends refunded. A bank that cannot be reached
 * changes nothing: the user hears so and tries again.
 */
export async function cancelPayment(deps: PaymentsDeps, userId: number, paymentId: number): Promise<{ outcome: CancelOutcome; payment: PaymentView }> {
  const answer = async () => {
    const payment = await requireOwnedPayment(deps.db, userId, paymentId);
    const [view] = await viewsOf(deps.db, [payment]);
    return { outcome: outcomeOf(payment), payment: view! };
  };
  let payment = await requireOwnedPayment(deps.db, userId, paymentId);
  if (payment.status === "pending" && payment.tbankPaymentId) {
    await reconcilePayment(deps, payment).catch(() => {
      throw new DomainError("BAD_GATEWAY", "errors.payment.bankUnavailable");
    });
    payment = await requireOwnedPayment(deps.db, userId, paymentId);
  }
  if (payment.status !== "pending") return answer();
  const provider = providerFor(deps, payment);
  const hasSession = provider.currency === "XTR" ? payment.paymentUrl !== null : payment.tbankPaymentId !== null;
  // Init still on its way: its session may open any moment.
  if (!hasSession && deps.clock.now().getTime() - (payment.createdAt?.getTime() ?? 0) < initTimeoutMs) return answer();
  if (hasSession && payment.bankStatus !== null && !unpaidBankStatuses.has(payment.bankStatus)) return answer();

  const now = deps.clock.now();
  const [claimed] = await deps.db
    .update(payments)
    .set({ cancelRequestedAt: now, updatedAt: now })
    .where(and(eq(payments.id, payment.id), eq(payments.status, "pending")))
    .returning();
  if (!claimed) return answer();
  let status = "CANCELED";
  if (hasSession) {
    try {
      ({ status } = await provider.cancel(claimed));
    } catch (error) {
      if (error instanceof BankError && error.kind === "refused") {
        // The bank's state moved under us (paid, or money on its way): its word decides.
        await reconcilePayment(deps, claimed).catch(() => undefined);
        return answer();
      }
      throw new DomainError("BAD_GATEWAY", "errors.payment.bankUnavailable");
    }
  }
  await deps.db.transaction(async (tx) => {
    await recordBankEvent(tx, claimed.id, `cancel:${claimed.orderId}`, status, { source: "Cancel", requestedBy: "owner", status });
    await applyBankStatus(tx, deps.clock, claimed.id, status, undefined, { onPaymentChange: deps.onPaymentChange });
  });
  return answer();
}

/** All of the user's payments, newest first, with their refunds. */
export async function listPayments(db: Db, userId: number): Promise<PaymentView[]> {
  const rows = await db.select().from(payments).where(eq(payments.userId, userId)).orderBy(desc(payments.createdAt), desc(payments.id));
  return viewsOf(db, rows);
}

export interface PaidPhotoset {
  paymentId: number;
  tierId: string | null;
  photoCount: number;
}

/** Paid photosets not used yet, oldest first. */
const paidPhotosetsOf = preparedPerDb((db) =>
  db
    .select({ paymentId: payments.id, tierId: payments.tierId, photoCount: payments.photoCount })
    .from(payments)
    .where(and(eq(payments.userId, sql.placeholder("userId")), unusedPaidPhotoset()))
    .orderBy(asc(payments.createdAt), asc(payments.id))
    .prepare("paid_photosets_of_user"),
);

export async function listPaidPhotosets(db: DbOrTx, userId: number): Promise<PaidPhotoset[]> {
  const rows = await paidPhotosetsOf(db).execute({ userId });
  return rows.map((r) => ({ paymentId: r.paymentId, tierId: r.tierId, photoCount: r.photoCount ?? 0 }));
}
