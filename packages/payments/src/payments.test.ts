import { DomainError, manualClock } from "@pinglass/core";
import { avatars, generationJobs, paymentRefunds, payments } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { takePaidPhotoset } from "./consumption.ts";
import type { PaymentsDeps } from "./deps.ts";
import { createPayment, getPaymentStatus, listPaidPhotosets, listPayments } from "./payments.ts";
import { sweepPendingPayments } from "./reconcile.ts";
import { refundRequestId, scheduleRefundForJob, sweepRefunds } from "./refunds.ts";
import { createTbankClient } from "./tbank-client.ts";
import { type FakeTbank, startFakeTbank, startNotificationEndpoint } from "./testing/fake-tbank.ts";
import { paymentRows } from "./testing/rows.ts";
import { hasValidToken, signed } from "./token.ts";

const terminal = { terminalKey: "PinGlassTerminal", password: "terminal-password-1" };
let testDb: TestDb;
let fake: FakeTbank;
let webhook: Awaited<ReturnType<typeof startNotificationEndpoint>>;
let deps: PaymentsDeps;
const clock = manualClock(new Date("2026-11-25T10:00:00Z"));

beforeAll(async () => {
  testDb = await createTestDb();
  fake = await startFakeTbank(terminal);
  webhook = await startNotificationEndpoint(() => deps);
  const publicUrl = webhook.url;
  deps = {
    db: testDb.db,
    clock,
    // The client's own deadline: a busy test machine can take half a second to answer an Init.
    bank: createTbankClient({ ...terminal, baseUrl: fake.baseUrl, retries: 2, retryDelayMs: 5 }),
    payments: { publicUrl, taxation: "usn_income", vat: "none" },
  };
});
afterAll(async () => {
  await fake.close();
  await webhook.close();
  await testDb.close();
});
beforeEach(() => testDb.reset());

/** The same bank with a short deadline, for the tests where it hangs on purpose. */
const impatient = () => ({ ...deps, bank: createTbankClient({ ...terminal, baseUrl: fake.baseUrl, timeoutMs: 400, retries: 2, retryDelayMs: 5 }) });

const { newUser, paymentRow, bankIdOf, eventsOf } = paymentRows(() => testDb.db);

async function paidPayment(tierId = "standard") {
  const userId = await newUser();
  const { paymentId } = await createPayment(deps, userId, { tierId, email: "buyer@example.com" });
  await fake.buyerPays(await bankIdOf(paymentId));
  return { userId, paymentId };
}

