import { manualClock, sleep } from "@pinglass/core";
import { avatars, type DbOrTx, payments } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BankClient, bankDueDate, paymentSessionLifetimeMs } from "./bank.ts";
import type { PaymentsDeps } from "./deps.ts";
import { cancelPayment, createPayment, listPayments, type Payment, paymentIntentWindowMs } from "./payments.ts";
import { sweepPendingPayments } from "./reconcile.ts";
import { createTbankClient } from "./tbank-client.ts";
import { type FakeTbank, startFakeTbank, startNotificationEndpoint } from "./testing/fake-tbank.ts";
import { paymentRows } from "./testing/rows.ts";

const terminal = { terminalKey: "PinGlassTerminal", password: "terminal-password-1" };
let testDb: TestDb;
let fake: FakeTbank;
let webhook: Awaited<ReturnType<typeof startNotificationEndpoint>>;
let deps: PaymentsDeps;
let realBank: BankClient;
const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
/** What the app's onPaid hook saw: the payment, and its status as the hook's own transaction reads it. */
const paidHookCalls: { paymentId: number; statusInTx: string | null }[] = [];
let failHookOnce = false;

async function recordPaid(tx: DbOrTx, payment: Payment) {
  if (failHookOnce) {
    failHookOnce = false;
    throw new Error("the database went away mid-start");
  }
  const [row] = await tx.select({ status: payments.status }).from(payments).where(eq(payments.id, payment.id));
  paidHookCalls.push({ paymentId: payment.id, statusInTx: row?.status ?? null });
}

beforeAll(async () => {
  testDb = await createTestDb();
  fake = await startFakeTbank(terminal);
  webhook = await startNotificationEndpoint(() => deps);
  realBank = createTbankClient({ ...terminal, baseUrl: fake.baseUrl, timeoutMs: 2000, retries: 1, retryDelayMs: 5 });
});
afterAll(async () => {
  await fake.close();
  await webhook.close();
  await testDb.close();
});
beforeEach(async () => {
  await testDb.reset();
  paidHookCalls.length = 0;
  failHookOnce = false;
  deps = { db: testDb.db, clock, bank: realBank, payments: { publicUrl: webhook.url, taxation: "usn_income", vat: "none" }, onPaid: recordPaid };
});

const { newUser, paymentRow, bankIdOf } = paymentRows(() => testDb.db);
const initCalls = () => fake.calls.filter((c) => c.method === "Init").length;
const cancelCalls = () => fake.calls.filter((c) => c.method === "Cancel");
const newAvatar = async (userId: number) => (await testDb.db.insert(avatars).values({ userId, name: "A" }).returning())[0]!.id;

/** The real client, whose Init waits until the test opens the gate: a slow bank, so concurrent creates overlap it. */
function slowBank() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const bank: BankClient = { ...realBank, init: async (request) => (await gate, realBank.init(request)) };
  return { bank, open };
}

