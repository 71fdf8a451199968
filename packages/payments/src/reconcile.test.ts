import { manualClock } from "@pinglass/core";
import { avatars, generationJobs, paymentRefunds, payments } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BankClient, paymentSessionLifetimeMs } from "./bank.ts";
import type { PaymentsDeps } from "./deps.ts";
import { createPayment, getPaymentStatus } from "./payments.ts";
import { sweepPendingPayments } from "./reconcile.ts";
import { scheduleRefundForJob, sweepRefunds } from "./refunds.ts";
import { createTbankClient } from "./tbank-client.ts";
import { type FakeTbank, startFakeTbank, startNotificationEndpoint } from "./testing/fake-tbank.ts";
import { paymentRows } from "./testing/rows.ts";
import { sessionExpiredMessage } from "./transitions.ts";

/**
 * What the bank says against what we hold: GetState and Cancel answers that do not match our
 * payment, Init's answer racing a notification, and the sweep that ends payments nobody paid.
 */
const terminal = { terminalKey: "ReconcileTerminal", password: "reconcile-password-1" };
let testDb: TestDb;
let fake: FakeTbank;
let webhook: Awaited<ReturnType<typeof startNotificationEndpoint>>;
let deps: PaymentsDeps;
let client: BankClient;
const warnings: { details: object; message: string }[] = [];
const clock = manualClock(new Date("2026-11-25T10:00:00Z"));

beforeAll(async () => {
  testDb = await createTestDb();
  fake = await startFakeTbank(terminal);
  webhook = await startNotificationEndpoint(() => deps);
  // No deadline of our own: nothing here is about a bank that does not answer, and a short one
  // turned a slow loopback answer on a busy machine into "bank unavailable" (Init is not retried).
  client = createTbankClient({ ...terminal, baseUrl: fake.baseUrl, retries: 1, retryDelayMs: 5 });
  deps = {
    db: testDb.db,
    clock,
    bank: client,
    payments: {
      publicUrl: webhook.url,
      taxation: "usn_income",
      vat: "none",
      logger: { warn: (details, message) => warnings.push({ details, message }) },
    },
  };
});
afterAll(async () => {
  await fake.close();
  await webhook.close();
  await testDb.close();
});
beforeEach(async () => {
  await testDb.reset();
  deps.bank = client;
  warnings.length = 0;
});

const { newUser, paymentRow, bankIdOf, eventsOf } = paymentRows(() => testDb.db);
async function newPayment(tierId = "standard") {
  const userId = await newUser();
  const { paymentId } = await createPayment(deps, userId, { tierId, email: "buyer@example.com" });
  return { userId, paymentId, bankId: await bankIdOf(paymentId) };
}

describe("Init's answer arriving after a notification", () => {
  /**
   * The real client, with the bank's notification delivered (and answered) before Init's answer is
   * back. The answer is checked after createPayment: a failed assertion inside init would read as
   * "bank unavailable".
   */
  const notificationAnswers: { status: number; text: string }[] = [];
  const racingBank = (status: string): BankClient => ({
    ...client,
    async init(request) {
      const session = await client.init(request);
      notificationAnswers.push(await fake.send(session.paymentId, fake.notificationFor(session.paymentId, status)));
      return session;
    },
  });
  beforeEach(() => {
    notificationAnswers.length = 0;
  });

  it("does not overwrite a CONFIRMED bank_status with Init's NEW", async () => {
    deps.bank = racingBank("CONFIRMED");
    const { paymentId, bankId } = await newPayment();
    expect(notificationAnswers).toEqual([{ status: 200, text: "OK" }]);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "succeeded", bankStatus: "CONFIRMED", tbankPaymentId: bankId });
  });

  it("keeps an AUTHORIZED that came first, and still fills bank_status when nothing came", async () => {
    deps.bank = racingBank("AUTHORIZED");
    const raced = await newPayment();
    expect(notificationAnswers).toEqual([{ status: 200, text: "OK" }]);
    expect(await paymentRow(raced.paymentId)).toMatchObject({ status: "pending", bankStatus: "AUTHORIZED", tbankPaymentId: raced.bankId });
    deps.bank = client;
    const calm = await newPayment();
    expect(await paymentRow(calm.paymentId)).toMatchObject({ status: "pending", bankStatus: "NEW", tbankPaymentId: calm.bankId });
  });
});