describe("creating a payment", () => {
  it("writes the pending row first, then calls Init with the tier's price, our OrderId, PayType O, the return and notification URLs and a 54-FZ receipt", async () => {
    const userId = await newUser();
    const result = await createPayment(deps, userId, { tierId: "standard", email: "buyer@example.com" });
    const row = await paymentRow(result.paymentId);
    expect(row).toMatchObject({ userId, status: "pending", amount: "999.00", currency: "RUB", tierId: "standard", photoCount: 15, receiptEmail: "buyer@example.com", bankStatus: "NEW", refundedAmount: "0.00" });
    expect(row.orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.paymentUrl).toBe(`https://securepay.example/new/${row.tbankPaymentId}`);

    const init = fake.calls.findLast((c) => c.method === "Init")!.body;
    expect(hasValidToken(init, terminal.password)).toBe(true);
    const base = `${deps.payments.publicUrl}/payment/return?paymentId=${result.paymentId}`;
    expect(init).toMatchObject({
      TerminalKey: terminal.terminalKey,
      Amount: 99_900,
      OrderId: row.orderId,
      PayType: "O",
      SuccessURL: `${base}&result=success`,
      FailURL: `${base}&result=fail`,
      NotificationURL: `${deps.payments.publicUrl}/webhooks/tbank`,
      Receipt: {
        Email: "buyer@example.com",
        Taxation: "usn_income",
        Items: [{ Name: "Фотосессия PinGlass: 15 фото", Price: 99_900, Quantity: 1, Amount: 99_900, Tax: "none", PaymentObject: "service", PaymentMethod: "full_payment" }],
      },
    });
    expect(String(init.Description).length).toBeLessThanOrEqual(140);
  });

  it("refuses an unknown tier before anything is written", async () => {
    const userId = await newUser();
    await expect(createPayment(deps, userId, { tierId: "gold", email: "a@b.ru" })).rejects.toMatchObject({ key: "errors.payment.tierUnknown" });
    expect(await testDb.db.select().from(payments)).toEqual([]);
  });

  it("cancels the payment and passes on the bank's reason when Init is refused", async () => {
    const userId = await newUser();
    fake.failNext("Init", { kind: "error", errorCode: "251", message: "Неверные параметры.", details: "Неверная сумма." });
    const error = (await createPayment(deps, userId, { tierId: "starter", email: "a@b.ru" }).catch((e: unknown) => e)) as DomainError;
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "BAD_GATEWAY", key: "errors.payment.bankRefused", params: { reason: "Неверные параметры. Неверная сумма." } });
    const [row] = await testDb.db.select().from(payments);
    expect(row).toMatchObject({ status: "canceled", tbankPaymentId: null });
    expect(row!.errorMessage).toBe("Неверные параметры. Неверная сумма. (251)");
  });

  it("says the shop is misconfigured when the bank refuses our terminal or token", async () => {
    const userId = await newUser();
    const wrongPassword = { ...deps, bank: createTbankClient({ ...terminal, password: "wrong", baseUrl: fake.baseUrl }) };
    await expect(createPayment(wrongPassword, userId, { tierId: "starter", email: "a@b.ru" })).rejects.toMatchObject({ key: "errors.payment.bankSetup" });
    expect((await testDb.db.select().from(payments))[0]).toMatchObject({ status: "canceled" });
  });

  it("does not send Init twice when the bank may have received it (timeout, 5xx), and cancels the payment", async () => {
    const userId = await newUser();
    for (const fault of [{ kind: "hang" as const }, { kind: "http" as const, status: 502 }]) {
      const before = fake.calls.filter((c) => c.method === "Init").length;
      fake.failNext("Init", fault);
      await expect(createPayment(impatient(), userId, { tierId: "starter", email: "a@b.ru" })).rejects.toMatchObject({ key: "errors.payment.bankUnavailable" });
      expect(fake.calls.filter((c) => c.method === "Init").length).toBe(before + 1);
    }
    expect((await testDb.db.select().from(payments)).map((p) => p.status)).toEqual(["canceled", "canceled"]);
  });
});

