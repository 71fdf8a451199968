import { createApiKey, createSessionTokens } from "@pinglass/accounts";
import { manualClock } from "@pinglass/core";
import { auditLog, avatars, generationSlots, paymentEvents, paymentRefunds, payments, referencePhotos, telegramDeliveries, users } from "@pinglass/db";
import { createGenerationWorker, type ImageProvider, ProviderError, recordProviderCall, startJob } from "@pinglass/generation";
import { photoJpeg } from "@pinglass/media/testing";
import { type BankClient, createLocalTestBank, scheduleRefundForJob, sweepRefunds } from "@pinglass/payments";
import { findOrCreateTelegramUser, scheduleDeliveryForJob } from "@pinglass/telegram";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appRouter } from "../root.ts";
import { createTestApi, testSessionSecret } from "../testing.ts";

const operatorTelegramId = 700_001n;
const finishHooks = [scheduleRefundForJob, scheduleDeliveryForJob];

let api: Awaited<ReturnType<typeof createTestApi>>;
let bank: BankClient;
beforeAll(async () => {
  api = await createTestApi({ operators: { telegramIds: [operatorTelegramId, 700_002n], jobFinishHooks: finishHooks, leaseMs: 60_000 } });
  bank = api.deps.bank;
});
afterAll(() => api.testDb.close());
beforeEach(async () => {
  api.deps.bank = bank;
  await api.testDb.reset();
});

type Caller = ReturnType<typeof api.withToken>;

/** A user who signed in with Telegram (as the Mini App or the Login Widget do), and a caller with their session. */
async function telegramUser(telegramUserId: bigint) {
  const user = await findOrCreateTelegramUser(api.testDb.db, { telegramUserId, languageCode: "en", firstName: "Operator", username: null });
  const { token } = api.deps.sessions.issue(user.id);
  return { user, token, caller: api.withToken(token, "en") };
}
const operator = () => telegramUser(operatorTelegramId);

/** One call of every admin procedure, with an input it accepts: the matrix below goes through all of them. */
const everyAdminCall: Record<string, (caller: Caller) => Promise<unknown>> = {
  "admin.me": (c) => c.admin.me(),
  "admin.overview": (c) => c.admin.overview(),
  "admin.payments.search": (c) => c.admin.payments.search({ query: "buyer@example.com" }),
  "admin.payments.get": (c) => c.admin.payments.get({ paymentId: 999_999 }),
  "admin.payments.refund": (c) => c.admin.payments.refund({ paymentId: 999_999, photos: 2 }),
  "admin.payments.recheck": (c) => c.admin.payments.recheck({ paymentId: 999_999 }),
  "admin.jobs.list": (c) => c.admin.jobs.list({ kind: "failed" }),
  "admin.jobs.get": (c) => c.admin.jobs.get({ jobId: 999_999 }),
  "admin.jobs.retry": (c) => c.admin.jobs.retry({ jobId: 999_999 }),
  "admin.jobs.cancel": (c) => c.admin.jobs.cancel({ jobId: 999_999 }),
  "admin.users.search": (c) => c.admin.users.search({ query: "1" }),
  "admin.users.get": (c) => c.admin.users.get({ userId: 999_999 }),
  "admin.users.deleteAll": (c) => c.admin.users.deleteAll({ userId: 999_999, confirm: true }),
  "admin.deliveries.list": (c) => c.admin.deliveries.list({ status: "failed" }),
  "admin.deliveries.resend": (c) => c.admin.deliveries.resend({ jobId: 999_999 }),
  "admin.audit": (c) => c.admin.audit({}),
};

const statusOf = async (call: Promise<unknown>) =>
  call.then(
    () => 200,
    (error: unknown) => (error instanceof TRPCError ? getHTTPStatusCodeFromError(error) : 500),
  );

