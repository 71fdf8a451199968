import { randomUUID } from "node:crypto";
import { DomainError } from "@pinglass/core";
import { type Db, type DbOrTx, paymentRefunds, payments, preparedPerDb } from "@pinglass/db";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { BankError, type Receipt } from "./bank.ts";
import { unusedPaidPhotoset } from "./consumption.ts";
import type { PaymentSettings, PaymentsDeps } from "./deps.ts";
import { reconcilePayment } from "./reconcile.ts";
import { decimalToKopecks, findTier, kopecksToDecimal, type Tier } from "./tiers.ts";

export type Payment = typeof payments.$inferSelect;

/** The 54-FZ receipt of one item, the photoset; refunds send the same shape for their amount. */
export function receiptFor(settings: PaymentSettings, email: string, photoCount: number, amountKopecks: number): Receipt {
  return {
    Email: email,
    Taxation: settings.taxation,
    Items: [
      {
        Name: `Фотосессия PinGlass: ${photoCount} фото`,
        Price: amountKopecks,
        Quantity: 1,
        Amount: amountKopecks,
        Tax: settings.vat,
        PaymentObject: "service",
        PaymentMethod: "full_payment",
      },
    ],
  };
}

/** The bank's refusal in words the user can act on; the bank's own reason goes along. */
function initFailure(error: unknown): DomainError {
  if (!(error instanceof BankError) || error.kind === "unavailable") return new DomainError("BAD_GATEWAY", "errors.payment.bankUnavailable");
  // 202 terminal blocked, 204/205 wrong TerminalKey/Password, 501 unknown terminal: our setup, not the buyer's fault.
  if (["202", "204", "205", "501"].includes(error.errorCode)) return new DomainError("BAD_GATEWAY", "errors.payment.bankSetup");
  return new DomainError("BAD_GATEWAY", "errors.payment.bankRefused", { reason: error.reason || error.errorCode });
}

/**
 * Starts a payment: the row first (pending, with the tier's price and photo count and our own
 * OrderId), then T-Bank Init, so every session the bank knows has a row here. If Init fails the
 * payment is canceled with the bank's reason and the user hears it; no money has moved.
 */
export async function createPayment(deps: PaymentsDeps, userId: number, input: { tierId: string; email: string }): Promise<{ paymentId: number; paymentUrl: string }> {
  const tier: Tier = findTier(input.tierId);
  const orderId = randomUUID();
  const [payment] = await deps.db
    .insert(payments)
    .values({
      userId,
      orderId,
      tierId: tier.id,
      photoCount: tier.photoCount,
      amount: kopecksToDecimal(tier.amountKopecks),
      currency: "RUB",
      status: "pending",
      receiptEmail: input.email,
      createdAt: deps.clock.now(),
      updatedAt: deps.clock.now(),
    })
    .returning();
  const returnUrl = `${deps.payments.publicUrl}/payment/return?paymentId=${payment!.id}`;
  try {
    const session = await deps.bank.init({
      Amount: tier.amountKopecks,
      OrderId: orderId,
      Description: `PinGlass: ${tier.photoCount} фото (${tier.id})`,
      PayType: "O",
      SuccessURL: `${returnUrl}&result=success`,
      FailURL: `${returnUrl}&result=fail`,
      NotificationURL: `${deps.payments.publicUrl}/webhooks/tbank`,
      Receipt: receiptFor(deps.payments, input.email, tier.photoCount, tier.amountKopecks),
    });
    // A notification may have raced ahead of Init's answer (the buyer paid within the round trip):
    // its PaymentId and status stand, Init's "NEW" only fills a bank_status nothing has set yet.
    await deps.db
      .update(payments)
      .set({
        tbankPaymentId: sql`coalesce(${payments.tbankPaymentId}, ${session.paymentId})`,
        bankStatus: sql`CASE WHEN ${payments.status} = 'pending' AND ${payments.bankStatus} IS NULL THEN ${session.status} ELSE ${payments.bankStatus} END`,
        updatedAt: deps.clock.now(),
      })
      .where(eq(payments.id, payment!.id));
    return { paymentId: payment!.id, paymentUrl: session.paymentUrl };
  } catch (error) {
    // The bank's own words (with its code) are what the user sees later in payments.status.
    const reason = error instanceof BankError ? `${error.reason || error.bankMessage} (${error.errorCode})` : String(error);
    await deps.db
      .update(payments)
      .set({ status: "canceled", errorMessage: reason.slice(0, 1000), updatedAt: deps.clock.now() })
      .where(and(eq(payments.id, payment!.id), eq(payments.status, "pending")));
    throw initFailure(error);
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
