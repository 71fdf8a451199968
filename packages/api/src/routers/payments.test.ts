import { avatars, generationJobs, payments, referencePhotos } from "@pinglass/db";
import { createGenerationWorker, type ImageProvider, ProviderError, startJob } from "@pinglass/generation";
import { type BankClient, createLocalTestBank, createTbankClient, scheduleRefundForJob, sweepRefunds, takePaidPhotoset } from "@pinglass/payments";
import { startFakeTbank } from "@pinglass/payments/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApi } from "../testing.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.testDb.close());
beforeEach(() => api.testDb.reset());

/** Puts another bank behind the same router and database for one test. */
const useBank = (bank: BankClient) => {
  api.deps.bank = bank;
};
/** A card payment's answer (payments.create answers Stars with an invoice link instead). */
function card<T extends { method: string }>(created: T): Extract<T, { method: "card" }> {
  if (created.method !== "card") throw new Error(`expected a card payment, got ${created.method}`);
  return created as Extract<T, { method: "card" }>;
}
/** The test checkout's PaymentURL is /checkout/test/<PaymentId>/<signed token>. */
const paymentIdFromUrl = (url: string) => /\/checkout\/test\/(\d+)\//.exec(url)![1]!;

describe("pricing.list", () => {
  it("gives the one server-side tier list to anyone", async () => {
    expect(await api.anonymous().pricing.list()).toEqual([
      { id: "starter", amountKopecks: 49_900, amountRub: "499.00", photoCount: 7, popular: false },
      { id: "standard", amountKopecks: 99_900, amountRub: "999.00", photoCount: 15, popular: true },
      { id: "premium", amountKopecks: 149_900, amountRub: "1499.00", photoCount: 23, popular: false },
    ]);
  });
});