/** A paid card payment of a new user (the local test bank's checkout and signed notification). */
async function paidPayment(tierId: "starter" | "standard" = "standard", email = "Buyer@Example.com") {
  const { caller, userId } = await api.signIn();
  const created = await caller.payments.create({ tierId, email });
  if (created.method !== "card") throw new Error("expected a card payment");
  await api.localBank.complete(/\/checkout\/test\/(\d+)\//.exec(created.paymentUrl)![1]!, "pay");
  const payment = (await api.testDb.db.select().from(payments)).find((p) => p.id === created.paymentId);
  return { caller, userId, payment: payment! };
}

/** An avatar of the user with five selfies, ready to generate. */
async function avatarWithSelfies(userId: number) {
  const [avatar] = await api.testDb.db.insert(avatars).values({ userId, name: "A" }).returning();
  await api.testDb.db
    .insert(referencePhotos)
    .values(Array.from({ length: 5 }, (_, i) => ({ avatarId: avatar!.id, storageKey: `references/${avatar!.id}/${i}.jpg`, thumbnailKey: `references/${avatar!.id}/${i}-t.jpg`, sizeBytes: 1, width: 1, height: 1, contentType: "image/jpeg" })));
  return avatar!.id;
}

/** An image service that makes every photo. */
async function provider(): Promise<ImageProvider> {
  const image = await photoJpeg(64, 80);
  return {
    name: "kie",
    maxConcurrency: 4,
    submit: async () => ({ kind: "succeeded", image, contentType: "image/jpeg" }),
    check: async () => ({ kind: "failed", retryable: false, reason: "unknown task" }),
  };
}

/** Works every due slot with `imageProvider`, ending jobs with the server's finish hooks. */
async function work(imageProvider: ImageProvider) {
  const worker = createGenerationWorker(
    { db: api.testDb.db, clock: api.clock, storage: api.deps.media.storage, provider: imageProvider, callbackUrl: "http://pinglass.test/webhooks/kie", hooks: finishHooks },
    { maxAttempts: 1 },
  );
  await worker.tick(new AbortController().signal);
}

/** A paid 7-photo job that made `made` photos and failed the rest (its refund queued by its end, as on the server). */
async function failedJob(made: number) {
  const { userId, payment } = await paidPayment("starter");
  const avatarId = await avatarWithSelfies(userId);
  const job = await startJob(api.testDb.db, api.clock, { userId, avatarId, styleId: "professional", paymentId: payment.id });
  const slots = (await api.testDb.db.select().from(generationSlots)).filter((s) => s.jobId === job.id);
  const failing = new Set(slots.filter((s) => s.position >= made).map((s) => s.id));
  const image = await photoJpeg(64, 80);
  // Which slot a submit is for is not in the request: the prompt tells them apart.
  const prompts = new Map(slots.map((s) => [s.prompt, s.id]));
  await work({
    name: "kie",
    maxConcurrency: 7,
    submit: async (request) => {
      if (failing.has(prompts.get(request.prompt)!)) throw new ProviderError("content policy", false);
      return { kind: "succeeded", image, contentType: "image/jpeg" };
    },
    check: async () => ({ kind: "failed", retryable: false, reason: "unknown task" }),
  });
  return { userId, avatarId, payment, job };
}

const auditEntries = () => api.testDb.db.select().from(auditLog).orderBy(auditLog.id);

describe("who may use the operators' console", () => {
  it("the matrix lists every admin procedure", () => {
    const adminProcedures = Object.keys(appRouter._def.procedures).filter((path) => path.startsWith("admin."));
    expect(Object.keys(everyAdminCall).sort()).toEqual(adminProcedures.sort());
  });

  it("refuses every admin procedure with 403 to an ordinary user, a deleted user's token, an expired session, a Telegram user not named, an API key without the admin scope and no token", async () => {
    const ordinary = await api.signIn();
    const deleted = await telegramUser(700_002n);
    await deleted.caller.account.deleteAll({ confirm: true });
    const stranger = await telegramUser(123_456n);
    // An operator's own session, signed long ago and expired since.
    const { user: operatorUser } = await operator();
    const expired = createSessionTokens({ secret: testSessionSecret, ttlSeconds: 60, clock: manualClock(new Date("2020-01-01T00:00:00Z")) }).issue(operatorUser.id).token;
    const key = await createApiKey(api.testDb.db, ordinary.userId, { name: "all but admin", scopes: ["read", "create", "generate", "pay"] }, api.clock.now());
    const callers: Record<string, Caller> = {
      "an ordinary user": api.withToken(ordinary.token),
      "a deleted operator's token": deleted.caller,
      "an operator's expired session": api.withToken(expired),
      "a Telegram user not in ADMIN_TELEGRAM_IDS": stranger.caller,
      "an API key without admin": api.withToken(key.secret),
      "no token": api.anonymous(),
    };
    const refused: string[] = [];
    for (const [who, caller] of Object.entries(callers)) {
      for (const [path, call] of Object.entries(everyAdminCall)) {
        const status = await statusOf(call(caller));
        if (status !== 403) refused.push(`${who} × ${path}: ${status}`);
      }
    }
    expect(refused).toEqual([]);
    await expect(api.anonymous("en").admin.overview()).rejects.toMatchObject({ code: "FORBIDDEN", message: "Operators only." });
    expect(await auditEntries()).toEqual([]);
  });

  it("lets an operator in, and nobody at all when ADMIN_TELEGRAM_IDS is empty", async () => {
    const { caller, user } = await operator();
    expect(await caller.admin.me()).toEqual({ userId: user.id, telegramId: String(operatorTelegramId) });
    for (const [path, call] of Object.entries(everyAdminCall)) expect([path, await statusOf(call(caller))]).not.toEqual([path, 403]);
    const settings = api.deps.operators;
    api.deps.operators = { ...settings!, telegramIds: [] };
    try {
      expect(await statusOf(caller.admin.me())).toBe(403);
    } finally {
      api.deps.operators = settings;
    }
  });
});

describe("admin API keys", () => {
  it("may be made by an operator alone (written in the audit log), and work only while their holder is an operator", async () => {
    const ordinary = await api.signIn();
    await expect(api.withToken(ordinary.token, "en").account.apiKeys.create({ name: "ops", scopes: ["admin"] })).rejects.toMatchObject({ code: "FORBIDDEN", message: "Only operators can have keys with the “admin” scope." });
    const { caller, user } = await operator();
    const key = await caller.account.apiKeys.create({ name: "monitoring", scopes: ["admin", "read"] });
    expect(key.scopes).toEqual(["admin", "read"]);
    expect(await auditEntries()).toMatchObject([{ actorUserId: user.id, action: "apiKey.createAdmin", targetType: "apiKey", targetId: key.id, before: null, after: { name: "monitoring", scopes: ["admin", "read"] } }]);

    const withKey = api.withToken(key.secret, "en");
    expect(await withKey.admin.me()).toEqual({ userId: user.id, telegramId: String(operatorTelegramId) });
    const { payment } = await paidPayment();
    await withKey.admin.payments.refund({ paymentId: payment.id, photos: 1 });
    expect((await auditEntries()).at(-1)).toMatchObject({ action: "payment.refund", actorUserId: user.id, actorApiKeyId: key.id });

    // Taken off ADMIN_TELEGRAM_IDS: the key's admin power goes at once.
    const settings = api.deps.operators!;
    api.deps.operators = { ...settings, telegramIds: [700_002n] };
    try {
      expect(await statusOf(withKey.admin.me())).toBe(403);
    } finally {
      api.deps.operators = settings;
    }
  });
});

describe("admin.payments", () => {
  it("finds a payment by order id, bank payment id, e-mail in any case and user, with its history", async () => {
    const { payment, userId } = await paidPayment();
    await paidPayment("starter", "someone@else.ru");
    const { caller } = await operator();
    for (const query of [payment.orderId!, payment.tbankPaymentId!, "buyer@EXAMPLE.com", String(userId)]) {
      const { items } = await caller.admin.payments.search({ query });
      expect([query, items.map((p) => p.id)]).toEqual([query, [payment.id]]);
    }
    expect((await caller.admin.payments.search({ query: "nobody@example.com" })).items).toEqual([]);
    const detail = await caller.admin.payments.get({ paymentId: payment.id });
    expect(detail.payment).toMatchObject({ status: "succeeded", amount: "999.00", currency: "RUB", provider: "test", photoCount: 15, receiptEmail: "Buyer@Example.com", refundedAmount: "0.00" });
    expect(detail.events.map((e) => e.bankStatus)).toContain("CONFIRMED");
    await expect(caller.admin.payments.get({ paymentId: 999_999 })).rejects.toMatchObject({ code: "NOT_FOUND", message: "Payment not found." });
  });

  it("refunds two photos through the system's refund queue, with the audit entry in the same transaction", async () => {
    const { payment } = await paidPayment();
    const { caller, user } = await operator();
    const refund = await caller.admin.payments.refund({ paymentId: payment.id, photos: 2 });
    // Two of fifteen photos of 999.00: 133.20, queued for the sweep.
    expect(refund).toMatchObject({ jobId: null, amount: "133.20", photos: 2, status: "pending" });
    const [entry] = await auditEntries();
    expect(entry).toMatchObject({
      actorUserId: user.id,
      actorTelegramId: operatorTelegramId,
      actorApiKeyId: null,
      action: "payment.refund",
      targetType: "payment",
      targetId: payment.id,
      before: { status: "succeeded", refundedAmount: "0.00", refundingAmount: "0.00", used: false },
      after: { status: "succeeded", refundedAmount: "0.00", refundingAmount: "133.20", refund: { id: refund.id, amount: "133.20", photos: 2 } },
    });

    expect(await sweepRefunds(api.deps)).toBe(1);
    expect((await caller.admin.payments.get({ paymentId: payment.id })).payment).toMatchObject({ status: "succeeded", refundedAmount: "133.20", refundingAmount: "0.00" });
    // The rest, then nothing more: a refund can never take more than was paid.
    expect(await caller.admin.payments.refund({ paymentId: payment.id, photos: null })).toMatchObject({ amount: "865.80", photos: 15 });
    await expect(caller.admin.payments.refund({ paymentId: payment.id, photos: 1 })).rejects.toMatchObject({ code: "CONFLICT", message: "Nothing is left to refund on this payment: all of it has gone back or is on its way." });
    expect(await sweepRefunds(api.deps)).toBe(1);
    const { payment: refunded, refunds } = await caller.admin.payments.get({ paymentId: payment.id });
    expect(refunded).toMatchObject({ status: "refunded", refundedAmount: "999.00", used: true });
    expect(refunds.map((r) => [r.amount, r.status])).toEqual([
      ["133.20", "succeeded"],
      ["865.80", "succeeded"],
    ]);
    expect((await auditEntries()).map((e) => e.action)).toEqual(["payment.refund", "payment.refund"]);
  });

  it("lets two refunds at once take the money once", async () => {
    const { payment } = await paidPayment();
    const { caller } = await operator();
    const outcomes = await Promise.allSettled([caller.admin.payments.refund({ paymentId: payment.id, photos: null }), caller.admin.payments.refund({ paymentId: payment.id, photos: null })]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await api.testDb.db.select().from(paymentRefunds)).toHaveLength(1);
    expect(await auditEntries()).toHaveLength(1);
  });

  it("refuses what cannot be refunded in the operator's language, changing nothing", async () => {
    const { caller: buyer } = await api.signIn();
    const pending = await buyer.payments.create({ tierId: "starter", email: "a@b.ru" });
    const { payment } = await paidPayment("starter");
    const [stars] = await api.testDb.db
      .insert(payments)
      .values({ userId: payment.userId, orderId: crypto.randomUUID(), tierId: "starter", photoCount: 7, amount: "250.00", currency: "XTR", status: "succeeded", provider: "stars", telegramPaymentChargeId: "charge-1" })
      .returning();
    const { caller } = await operator();
    await expect(caller.admin.payments.refund({ paymentId: pending.paymentId, photos: null })).rejects.toMatchObject({ code: "CONFLICT", message: "Only a paid payment can be refunded." });
    await expect(caller.admin.payments.refund({ paymentId: payment.id, photos: 8 })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "The number of photos must be from 1 to 7." });
    await expect(caller.admin.payments.refund({ paymentId: stars!.id, photos: 2 })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Telegram Stars can only be refunded as a whole payment." });
    await expect(caller.admin.payments.recheck({ paymentId: stars!.id })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(await api.testDb.db.select().from(paymentRefunds)).toEqual([]);
    expect(await auditEntries()).toEqual([]);
    // A whole Stars payment can go back.
    expect(await caller.admin.payments.refund({ paymentId: stars!.id, photos: null })).toMatchObject({ amount: "250.00", photos: 7 });
  });

  it("asks the bank again (GetState) when its notification was lost, and writes down what changed", async () => {
    // A bank whose notifications never arrive.
    const lost = createLocalTestBank({ publicUrl: "http://pinglass.test", deliver: async () => undefined });
    api.deps.bank = lost;
    const { caller: buyer } = await api.signIn();
    const created = await buyer.payments.create({ tierId: "starter", email: "a@b.ru" });
    if (created.method !== "card") throw new Error("expected a card payment");
    await lost.complete(/\/checkout\/test\/(\d+)\//.exec(created.paymentUrl)![1]!, "pay");
    const { caller } = await operator();
    expect((await caller.admin.payments.get({ paymentId: created.paymentId })).payment.status).toBe("pending");

    const answer = await caller.admin.payments.recheck({ paymentId: created.paymentId });
    expect(answer).toMatchObject({ changed: true, payment: { status: "succeeded", bankStatus: "CONFIRMED" } });
    const [entry] = await auditEntries();
    expect(entry).toMatchObject({ action: "payment.recheck", targetId: created.paymentId, before: { status: "pending" }, after: { status: "succeeded", bankStatus: "CONFIRMED" } });
    expect((await api.testDb.db.select().from(paymentEvents)).filter((e) => e.paymentId === created.paymentId).map((e) => e.bankStatus)).toContain("CONFIRMED");
  });
});

describe("admin.jobs", () => {
  it("lists failed jobs, retries their failed photos (the unsent refund withdrawn) and the job completes without a refund", async () => {
    const { job, payment } = await failedJob(4);
    const { caller } = await operator();
    expect((await caller.admin.jobs.list({ kind: "failed" })).items).toMatchObject([{ id: job.id, status: "failed", completedPhotos: 4, slots: { failed: 3, succeeded: 4 }, paymentId: payment.id }]);
    expect(await api.testDb.db.select().from(paymentRefunds)).toMatchObject([{ jobId: job.id, failedPhotos: 3, status: "pending", attempts: 0 }]);

    expect(await caller.admin.jobs.retry({ jobId: job.id })).toEqual({ retried: 3, refund: "withdrawn" });
    expect(await api.testDb.db.select().from(paymentRefunds)).toEqual([]);
    const [entry] = await auditEntries();
    expect(entry).toMatchObject({ action: "job.retry", targetType: "job", targetId: job.id, before: { status: "failed", slots: { failed: 3 } }, after: { status: "processing", slots: { pending: 3, failed: 0 }, retried: 3 } });

    await work(await provider());
    expect((await caller.admin.jobs.get({ jobId: job.id })).job).toMatchObject({ status: "completed", completedPhotos: 7, slots: { succeeded: 7, failed: 0 } });
    expect(await api.testDb.db.select().from(paymentRefunds)).toEqual([]);
    await expect(caller.admin.jobs.retry({ jobId: job.id })).rejects.toMatchObject({ code: "CONFLICT", message: "This job has no failed photos." });
  });

  it("refuses a retry while the job's refund may be at the bank, and keeps a refund already made", async () => {
    const { job } = await failedJob(5);
    const { caller } = await operator();
    // The sweep claimed the refund (an attempt) and is talking to the bank.
    await api.testDb.db.update(paymentRefunds).set({ attempts: 1 });
    await expect(caller.admin.jobs.retry({ jobId: job.id })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await caller.admin.jobs.get({ jobId: job.id })).job.status).toBe("failed");
    expect(await auditEntries()).toEqual([]);

    await api.testDb.db.update(paymentRefunds).set({ attempts: 0 });
    expect(await sweepRefunds(api.deps)).toBe(1);
    expect(await caller.admin.jobs.retry({ jobId: job.id })).toEqual({ retried: 2, refund: "kept" });
    await work(await provider());
    // The photos are made; the money that went back stays back, and no second refund is made.
    expect(await api.testDb.db.select({ status: paymentRefunds.status }).from(paymentRefunds)).toEqual([{ status: "succeeded" }]);
  });

  it("cancels a running job: its unmade photos fail, their refund is queued, the job is failed", async () => {
    const { userId, payment } = await paidPayment("starter");
    const avatarId = await avatarWithSelfies(userId);
    const job = await startJob(api.testDb.db, api.clock, { userId, avatarId, styleId: "professional", paymentId: payment.id });
    const { caller } = await operator();
    expect(await caller.admin.jobs.cancel({ jobId: job.id })).toEqual({ canceled: 7 });
    const { job: canceled, slots } = await caller.admin.jobs.get({ jobId: job.id });
    expect(canceled).toMatchObject({ status: "failed", completedPhotos: 0, slots: { failed: 7 } });
    expect(new Set(slots.map((s) => s.errorMessage))).toEqual(new Set(["Генерация отменена оператором."]));
    expect(await api.testDb.db.select().from(paymentRefunds)).toMatchObject([{ jobId: job.id, amount: "499.00", failedPhotos: 7, status: "pending" }]);
    const avatar = (await api.testDb.db.select().from(avatars)).find((a) => a.id === avatarId);
    expect(avatar!.status).toBe("draft");
    expect((await auditEntries()).map((e) => [e.action, (e.before as { status: string }).status, (e.after as { status: string }).status])).toEqual([["job.cancel", "processing", "failed"]]);
    await expect(caller.admin.jobs.cancel({ jobId: job.id })).rejects.toMatchObject({ code: "CONFLICT", message: "Only a running photoset can be cancelled." });
  });

  it("lets an operator's refund and the job's own refund together return no more than was paid", async () => {
    const { userId, payment } = await paidPayment("starter");
    const job = await startJob(api.testDb.db, api.clock, { userId, avatarId: await avatarWithSelfies(userId), styleId: "professional", paymentId: payment.id });
    const { caller } = await operator();
    // Five of seven photos refunded while the job runs, then the job is cancelled with nothing made.
    expect(await caller.admin.payments.refund({ paymentId: payment.id, photos: 5 })).toMatchObject({ amount: "356.43" });
    await caller.admin.jobs.cancel({ jobId: job.id });
    const refunds = await api.testDb.db.select().from(paymentRefunds);
    expect(refunds.map((r) => [r.jobId, r.amount]).sort()).toEqual([
      [job.id, "142.57"],
      [null, "356.43"],
    ].sort());
    expect(await sweepRefunds(api.deps)).toBe(2);
    expect((await caller.admin.payments.get({ paymentId: payment.id })).payment).toMatchObject({ status: "refunded", refundedAmount: "499.00" });
  });

  it("calls a running job stuck once nothing has moved for longer than a lease", async () => {
    const { userId, payment } = await paidPayment("starter");
    const job = await startJob(api.testDb.db, api.clock, { userId, avatarId: await avatarWithSelfies(userId), styleId: "professional", paymentId: payment.id });
    const { caller } = await operator();
    expect((await caller.admin.jobs.list({ kind: "stuck" })).items).toEqual([]);
    expect((await caller.admin.jobs.list({ kind: "recent" })).items.map((j) => j.id)).toEqual([job.id]);
    api.clock.advance(61_000);
    expect((await caller.admin.jobs.list({ kind: "stuck" })).items).toMatchObject([{ id: job.id, status: "processing", slots: { pending: 7 } }]);
    expect((await caller.admin.overview()).generation).toMatchObject({ inFlight: 1, stuck: 1 });
  });
});

describe("admin.deliveries", () => {
  it("lists failed Telegram deliveries with the reason and queues one again", async () => {
    const { job } = await failedJob(7);
    await api.testDb.db.insert(telegramDeliveries).values({ jobId: job.id, chatId: 42n, status: "failed", attempts: 1, sentPhotos: 0, errorMessage: "Forbidden: bot was blocked by the user" });
    const { caller } = await operator();
    expect((await caller.admin.deliveries.list({ status: "failed" })).items).toMatchObject([{ jobId: job.id, chatId: "42", errorMessage: "Forbidden: bot was blocked by the user" }]);
    expect(await caller.admin.deliveries.resend({ jobId: job.id })).toMatchObject({ status: "pending", attempts: 0, errorMessage: null });
    expect((await caller.admin.deliveries.list({ status: "pending" })).items.map((d) => d.jobId)).toEqual([job.id]);
    expect((await auditEntries()).map((e) => e.action)).toEqual(["delivery.resend"]);
    await expect(caller.admin.deliveries.resend({ jobId: job.id })).rejects.toMatchObject({ code: "CONFLICT", message: "Only a failed delivery can be sent again." });
  });
});

describe("admin.users", () => {
  it("finds a user by id, Telegram id or receipt e-mail, with their avatars, payments and jobs", async () => {
    const { userId, payment, job } = await failedJob(7);
    await api.testDb.db.execute(`UPDATE users SET telegram_user_id = 555000111 WHERE id = ${userId}`);
    const { caller } = await operator();
    for (const query of [String(userId), "555000111", "BUYER@example.com"]) {
      expect([query, (await caller.admin.users.search({ query })).items.map((u) => u.id)]).toEqual([query, [userId]]);
    }
    const detail = await caller.admin.users.get({ userId });
    expect(detail.user).toMatchObject({ id: userId, telegramUserId: "555000111", avatars: 1, photos: 7, payments: 1, paidPayments: 1 });
    expect(detail.payments.map((p) => p.id)).toEqual([payment.id]);
    expect(detail.jobs.map((j) => j.id)).toEqual([job.id]);
    expect(detail.avatars.map((a) => a.photoCount)).toEqual([7]);
  });

  it("deletes all of a user's data on request, keeping only counts in the audit log", async () => {
    const { userId } = await failedJob(7);
    const { caller } = await operator();
    expect(await caller.admin.users.deleteAll({ userId, confirm: true })).toEqual({ deleted: true });
    expect((await api.testDb.db.select().from(users)).map((u) => u.id)).not.toContain(userId);
    expect(await api.testDb.db.select().from(payments)).toEqual([]);
    const [entry] = await auditEntries();
    expect(entry).toMatchObject({ action: "user.delete", targetType: "user", targetId: userId, before: { avatars: 1, photos: 7, payments: 1, paidPayments: 1, telegramLinked: false }, after: { deleted: true } });
    expect(JSON.stringify([entry!.before, entry!.after])).not.toContain("@");
    await expect(caller.admin.users.get({ userId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses to delete while a payment may still complete, leaving the data and the log as they were", async () => {
    const { caller: buyer, userId } = await api.signIn();
    await buyer.payments.create({ tierId: "starter", email: "a@b.ru" });
    const { caller } = await operator();
    await expect(caller.admin.users.deleteAll({ userId, confirm: true })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await api.testDb.db.select().from(users)).map((u) => u.id)).toContain(userId);
    expect(await auditEntries()).toEqual([]);
  });
});

describe("admin.overview and admin.audit", () => {
  it("gives money per day with roubles and Stars apart, queues, failure rates and provider latency", async () => {
    await failedJob(4);
    const { payment } = await paidPayment();
    await api.testDb.db.insert(payments).values({ userId: payment.userId, orderId: crypto.randomUUID(), tierId: "starter", photoCount: 7, amount: "250.00", currency: "XTR", status: "succeeded", provider: "stars", createdAt: api.clock.now() });
    for (const [durationMs, outcome] of [
      [100, "ok"],
      [200, "ok"],
      [300, "ok"],
      [4000, "error"],
    ] as const) {
      await recordProviderCall(api.testDb.db, { provider: "kie", operation: "submit", outcome, durationMs, at: api.clock.now() });
    }
    const { caller } = await operator();
    const view = await caller.admin.overview();
    expect(view.revenue).toEqual([
      { day: "2026-01-01", currency: "RUB", paid: 2, amount: "1498.00", refunded: "0.00" },
      { day: "2026-01-01", currency: "XTR", paid: 1, amount: "250.00", refunded: "0.00" },
    ]);
    expect(view.refunds).toEqual({ pending: 1, failed: 0 });
    expect(view.generation).toMatchObject({ inFlight: 0, lastDay: { jobs: 1, failedJobs: 1, slots: 7, failedSlots: 3 } });
    expect(view.providers).toEqual([
      { provider: "kie", window: "hour", calls: 4, errors: 1, p50Ms: 250, p95Ms: 3445 },
      { provider: "kie", window: "day", calls: 4, errors: 1, p50Ms: 250, p95Ms: 3445 },
    ]);
    expect(view.deliveries).toEqual({ pending: 0, failed: 0 });
  });

  it("shows the log newest first, a page at a time", async () => {
    const { payment } = await paidPayment();
    const { caller } = await operator();
    for (let i = 0; i < 3; i++) await caller.admin.payments.refund({ paymentId: payment.id, photos: 1 });
    const first = await caller.admin.audit({ limit: 2 });
    expect(first.items.map((e) => e.action)).toEqual(["payment.refund", "payment.refund"]);
    expect(first.items[0]!.id).toBeGreaterThan(first.items[1]!.id);
    const second = await caller.admin.audit({ limit: 2, cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [{ actorTelegramId: String(operatorTelegramId) }], nextCursor: null });
  });
});