describe("notifications", () => {
  it("move a paid payment to succeeded, answer exactly OK, and are recorded once each", async () => {
    const userId = await newUser();
    const { paymentId } = await createPayment(deps, userId, { tierId: "premium", email: "buyer@example.com" });
    const answers = await fake.buyerPays(await bankIdOf(paymentId));
    expect(answers).toEqual([{ status: 200, text: "OK" }, { status: 200, text: "OK" }]);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "succeeded", bankStatus: "CONFIRMED" });
    expect((await eventsOf(paymentId)).map((e) => e.bankStatus)).toEqual(["AUTHORIZED", "CONFIRMED"]);
    expect(await listPaidPhotosets(testDb.db, userId)).toEqual([{ paymentId, tierId: "premium", photoCount: 23 }]);
  });

  it("refuse a forged token, another terminal, a wrong amount, another PaymentId or an unknown order with 4xx, changing nothing", async () => {
    const userId = await newUser();
    const { paymentId } = await createPayment(deps, userId, { tierId: "starter", email: "a@b.ru" });
    const bankId = await bankIdOf(paymentId);
    const genuine = fake.notificationFor(bankId, "CONFIRMED");
    const { Token: _token, ...unsigned } = genuine;
    const cases: [Record<string, unknown>, number][] = [
      [{ ...genuine, Token: "0".repeat(64) }, 403],
      [{ ...genuine, Amount: 100 }, 403],
      [signed(unsigned, "guessed-password"), 403],
      [signed({ ...unsigned, TerminalKey: "OtherTerminal" }, terminal.password), 403],
      [signed({ ...unsigned, Amount: 100 }, terminal.password), 409],
      [signed({ ...unsigned, Amount: 4990000 }, terminal.password), 409],
      [signed({ ...unsigned, PaymentId: 1 }, terminal.password), 409],
      [signed({ ...unsigned, OrderId: "not-ours" }, terminal.password), 404],
      [unsigned, 403],
    ];
    for (const [body, status] of cases) expect((await fake.send(bankId, body)).status).toBe(status);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "pending" });
    expect(await eventsOf(paymentId)).toEqual([]);
  });

  it("change nothing when replayed, and never let a late or out-of-order one undo a later state", async () => {
    const { paymentId } = await paidPayment();
    const bankId = await bankIdOf(paymentId);
    const confirmed = fake.notificationFor(bankId, "CONFIRMED");
    for (let i = 0; i < 3; i++) expect(await fake.send(bankId, confirmed)).toEqual({ status: 200, text: "OK" });
    for (const late of ["AUTHORIZED", "NEW", "REJECTED", "CANCELED", "DEADLINE_EXPIRED"]) {
      expect(await fake.send(bankId, fake.notificationFor(bankId, late))).toEqual({ status: 200, text: "OK" });
    }
    expect(await paymentRow(paymentId)).toMatchObject({ status: "succeeded" });
    expect((await eventsOf(paymentId)).filter((e) => e.bankStatus === "CONFIRMED")).toHaveLength(1);

    // CONFIRMED arriving before AUTHORIZED ends the same way.
    const userId = await newUser();
    const second = await createPayment(deps, userId, { tierId: "starter", email: "a@b.ru" });
    const secondBankId = await bankIdOf(second.paymentId);
    await fake.send(secondBankId, fake.notificationFor(secondBankId, "CONFIRMED"));
    await fake.send(secondBankId, fake.notificationFor(secondBankId, "AUTHORIZED"));
    expect(await paymentRow(second.paymentId)).toMatchObject({ status: "succeeded" });
  });

  it("map declines to canceled with the bank's reason, and a later CONFIRMED still wins: the money was taken", async () => {
    const userId = await newUser();
    const { paymentId } = await createPayment(deps, userId, { tierId: "starter", email: "a@b.ru" });
    const bankId = await bankIdOf(paymentId);
    await fake.send(bankId, fake.notificationFor(bankId, "REJECTED", { Message: "Недостаточно средств", Details: "" }));
    expect(await paymentRow(paymentId)).toMatchObject({ status: "canceled", bankStatus: "REJECTED", errorMessage: "Недостаточно средств" });
    await fake.send(bankId, fake.notificationFor(bankId, "CONFIRMED"));
    expect(await paymentRow(paymentId)).toMatchObject({ status: "succeeded" });
  });

  it("are safe when duplicates arrive in parallel: one event, one transition", async () => {
    const userId = await newUser();
    const { paymentId } = await createPayment(deps, userId, { tierId: "standard", email: "a@b.ru" });
    const bankId = await bankIdOf(paymentId);
    const confirmed = fake.notificationFor(bankId, "CONFIRMED");
    const answers = await Promise.all(Array.from({ length: 12 }, () => fake.send(bankId, confirmed)));
    expect(answers.every((a) => a.status === 200 && a.text === "OK")).toBe(true);
    expect(await eventsOf(paymentId)).toHaveLength(1);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "succeeded" });
  });

  it("map REFUNDED and REVERSED to refunded, and leave a partly refunded payment succeeded", async () => {
    for (const status of ["REFUNDED", "REVERSED"]) {
      const { paymentId } = await paidPayment("starter");
      const bankId = await bankIdOf(paymentId);
      expect((await fake.send(bankId, fake.notificationFor(bankId, status, { Amount: 49_900 }))).text).toBe("OK");
      expect(await paymentRow(paymentId)).toMatchObject({ status: "refunded", bankStatus: status });
    }
    for (const status of ["PARTIAL_REFUNDED", "PARTIAL_REVERSED"]) {
      const { paymentId } = await paidPayment("starter");
      const bankId = await bankIdOf(paymentId);
      expect((await fake.send(bankId, fake.notificationFor(bankId, status, { Amount: 7129 }))).text).toBe("OK");
      expect(await paymentRow(paymentId)).toMatchObject({ status: "succeeded", bankStatus: "CONFIRMED" });
    }
  });
});