describe("one intent, one payment", () => {
  it("answers a repeated create of the same tier and avatar with the same payment and bank URL, and no second Init", async () => {
    const userId = await newUser();
    const avatarId = await newAvatar(userId);
    const intent = { tierId: "standard", email: "buyer@example.com", avatarId, styleId: "professional" };
    const first = await createPayment(deps, userId, intent);
    const inits = initCalls();
    const again = await createPayment(deps, userId, { ...intent, styleId: "creative" });
    expect(again).toEqual(first);
    expect(initCalls()).toBe(inits);
    // The latest choice of style stands for the payment it bought.
    expect(await paymentRow(first.paymentId)).toMatchObject({ avatarId, styleId: "creative", provider: "tbank", paymentUrl: first.paymentUrl });

    // Another tier, another avatar, no avatar, another receipt address: other intents, other payments.
    const others = [
      await createPayment(deps, userId, { ...intent, tierId: "premium" }),
      await createPayment(deps, userId, { ...intent, avatarId: await newAvatar(userId) }),
      await createPayment(deps, userId, { tierId: "standard", email: "buyer@example.com" }),
      await createPayment(deps, userId, { ...intent, email: "other@example.com" }),
    ];
    expect(new Set([first.paymentId, ...others.map((o) => o.paymentId)]).size).toBe(5);
    // Both without an avatar are one intent too.
    expect(await createPayment(deps, userId, { tierId: "standard", email: "buyer@example.com" })).toEqual(others[2]);
    // Another user's identical intent is theirs.
    expect((await createPayment(deps, await newUser(), intent)).paymentId).not.toBe(first.paymentId);

    // Thirty minutes later the same intent opens a new payment.
    clock.advance(paymentIntentWindowMs);
    expect((await createPayment(deps, userId, intent)).paymentId).not.toBe(first.paymentId);
  });

  it("sends RedirectDueDate, so the bank's page dies with our pending payment", async () => {
    const userId = await newUser();
    const { paymentId } = await createPayment(deps, userId, { tierId: "starter", email: "a@b.ru" });
    const init = fake.calls.findLast((c) => c.method === "Init")!.body;
    const created = (await paymentRow(paymentId)).createdAt!;
    expect(init.RedirectDueDate).toBe(bankDueDate(new Date(created.getTime() + paymentSessionLifetimeMs)));
    expect(init.RedirectDueDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  });

  it("makes one payment and one Init of 10 parallel identical creates, all answered with its URL", async () => {
    const userId = await newUser();
    const avatarId = await newAvatar(userId);
    const { bank, open } = slowBank();
    deps.bank = bank;
    const inits = initCalls();
    const calls = Array.from({ length: 10 }, () => createPayment(deps, userId, { tierId: "standard", email: "a@b.ru", avatarId, styleId: "professional" }));
    await sleep(100);
    open();
    const results = await Promise.all(calls);
    const rows = await testDb.db.select().from(payments).where(eq(payments.userId, userId));
    const bankSessions = initCalls() - inits;
    console.log(`figure: 10 parallel identical payments.create → ${rows.length} payment, ${bankSessions} Init, ${new Set(results.map((r) => r.paymentUrl)).size} distinct bank URL`);
    expect(rows).toHaveLength(1);
    expect(bankSessions).toBe(1);
    expect(results.every((r) => r.paymentId === rows[0]!.id && r.paymentUrl === rows[0]!.paymentUrl)).toBe(true);
  });

  it("tells every concurrent caller when the one Init is refused, and the next create starts afresh", async () => {
    const userId = await newUser();
    const { bank, open } = slowBank();
    deps.bank = bank;
    fake.failNext("Init", { kind: "error", errorCode: "251", message: "Неверные параметры." });
    const inits = initCalls();
    const calls = Array.from({ length: 3 }, () => createPayment(deps, userId, { tierId: "starter", email: "a@b.ru" }).catch((error: unknown) => error));
    // Time for the others to find the pending payment; one that comes later than the refusal
    // (a slow machine) rightly starts afresh, so the checks below hold either way.
    await sleep(200);
    open();
    const outcomes = await Promise.all(calls);
    const refused = outcomes.filter((o) => (o as { key?: string }).key === "errors.payment.bankRefused");
    const fresh = outcomes.filter((o) => typeof (o as { paymentUrl?: unknown }).paymentUrl === "string");
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length + fresh.length).toBe(3);
    const freshPayments = new Set(fresh.map((o) => (o as { paymentId: number }).paymentId));
    expect(initCalls() - inits).toBe(1 + freshPayments.size);
    expect((await testDb.db.select().from(payments)).map((p) => p.status).sort()).toEqual(["canceled", ...[...freshPayments].map(() => "pending")].sort());
    deps.bank = realBank;
    await expect(createPayment(deps, userId, { tierId: "starter", email: "a@b.ru" })).resolves.toMatchObject({ paymentUrl: expect.any(String) });
  });
});