describe("GetState answers that are not about our payment", () => {
  it("change nothing and are logged when the Amount differs, from the sweep and from the return page", async () => {
    const { userId, paymentId, bankId } = await newPayment();
    fake.setStatus(bankId, "CONFIRMED");
    clock.advance(61_000);
    for (const fields of [{ Amount: 100 }, { Amount: 99_900 * 10 }, { Amount: undefined }]) {
      fake.failNext("GetState", { kind: "alter", fields });
      expect(await sweepPendingPayments(deps)).toBe(0);
    }
    fake.failNext("GetState", { kind: "alter", fields: { Amount: 1 } });
    clock.advance(2000);
    expect(await getPaymentStatus(deps, userId, paymentId)).toMatchObject({ status: "pending" });

    expect(await paymentRow(paymentId)).toMatchObject({ status: "pending", bankStatus: "NEW" });
    expect(await eventsOf(paymentId)).toEqual([]);
    expect(warnings).toHaveLength(4);
    expect(warnings[0]!.message).toContain("another Amount");
    expect(warnings[0]!.details).toMatchObject({ paymentId, amountKopecks: 99_900, bank: { status: "CONFIRMED", amount: 100 } });

    // The bank's right answer is taken the next time.
    clock.advance(2000);
    expect(await getPaymentStatus(deps, userId, paymentId)).toMatchObject({ status: "succeeded" });
  });

  it("change nothing and are logged when the OrderId differs; an answer without OrderId is checked by its Amount", async () => {
    const { paymentId, bankId } = await newPayment();
    fake.setStatus(bankId, "CONFIRMED");
    clock.advance(61_000);
    fake.failNext("GetState", { kind: "alter", fields: { OrderId: "someone-elses-order" } });
    expect(await sweepPendingPayments(deps)).toBe(0);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "pending", bankStatus: "NEW" });
    expect(await eventsOf(paymentId)).toEqual([]);
    expect(warnings).toEqual([expect.objectContaining({ message: expect.stringContaining("another OrderId"), details: expect.objectContaining({ bank: expect.objectContaining({ orderId: "someone-elses-order" }) }) })]);

    fake.failNext("GetState", { kind: "alter", fields: { OrderId: undefined } });
    expect(await sweepPendingPayments(deps)).toBe(1);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "succeeded", bankStatus: "CONFIRMED" });
  });
});

describe("a Cancel answer that moved another amount", () => {
  it("is not counted as the refund: the refund fails for a person to look at, the payment keeps its amount, and it is logged", async () => {
    const { userId, paymentId, bankId } = await newPayment();
    await fake.buyerPays(bankId);
    const [avatar] = await testDb.db.insert(avatars).values({ userId, name: "A" }).returning();
    const [job] = await testDb.db.insert(generationJobs).values({ avatarId: avatar!.id, styleId: "business", status: "completed", totalPhotos: 15, completedPhotos: 12, paymentId }).returning();
    await testDb.db.transaction((tx) => scheduleRefundForJob(tx, job!));
    // We ask for 199.80 ₽ back; the bank says the payment went from 999.00 ₽ to nothing.
    fake.failNext("Cancel", { kind: "alter", fields: { OriginalAmount: 99_900, NewAmount: 0 } });
    expect(await sweepRefunds(deps)).toBe(0);
    const [refund] = await testDb.db.select().from(paymentRefunds);
    expect(refund).toMatchObject({ status: "failed", attempts: 1 });
    expect(refund!.errorMessage).toContain("OriginalAmount 99900, NewAmount 0 for a refund of 19980");
    expect(await paymentRow(paymentId)).toMatchObject({ status: "succeeded", refundedAmount: "0.00" });
    expect(warnings).toEqual([expect.objectContaining({ details: expect.objectContaining({ paymentId, amountKopecks: 19_980 }) })]);
  });
});