describe("reconciliation", () => {
  it("recovers a lost notification when the return page asks", async () => {
    const userId = await newUser();
    const { paymentId } = await createPayment(deps, userId, { tierId: "standard", email: "a@b.ru" });
    await fake.buyerPays(await bankIdOf(paymentId), { lose: true });
    expect(await paymentRow(paymentId)).toMatchObject({ status: "pending" });
    // A page polling right after Init does not hit the bank; two seconds later it asks.
    const getStates = () => fake.calls.filter((c) => c.method === "GetState").length;
    const before = getStates();
    expect(await getPaymentStatus(deps, userId, paymentId)).toMatchObject({ status: "pending" });
    expect(getStates()).toBe(before);
    clock.advance(2000);
    expect(await getPaymentStatus(deps, userId, paymentId)).toMatchObject({ paymentId, status: "succeeded", amount: "999.00", amountKopecks: 99_900, photoCount: 15, used: false, refunds: [] });
    expect(getStates()).toBe(before + 1);
    expect(await listPaidPhotosets(testDb.db, userId)).toEqual([{ paymentId, tierId: "standard", photoCount: 15 }]);
  });

  it("recovers lost notifications with the periodic sweep of payments pending for over a minute", async () => {
    const userId = await newUser();
    const paid = await createPayment(deps, userId, { tierId: "standard", email: "a@b.ru" });
    const abandoned = await createPayment(deps, userId, { tierId: "starter", email: "a@b.ru" });
    await fake.buyerPays(await bankIdOf(paid.paymentId), { lose: true });
    fake.setStatus(await bankIdOf(abandoned.paymentId), "DEADLINE_EXPIRED");
    expect(await sweepPendingPayments(deps)).toBe(0);
    clock.advance(61_000);
    expect(await sweepPendingPayments(deps)).toBe(2);
    expect((await paymentRow(paid.paymentId)).status).toBe("succeeded");
    expect((await paymentRow(abandoned.paymentId)).status).toBe("canceled");
  });

  it("never fails a payment because GetState failed, and retries GetState through a timeout", async () => {
    const userId = await newUser();
    const { paymentId } = await createPayment(deps, userId, { tierId: "standard", email: "a@b.ru" });
    const bankId = await bankIdOf(paymentId);
    fake.setStatus(bankId, "CONFIRMED");
    fake.failNext("GetState", { kind: "error", errorCode: "9999", message: "Внутренняя ошибка системы" });
    clock.advance(2000);
    expect((await getPaymentStatus(deps, userId, paymentId)).status).toBe("pending");
    fake.failNext("GetState", { kind: "hang" }, { kind: "http", status: 503 }, { kind: "hang" });
    clock.advance(61_000);
    expect(await sweepPendingPayments(impatient())).toBe(0);
    expect((await paymentRow(paymentId)).status).toBe("pending");
    fake.failNext("GetState", { kind: "hang" });
    clock.advance(2000);
    expect((await getPaymentStatus(impatient(), userId, paymentId)).status).toBe("succeeded");
  });

  it("shows a payment only to its owner", async () => {
    const { paymentId } = await paidPayment();
    const stranger = await newUser();
    await expect(getPaymentStatus(deps, stranger, paymentId)).rejects.toMatchObject({ code: "NOT_FOUND", key: "errors.payment.notFound" });
  });
});