describe("canceling a pending payment", () => {
  it("cancels an unpaid one at the bank (the whole session, no receipt), and a new create of that intent makes a new payment", async () => {
    const userId = await newUser();
    const intent = { tierId: "standard", email: "a@b.ru" };
    const { paymentId } = await createPayment(deps, userId, intent);
    const bankId = await bankIdOf(paymentId);
    const result = await cancelPayment(deps, userId, paymentId);
    expect(result).toMatchObject({ outcome: "canceled", payment: { paymentId, status: "canceled", canceledByOwner: true, provider: "tbank" } });
    expect(cancelCalls().at(-1)!.body).toMatchObject({ PaymentId: bankId, Amount: 99_900 });
    expect(cancelCalls().at(-1)!.body.Receipt).toBeUndefined();
    expect(fake.payment(bankId).status).toBe("CANCELED");
    // Again: nothing more happens.
    const cancels = cancelCalls().length;
    expect(await cancelPayment(deps, userId, paymentId)).toMatchObject({ outcome: "canceled" });
    expect(cancelCalls()).toHaveLength(cancels);
    expect((await createPayment(deps, userId, intent)).paymentId).not.toBe(paymentId);
  });

  it("keeps a payment the bank confirmed meanwhile as paid, and says so", async () => {
    const userId = await newUser();
    const avatarId = await newAvatar(userId);
    const { paymentId } = await createPayment(deps, userId, { tierId: "standard", email: "a@b.ru", avatarId, styleId: "professional" });
    fake.setStatus(await bankIdOf(paymentId), "CONFIRMED");
    const cancels = cancelCalls().length;
    expect(await cancelPayment(deps, userId, paymentId)).toMatchObject({ outcome: "paid", payment: { status: "succeeded", canceledByOwner: false } });
    expect(cancelCalls()).toHaveLength(cancels);
    // Confirmed before the owner asked: the photoset it was bought for starts.
    expect(paidHookCalls).toEqual([{ paymentId, statusInTx: "succeeded" }]);
  });

  it("cancels nothing while the bank reports money on its way, and nothing when the bank cannot be asked", async () => {
    const userId = await newUser();
    const { paymentId } = await createPayment(deps, userId, { tierId: "standard", email: "a@b.ru" });
    const bankId = await bankIdOf(paymentId);
    fake.setStatus(bankId, "AUTHORIZED");
    const cancels = cancelCalls().length;
    expect(await cancelPayment(deps, userId, paymentId)).toMatchObject({ outcome: "processing", payment: { status: "pending" } });
    fake.setStatus(bankId, "NEW");
    fake.failNext("GetState", { kind: "http", status: 503 }, { kind: "http", status: 503 });
    await expect(cancelPayment(deps, userId, paymentId)).rejects.toMatchObject({ code: "BAD_GATEWAY", key: "errors.payment.bankUnavailable" });
    fake.failNext("Cancel", { kind: "http", status: 503 }, { kind: "http", status: 503 });
    await expect(cancelPayment(deps, userId, paymentId)).rejects.toMatchObject({ key: "errors.payment.bankUnavailable" });
    expect(await paymentRow(paymentId)).toMatchObject({ status: "pending" });
    expect(fake.payment(bankId).status).toBe("NEW");
    expect(await cancelPayment(deps, userId, paymentId)).toMatchObject({ outcome: "canceled" });
    expect(cancelCalls().length - cancels).toBe(3);
    await expect(cancelPayment(deps, await newUser(), paymentId)).rejects.toMatchObject({ code: "NOT_FOUND", key: "errors.payment.notFound" });
  });

  it("when the buyer pays in the instant between GetState and Cancel: the money goes back and no photoset starts by itself", async () => {
    const userId = await newUser();
    const avatarId = await newAvatar(userId);
    const { paymentId } = await createPayment(deps, userId, { tierId: "starter", email: "a@b.ru", avatarId, styleId: "professional" });
    const bankId = await bankIdOf(paymentId);
    deps.bank = {
      ...realBank,
      cancel: async (request) => {
        await fake.buyerPays(bankId);
        return realBank.cancel(request);
      },
    };
    expect(await cancelPayment(deps, userId, paymentId)).toMatchObject({ outcome: "refunded", payment: { status: "refunded" } });
    expect(fake.payment(bankId)).toMatchObject({ status: "REFUNDED", remaining: 0 });
    expect(paidHookCalls).toEqual([]);
  });
});

describe("the photoset starts on the bank's word", () => {
  it("hands a paid payment bound to an avatar and style to onPaid in the transaction that records it, once", async () => {
    const userId = await newUser();
    const avatarId = await newAvatar(userId);
    const bound = await createPayment(deps, userId, { tierId: "standard", email: "a@b.ru", avatarId, styleId: "professional" });
    const unbound = await createPayment(deps, userId, { tierId: "starter", email: "a@b.ru" });
    await fake.buyerPays(await bankIdOf(bound.paymentId));
    await fake.buyerPays(await bankIdOf(unbound.paymentId));
    const bankId = await bankIdOf(bound.paymentId);
    await fake.send(bankId, fake.notificationFor(bankId, "CONFIRMED"));
    expect(paidHookCalls).toEqual([{ paymentId: bound.paymentId, statusInTx: "succeeded" }]);
    expect((await listPayments(testDb.db, userId)).map((p) => p.status)).toEqual(["succeeded", "succeeded"]);
  });

  it("records nothing when the start fails for another reason than the photoset's own, so the bank's resend starts it", async () => {
    const userId = await newUser();
    const avatarId = await newAvatar(userId);
    const { paymentId } = await createPayment(deps, userId, { tierId: "standard", email: "a@b.ru", avatarId, styleId: "professional" });
    const bankId = await bankIdOf(paymentId);
    failHookOnce = true;
    expect((await fake.send(bankId, fake.notificationFor(bankId, "CONFIRMED"))).status).toBe(500);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "pending" });
    expect(await fake.send(bankId, fake.notificationFor(bankId, "CONFIRMED"))).toEqual({ status: 200, text: "OK" });
    expect(paidHookCalls).toEqual([{ paymentId, statusInTx: "succeeded" }]);
  });

  it("starts it too when GetState recovers a lost notification", async () => {
    const userId = await newUser();
    const avatarId = await newAvatar(userId);
    const { paymentId } = await createPayment(deps, userId, { tierId: "standard", email: "a@b.ru", avatarId, styleId: "professional" });
    await fake.buyerPays(await bankIdOf(paymentId), { lose: true });
    clock.advance(61_000);
    expect(await sweepPendingPayments(deps)).toBe(1);
    expect(paidHookCalls).toEqual([{ paymentId, statusInTx: "succeeded" }]);
  });
});