describe("payments.create", () => {
  it("needs a valid e-mail and a known tier, says so in the caller's language, and writes nothing", async () => {
    const { token } = await api.signIn();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ tierId: "standard" }, "ru", "Укажите e-mail: на него придёт чек об оплате."],
      [{ tierId: "standard", email: "  " }, "en", "Enter an email address: the payment receipt is sent there."],
      [{ tierId: "standard", email: "buyer@" }, "en", "This email address has a mistake in it. The payment receipt is sent there."],
      [{ tierId: "gold", email: "a@b.ru" }, "ru", "Такого пакета нет. Выберите пакет из списка."],
    ];
    for (const [input, locale, message] of cases) {
      await expect(api.withToken(token, locale).payments.create(input as never)).rejects.toMatchObject({ code: "BAD_REQUEST", message });
    }
    expect(await api.testDb.db.select().from(payments)).toEqual([]);
    await expect(api.anonymous().payments.create({ tierId: "starter", email: "a@b.ru" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("runs the whole path offline: test checkout, signed notification, paid photoset, then used by a job", async () => {
    const { caller, userId } = await api.signIn();
    const created = card(await caller.payments.create({ tierId: "standard", email: " Buyer@Example.com " }));
    expect(created.paymentUrl).toMatch(/^http:\/\/pinglass\.test\/checkout\/test\/\d+\/\d+\.[\w-]{43}$/);
    expect(await caller.payments.status({ paymentId: created.paymentId })).toMatchObject({ status: "pending" });

    const { redirectUrl } = await api.localBank.complete(paymentIdFromUrl(created.paymentUrl), "pay");
    expect(redirectUrl).toBe(`http://pinglass.test/payment/return?paymentId=${created.paymentId}&result=success`);
    expect(await caller.payments.status({ paymentId: created.paymentId })).toMatchObject({ status: "succeeded", amount: "999.00", photoCount: 15, tierId: "standard" });
    const me = await caller.session.me();
    expect(me.hasPaid).toBe(true);
    expect(me.paidPhotosets).toEqual([{ paymentId: created.paymentId, tierId: "standard", photoCount: 15 }]);

    // A job consumes it, makes 5 of 15, and a third of the money comes back.
    const [avatar] = await api.testDb.db.insert(avatars).values({ userId, name: "A" }).returning();
    const [job] = await api.testDb.db.transaction(async (tx) => {
      const payment = await takePaidPhotoset(tx, api.deps.clock.now(), userId, created.paymentId);
      return tx.insert(generationJobs).values({ avatarId: avatar!.id, styleId: "business", status: "failed", totalPhotos: payment.photoCount, completedPhotos: 5, paymentId: payment.id }).returning();
    });
    await api.testDb.db.transaction((tx) => scheduleRefundForJob(tx, job!));
    expect((await caller.session.me()).paidPhotosets).toEqual([]);
    // The refund is on its way: the avatar (and the refund's row with it) stays until it is through.
    await expect(caller.avatars.delete({ avatarId: avatar!.id })).rejects.toMatchObject({ code: "CONFLICT", message: "Мы возвращаем деньги за несделанные фото этого аватара. Удалить его можно, когда возврат завершится — обычно это пара минут." });
    expect(await sweepRefunds(api.deps)).toBe(1);
    const [listed] = await caller.payments.list();
    // 5 photos were made: the purchase stands, partly refunded, and the user still counts as paid.
    expect(listed).toMatchObject({ paymentId: created.paymentId, status: "succeeded", used: true, refundedAmount: "666.00", refunds: [{ amount: "666.00", failedPhotos: 10, status: "succeeded" }] });
    expect((await caller.session.me()).hasPaid).toBe(true);
    await caller.avatars.delete({ avatarId: avatar!.id });
    expect(await caller.payments.list()).toMatchObject([{ paymentId: created.paymentId, used: true, refundedAmount: "666.00" }]);
    expect((await caller.session.me()).paidPhotosets).toEqual([]);
  });

  it("ends declined payments canceled with the reason, and keeps them out of the paid photosets", async () => {
    const { caller } = await api.signIn();
    const created = card(await caller.payments.create({ tierId: "starter", email: "a@b.ru" }));
    const { redirectUrl } = await api.localBank.complete(paymentIdFromUrl(created.paymentUrl), "decline");
    expect(redirectUrl).toContain("result=fail");
    expect(await caller.payments.status({ paymentId: created.paymentId })).toMatchObject({ status: "canceled", errorMessage: "Тестовая оплата отклонена покупателем Test payment declined" });
    expect((await caller.session.me()).paidPhotosets).toEqual([]);
  });

  it("tells the user the bank's reason in their language when Init is refused", async () => {
    const fake = await startFakeTbank({ terminalKey: "T", password: "p" });
    const { token } = await api.signIn();
    try {
      useBank(createTbankClient({ terminalKey: "T", password: "p", baseUrl: fake.baseUrl }));
      fake.failNext("Init", { kind: "error", errorCode: "1126", message: "Несопоставимые значения параметров." });
      await expect(api.withToken(token, "en").payments.create({ tierId: "starter", email: "a@b.ru" })).rejects.toMatchObject({
        code: "BAD_GATEWAY",
        message: "The bank could not create the payment (its reason: Несопоставимые значения параметров.). No money was taken.",
      });
      expect((await api.testDb.db.select().from(payments))[0]).toMatchObject({ status: "canceled" });
    } finally {
      useBank(api.localBank);
      await fake.close();
    }
  });
});

describe("payments.status", () => {
  it("asks the local bank with GetState when the notification was lost", async () => {
    const lossy = createLocalTestBank({ publicUrl: "http://pinglass.test", deliver: () => Promise.reject(new Error("lost on the way")) });
    useBank(lossy);
    try {
      const { caller } = await api.signIn();
      const created = card(await caller.payments.create({ tierId: "premium", email: "a@b.ru" }));
      await lossy.complete(paymentIdFromUrl(created.paymentUrl), "pay");
      expect((await api.testDb.db.select().from(payments))[0]).toMatchObject({ status: "pending" });
      api.clock.advance(2000);
      expect(await caller.payments.status({ paymentId: created.paymentId })).toMatchObject({ status: "succeeded" });
    } finally {
      useBank(api.localBank);
    }
  });

  it("shows a payment only to its owner", async () => {
    const owner = await api.signIn();
    const created = card(await owner.caller.payments.create({ tierId: "starter", email: "a@b.ru" }));
    const stranger = await api.signIn();
    await expect(stranger.caller.payments.status({ paymentId: created.paymentId })).rejects.toMatchObject({ code: "NOT_FOUND", message: "Платёж не найден." });
    expect(await stranger.caller.payments.list()).toEqual([]);
  });
});

describe("consuming a paid photoset", () => {
  it("feeds exactly one job when two generation starts race for one payment", async () => {
    const { caller, userId } = await api.signIn();
    const created = card(await caller.payments.create({ tierId: "starter", email: "a@b.ru" }));
    await api.localBank.complete(paymentIdFromUrl(created.paymentUrl), "pay");
    const avatarIds = [];
    for (const name of ["one", "two"]) {
      const [avatar] = await api.testDb.db.insert(avatars).values({ userId, name }).returning();
      await api.testDb.db.insert(referencePhotos).values(
        Array.from({ length: 5 }, (_, i) => ({ avatarId: avatar!.id, storageKey: `r/${name}/${i}`, thumbnailKey: `t/${name}/${i}`, sizeBytes: 1, width: 1, height: 1, contentType: "image/jpeg" })),
      );
      avatarIds.push(avatar!.id);
    }
    const starts = await Promise.allSettled(avatarIds.map((avatarId) => startJob(api.testDb.db, api.clock, { userId, avatarId, styleId: "professional", paymentId: created.paymentId })));
    const started = starts.filter((s) => s.status === "fulfilled");
    expect(started).toHaveLength(1);
    expect(starts.find((s) => s.status === "rejected")).toMatchObject({ reason: { key: "errors.generation.paymentUnavailable" } });
    expect((started[0] as PromiseFulfilledResult<{ totalPhotos: number | null }>).value.totalPhotos).toBe(7);
    expect(await api.testDb.db.select().from(generationJobs)).toHaveLength(1);
    expect((await caller.session.me()).paidPhotosets).toEqual([]);
  });
});

describe("the whole paid path with a provider that makes nothing", () => {
  it("pays, generates, fails every photo, and returns the whole amount through Cancel", async () => {
    const { caller, userId } = await api.signIn();
    const created = card(await caller.payments.create({ tierId: "starter", email: "a@b.ru" }));
    await api.localBank.complete(paymentIdFromUrl(created.paymentUrl), "pay");
    const [avatar] = await api.testDb.db.insert(avatars).values({ userId, name: "A" }).returning();
    await api.testDb.db.insert(referencePhotos).values(
      Array.from({ length: 5 }, (_, i) => ({ avatarId: avatar!.id, storageKey: `references/x/${i}.jpg`, thumbnailKey: `references/x/${i}-t.jpg`, sizeBytes: 1, width: 1, height: 1, contentType: "image/jpeg" })),
    );
    const job = await startJob(api.testDb.db, api.clock, { userId, avatarId: avatar!.id, styleId: "professional" });
    // An image service that refuses every prompt: the engine fails each slot for good.
    const refusing: ImageProvider = {
      name: "kie",
      maxConcurrency: 4,
      submit: () => Promise.reject(new ProviderError("content policy", false)),
      check: () => Promise.reject(new ProviderError("no such task", false)),
    };
    const worker = createGenerationWorker(
      { db: api.testDb.db, clock: api.clock, storage: api.deps.media.storage, provider: refusing, callbackUrl: "http://pinglass.test/webhooks/kie", hooks: [scheduleRefundForJob] },
      { maxAttempts: 1 },
    );
    await worker.tick(new AbortController().signal);
    expect(await caller.jobs.get({ jobId: job.id })).toMatchObject({ status: "failed", completedPhotos: 0 });
    expect(await sweepRefunds(api.deps)).toBe(1);
    expect(await caller.payments.status({ paymentId: created.paymentId })).toMatchObject({
      status: "refunded",
      used: true,
      refundedAmount: "499.00",
      refunds: [{ amount: "499.00", failedPhotos: 7, status: "succeeded" }],
    });
    expect(api.localBank.session(paymentIdFromUrl(created.paymentUrl))).toMatchObject({ status: "REFUNDED", remaining: 0 });
    // Nothing was made and all the money went back: no longer a paying user.
    expect((await caller.session.me()).hasPaid).toBe(false);
  });
});

/** An avatar of this user with `selfies` selfie rows (generation needs 5). */
async function avatarWithSelfies(userId: number, selfies = 5) {
  const [avatar] = await api.testDb.db.insert(avatars).values({ userId, name: "A" }).returning();
  if (selfies > 0) {
    await api.testDb.db.insert(referencePhotos).values(
      Array.from({ length: selfies }, (_, i) => ({ avatarId: avatar!.id, storageKey: `references/${avatar!.id}/${i}.jpg`, thumbnailKey: `references/${avatar!.id}/${i}-t.jpg`, sizeBytes: 1, width: 1, height: 1, contentType: "image/jpeg" })),
    );
  }
  return avatar!.id;
}

describe("payments.create for a photoset", () => {
  it("takes only the caller's own avatar and a style from the style list, and writes nothing otherwise", async () => {
    const { caller } = await api.signIn();
    const stranger = await api.signIn();
    const theirs = await avatarWithSelfies(stranger.userId, 0);
    await expect(caller.payments.create({ tierId: "starter", email: "a@b.ru", avatarId: theirs, styleId: "professional" })).rejects.toMatchObject({ code: "NOT_FOUND", message: "Аватар не найден." });
    await expect(caller.payments.create({ tierId: "starter", email: "a@b.ru", styleId: "disco" as never })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Такого стиля нет. Выберите стиль из списка." });
    await expect(caller.payments.create({ tierId: "starter", email: "a@b.ru", method: "crypto" as never })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await api.testDb.db.select().from(payments)).toEqual([]);
  });

  it("answers a double tap with the same payment and bank page", async () => {
    const { caller, userId } = await api.signIn();
    const avatarId = await avatarWithSelfies(userId);
    const intent = { tierId: "standard" as const, email: "a@b.ru", avatarId, styleId: "professional" as const };
    const [first, second] = await Promise.all([caller.payments.create(intent), caller.payments.create(intent)]);
    expect(second).toEqual(first);
    expect(await api.testDb.db.select().from(payments)).toHaveLength(1);
  });
});

describe("payments.cancel", () => {
  it("cancels a pending test-checkout payment (its page then takes no payment), and Delete all my data proceeds", async () => {
    const { caller } = await api.signIn();
    const created = card(await caller.payments.create({ tierId: "starter", email: "a@b.ru" }));
    await expect(caller.account.deleteAll({ confirm: true })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await caller.payments.cancel({ paymentId: created.paymentId })).toMatchObject({ outcome: "canceled", payment: { status: "canceled", canceledByOwner: true, provider: "test" } });
    const bankId = paymentIdFromUrl(created.paymentUrl);
    expect(api.localBank.session(bankId)).toMatchObject({ status: "CANCELED" });
    expect((await api.localBank.complete(bankId, "pay")).redirectUrl).toContain("result=fail");
    expect(await caller.payments.status({ paymentId: created.paymentId })).toMatchObject({ status: "canceled" });
    await caller.account.deleteAll({ confirm: true });
  });

  it("keeps a payment the test checkout confirmed meanwhile, says so in the answer, and refuses strangers", async () => {
    const { caller } = await api.signIn();
    const created = card(await caller.payments.create({ tierId: "starter", email: "a@b.ru" }));
    await api.localBank.complete(paymentIdFromUrl(created.paymentUrl), "pay");
    expect(await caller.payments.cancel({ paymentId: created.paymentId })).toMatchObject({ outcome: "paid", payment: { status: "succeeded", canceledByOwner: false } });
    const stranger = await api.signIn();
    await expect(stranger.caller.payments.cancel({ paymentId: created.paymentId })).rejects.toMatchObject({ code: "NOT_FOUND", message: "Платёж не найден." });
  });
});

describe("the photoset starts on the bank's word", () => {
  it("starts the job in the transaction that records the payment, and generation.start afterwards answers with that job", async () => {
    const { caller, userId } = await api.signIn();
    const avatarId = await avatarWithSelfies(userId);
    const created = card(await caller.payments.create({ tierId: "starter", email: "a@b.ru", avatarId, styleId: "lifestyle" }));
    await api.localBank.complete(paymentIdFromUrl(created.paymentUrl), "pay");
    const [job] = await api.testDb.db.select().from(generationJobs);
    expect(job).toMatchObject({ avatarId, styleId: "lifestyle", status: "processing", totalPhotos: 7, paymentId: created.paymentId });
    expect(await caller.payments.status({ paymentId: created.paymentId })).toMatchObject({ status: "succeeded", used: true });
    expect((await caller.session.me()).paidPhotosets).toEqual([]);
    // The app comes back and asks to start: the job already running, not a conflict.
    expect(await caller.generation.start({ avatarId, styleId: "lifestyle", paymentId: created.paymentId })).toEqual({ jobId: job!.id, totalPhotos: 7, status: "processing" });
    expect(await api.testDb.db.select().from(generationJobs)).toHaveLength(1);
  });

  it("leaves the payment an unused paid photoset when the avatar cannot start (too few selfies, or deleted)", async () => {
    const { caller, userId } = await api.signIn();
    // payments.create refuses an avatar without five good selfies; three are removed while the buyer is at the bank.
    const fewSelfies = await avatarWithSelfies(userId);
    const first = card(await caller.payments.create({ tierId: "starter", email: "a@b.ru", avatarId: fewSelfies, styleId: "creative" }));
    for (const reference of (await caller.references.list({ avatarId: fewSelfies })).slice(0, 3)) await caller.references.remove({ referenceId: reference.id });
    await api.localBank.complete(paymentIdFromUrl(first.paymentUrl), "pay");
    const deleted = await avatarWithSelfies(userId);
    const second = card(await caller.payments.create({ tierId: "standard", email: "a@b.ru", avatarId: deleted, styleId: "creative" }));
    await caller.avatars.delete({ avatarId: deleted });
    await api.localBank.complete(paymentIdFromUrl(second.paymentUrl), "pay");
    expect(await api.testDb.db.select().from(generationJobs)).toEqual([]);
    expect((await caller.session.me()).paidPhotosets).toEqual([
      { paymentId: first.paymentId, tierId: "starter", photoCount: 7 },
      { paymentId: second.paymentId, tierId: "standard", photoCount: 15 },
    ]);
  });
});