describe("the sweep of pending payments", () => {
  it("cancels a payment whose Init never completed, once nobody can be on its payment page", async () => {
    const userId = await newUser();
    // The process died between writing the row and storing Init's answer.
    const [row] = await testDb.db
      .insert(payments)
      .values({ userId, orderId: crypto.randomUUID(), tierId: "starter", photoCount: 7, amount: "499.00", currency: "RUB", status: "pending", receiptEmail: "a@b.ru", createdAt: clock.now(), updatedAt: clock.now() })
      .returning();
    clock.advance(10 * 60_000 - 1000);
    expect(await sweepPendingPayments(deps)).toBe(0);
    expect(await paymentRow(row!.id)).toMatchObject({ status: "pending" });
    clock.advance(2000);
    expect(await sweepPendingPayments(deps)).toBe(1);
    expect(await paymentRow(row!.id)).toMatchObject({ status: "canceled", errorMessage: "Init never completed", tbankPaymentId: null });
  });

  it("cancels a payment the bank still calls unpaid once its session lifetime is over, and no sooner", async () => {
    const older = await newPayment();
    clock.advance(3600_000);
    const younger = await newPayment();
    fake.setStatus(younger.bankId, "FORM_SHOWED");

    clock.advance(paymentSessionLifetimeMs - 3600_000 - 1000);
    expect(await sweepPendingPayments(deps)).toBe(0);
    expect((await paymentRow(older.paymentId)).status).toBe("pending");

    clock.advance(1000);
    const getStates = fake.calls.filter((c) => c.method === "GetState").length;
    expect(await sweepPendingPayments(deps)).toBe(1);
    // A final GetState was asked before cancelling.
    expect(fake.calls.filter((c) => c.method === "GetState").length).toBe(getStates + 2);
    expect(await paymentRow(older.paymentId)).toMatchObject({ status: "canceled", bankStatus: "NEW", errorMessage: sessionExpiredMessage });
    expect(await paymentRow(younger.paymentId)).toMatchObject({ status: "pending", bankStatus: "FORM_SHOWED" });

    clock.advance(3600_000);
    expect(await sweepPendingPayments(deps)).toBe(1);
    expect(await paymentRow(younger.paymentId)).toMatchObject({ status: "canceled", bankStatus: "FORM_SHOWED" });

    // A CONFIRMED that still comes wins: the money was taken.
    expect(await fake.send(older.bankId, fake.notificationFor(older.bankId, "CONFIRMED"))).toEqual({ status: 200, text: "OK" });
    expect(await paymentRow(older.paymentId)).toMatchObject({ status: "succeeded" });
  });

  it("past the lifetime still takes the bank's word, and never cancels on a bank error or while money is on its way", async () => {
    const paid = await newPayment();
    const authorized = await newPayment();
    const neverPaid = await newPayment();
    await fake.buyerPays(paid.bankId, { lose: true });
    fake.setStatus(authorized.bankId, "AUTHORIZED");
    clock.advance(3 * paymentSessionLifetimeMs + 60_000);
    // The first GetState (the paid payment's: least recently asked, then by id) fails, through its retry too.
    fake.failNext("GetState", { kind: "http", status: 503 }, { kind: "http", status: 503 });
    expect(await sweepPendingPayments(deps)).toBe(1);
    expect(await paymentRow(paid.paymentId)).toMatchObject({ status: "pending" });
    expect(await paymentRow(authorized.paymentId)).toMatchObject({ status: "pending", bankStatus: "AUTHORIZED" });
    expect(await paymentRow(neverPaid.paymentId)).toMatchObject({ status: "canceled", errorMessage: sessionExpiredMessage });

    // Days late, a lost CONFIRMED is still found: old payments are not dropped from the sweep.
    expect(await sweepPendingPayments(deps)).toBe(1);
    expect(await paymentRow(paid.paymentId)).toMatchObject({ status: "succeeded", bankStatus: "CONFIRMED" });
    expect(await paymentRow(authorized.paymentId)).toMatchObject({ status: "pending" });
  });

  it("the return page ends an expired unpaid payment the same way", async () => {
    const { userId, paymentId } = await newPayment();
    clock.advance(paymentSessionLifetimeMs);
    expect(await getPaymentStatus(deps, userId, paymentId)).toMatchObject({ status: "canceled", errorMessage: sessionExpiredMessage });
  });
});