describe("consumption and refunds", () => {
  /** What generation's startJob does with a payment: take it, then create the job that used it. */
  async function jobFor(userId: number, paymentId: number, completedPhotos: number) {
    const [avatar] = await testDb.db.insert(avatars).values({ userId, name: "A" }).returning();
    return testDb.db.transaction(async (tx) => {
      const payment = await takePaidPhotoset(tx, clock.now(), userId, paymentId);
      const [job] = await tx
        .insert(generationJobs)
        .values({ avatarId: avatar!.id, styleId: "business", status: "completed", totalPhotos: payment.photoCount, completedPhotos, paymentId: payment.id })
        .returning();
      return job!;
    });
  }

  it("lets one payment feed exactly one job, even when two starts race", async () => {
    const { userId, paymentId } = await paidPayment();
    const results = await Promise.allSettled([jobFor(userId, paymentId, 0), jobFor(userId, paymentId, 0)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "CONFLICT", key: "errors.generation.paymentUnavailable" } });
    expect(await listPaidPhotosets(testDb.db, userId)).toEqual([]);
    expect((await listPayments(testDb.db, userId))[0]).toMatchObject({ paymentId, used: true });
  });

  it("keeps a used payment used when its job's rows are gone (a deleted avatar never frees a payment)", async () => {
    const { userId, paymentId } = await paidPayment();
    const job = await jobFor(userId, paymentId, 15);
    await testDb.db.delete(generationJobs).where(eq(generationJobs.id, job.id));
    expect(await listPaidPhotosets(testDb.db, userId)).toEqual([]);
    await expect(testDb.db.transaction((tx) => takePaidPhotoset(tx, clock.now(), userId))).rejects.toMatchObject({ code: "PRECONDITION_FAILED", key: "errors.generation.noPaidPhotoset" });
  });

  it("schedules the failed photos' share once per job, inside the finishing transaction", async () => {
    const { userId, paymentId } = await paidPayment();
    const job = await jobFor(userId, paymentId, 12);
    await testDb.db.transaction(async (tx) => {
      await scheduleRefundForJob(tx, job);
      await scheduleRefundForJob(tx, job);
    });
    await testDb.db.transaction((tx) => scheduleRefundForJob(tx, job));
    expect(await testDb.db.select().from(paymentRefunds)).toMatchObject([{ paymentId, jobId: job.id, amount: "199.80", failedPhotos: 3, status: "pending" }]);

    const complete = await paidPayment();
    const fullJob = await jobFor(complete.userId, complete.paymentId, 15);
    await testDb.db.transaction((tx) => scheduleRefundForJob(tx, fullJob));
    await testDb.db.transaction((tx) => scheduleRefundForJob(tx, { id: 999_999, paymentId: null, completedPhotos: 0 }));
    expect(await testDb.db.select().from(paymentRefunds)).toHaveLength(1);
  });

  it("returns the share through Cancel with its receipt, once, and shows it to the user", async () => {
    const { userId, paymentId } = await paidPayment();
    const job = await jobFor(userId, paymentId, 12);
    await testDb.db.transaction((tx) => scheduleRefundForJob(tx, job));
    const cancelsBefore = fake.calls.filter((c) => c.method === "Cancel").length;
    const results = await Promise.all([sweepRefunds(deps), sweepRefunds(deps)]);
    expect(results.reduce((a, b) => a + b, 0)).toBe(1);
    const cancels = fake.calls.filter((c) => c.method === "Cancel").slice(cancelsBefore);
    expect(cancels).toHaveLength(1);
    const payment = await paymentRow(paymentId);
    expect(hasValidToken(cancels[0]!.body, terminal.password)).toBe(true);
    expect(cancels[0]!.body).toMatchObject({
      PaymentId: payment.tbankPaymentId,
      Amount: 19_980,
      ExternalRequestId: refundRequestId(payment.orderId!, job.id),
      Receipt: { Email: "buyer@example.com", Taxation: "usn_income", Items: [{ Price: 19_980, Quantity: 1, Amount: 19_980, Tax: "none", PaymentObject: "service", PaymentMethod: "full_payment" }] },
    });
    // The charge stands (12 of 15 photos were made): still succeeded, so the user still counts as paid.
    expect(payment).toMatchObject({ status: "succeeded", refundedAmount: "199.80" });
    expect(fake.payment(payment.tbankPaymentId!).remaining).toBe(99_900 - 19_980);
    expect(await sweepRefunds(deps)).toBe(0);

    // The bank's own notification of the refund is accepted and changes nothing more.
    expect((await fake.send(payment.tbankPaymentId!, fake.notificationFor(payment.tbankPaymentId!, "PARTIAL_REFUNDED", { Amount: 19_980 }))).text).toBe("OK");
    expect(await getPaymentStatus(deps, userId, paymentId)).toMatchObject({ status: "succeeded", refundedAmount: "199.80", refunds: [{ amount: "199.80", failedPhotos: 3, status: "succeeded" }] });
  });

  it("tells onPaymentChange, inside the transaction, of a payment paid, refunded in part by the sweep, then refunded whole by the bank", async () => {
    const seen: { paymentId: number; change: string; status: string | null; refundedAmount: string; inTransaction: unknown }[] = [];
    deps.onPaymentChange = async (tx, payment, change) => {
      // Inside the transaction: the row already says what the hook is told.
      const [row] = await tx.select({ status: payments.status, refundedAmount: payments.refundedAmount }).from(payments).where(eq(payments.id, payment.id));
      seen.push({ paymentId: payment.id, change, status: payment.status, refundedAmount: payment.refundedAmount, inTransaction: row });
    };
    try {
      const { userId, paymentId } = await paidPayment();
      const job = await jobFor(userId, paymentId, 12);
      await testDb.db.transaction((tx) => scheduleRefundForJob(tx, job));
      await sweepRefunds(deps);
      const bankId = await bankIdOf(paymentId);
      // The bank's word on the partial refund changes no state: nobody is told twice.
      await fake.send(bankId, fake.notificationFor(bankId, "PARTIAL_REFUNDED", { Amount: 19_980 }));
      await fake.send(bankId, fake.notificationFor(bankId, "REFUNDED", { Amount: 99_900 }));
      expect(seen.map(({ inTransaction: _, ...told }) => told)).toEqual([
        { paymentId, change: "succeeded", status: "succeeded", refundedAmount: "0.00" },
        { paymentId, change: "refunded", status: "succeeded", refundedAmount: "199.80" },
        { paymentId, change: "refunded", status: "refunded", refundedAmount: "199.80" },
      ]);
      expect(seen.every((s) => JSON.stringify(s.inTransaction) === JSON.stringify({ status: s.status, refundedAmount: s.refundedAmount }))).toBe(true);
    } finally {
      deps.onPaymentChange = undefined;
    }
  });

  it("does not refund twice when the process died between the bank's refund and our write", async () => {
    const { userId, paymentId } = await paidPayment();
    const job = await jobFor(userId, paymentId, 0);
    await testDb.db.transaction((tx) => scheduleRefundForJob(tx, job));
    const payment = await paymentRow(paymentId);
    const [refund] = await testDb.db.select().from(paymentRefunds);
    // The crashed attempt: the bank refunded, our row still says pending.
    await deps.bank.cancel({
      paymentId: payment.tbankPaymentId!,
      amount: 99_900,
      receipt: { Email: "buyer@example.com", Taxation: "usn_income", Items: [] },
      externalRequestId: refundRequestId(payment.orderId!, job.id),
    });
    expect(refund).toMatchObject({ amount: "999.00", failedPhotos: 15, status: "pending" });
    expect(await sweepRefunds(deps)).toBe(1);
    expect(fake.payment(payment.tbankPaymentId!).remaining).toBe(0);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "refunded", bankStatus: "REFUNDED", refundedAmount: "999.00" });
  });

  it("keeps a refused refund pending with the bank's reason, retries after a pause, and gives up after the last attempt", async () => {
    const { userId, paymentId } = await paidPayment();
    const job = await jobFor(userId, paymentId, 10);
    await testDb.db.transaction((tx) => scheduleRefundForJob(tx, job));
    fake.failNext("Cancel", { kind: "error", errorCode: "9999", message: "Внутренняя ошибка системы" }, { kind: "error", errorCode: "9999", message: "Внутренняя ошибка системы" });
    expect(await sweepRefunds(deps, { maxAttempts: 2 })).toBe(0);
    expect((await testDb.db.select().from(paymentRefunds))[0]).toMatchObject({ status: "pending", attempts: 1, errorMessage: "9999: Внутренняя ошибка системы" });
    expect(await sweepRefunds(deps, { maxAttempts: 2 })).toBe(0); // not due yet
    clock.advance(5 * 60_000);
    expect(await sweepRefunds(deps, { maxAttempts: 2 })).toBe(0);
    expect((await testDb.db.select().from(paymentRefunds))[0]).toMatchObject({ status: "failed", attempts: 2 });
    expect((await paymentRow(paymentId)).refundedAmount).toBe("0.00");
  });
});
