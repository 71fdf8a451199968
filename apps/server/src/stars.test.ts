import type { AddressInfo } from "node:net";
import { createTestApi } from "@pinglass/api/testing";
import { avatars, generationJobs, paymentEvents, paymentRefunds, payments, referencePhotos } from "@pinglass/db";
import { createGenerationWorker, type ImageProvider, ProviderError } from "@pinglass/generation";
import { photoJpeg } from "@pinglass/media/testing";
import { scheduleRefundForJob, sweepRefunds } from "@pinglass/payments";
import { signInitData, startFakeBotApi } from "@pinglass/telegram/testing";
import { eq } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "./app.ts";
import { type TelegramConfig, telegramArea } from "./telegram.ts";

const bot: TelegramConfig = {
  botToken: "7000000001:AAF-stars-test-token",
  botUsername: "PinGlassBot",
  webhookSecret: "webhook-secret-0123456789abcdef",
  initDataMaxAgeSeconds: 86_400,
  apiUrl: "http://127.0.0.1:9",
};
const prices = { starter: 250, standard: 500, premium: 750 };
const logger = pino({ level: "silent" });
let api: Awaited<ReturnType<typeof createTestApi>>;
let fakeBotApi: Awaited<ReturnType<typeof startFakeBotApi>>;
let server: ReturnType<typeof createApp>;
let base: string;

beforeAll(async () => {
  fakeBotApi = await startFakeBotApi({ token: bot.botToken });
  const telegram = telegramArea({ telegram: { ...bot, apiUrl: fakeBotApi.url }, publicUrl: "https://pinglass.test" }, logger);
  api = await createTestApi({ telegram: { botToken: bot.botToken, botUsername: bot.botUsername, initDataMaxAgeSeconds: bot.initDataMaxAgeSeconds }, stars: { api: telegram.botApi!, prices } });
  server = createApp({ deps: api.deps, logger, routes: telegram.parts(api.deps).routes });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // The bot registers its webhook (PUBLIC_URL is https): that call is in before the tests count theirs.
  await vi.waitFor(() => expect(fakeBotApi.accepted().map((c) => c.method)).toContain("setWebhook"));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fakeBotApi.close();
  await api.testDb.close();
});
beforeEach(async () => {
  await api.testDb.reset();
  fakeBotApi.calls.length = 0;
});

const person = (id: number, language_code = "ru") => ({ id, is_bot: false, first_name: "Ann", language_code });

/** A Mini App user: signed in with the bot's initData, so the account has this Telegram id. */
async function miniAppUser(telegramId: number, language = "ru") {
  const initData = signInitData({ query_id: "AAHdF6IQAAAAAN0XohDhrOrc", user: { id: telegramId, first_name: "Ann", language_code: language } as never }, bot.botToken, api.clock.now());
  const { token, userId } = await api.anonymous().session.telegram({ initData });
  return { caller: api.withToken(token, language), userId, payer: person(telegramId, language) };
}

async function avatarWithSelfies(userId: number) {
  const [avatar] = await api.testDb.db.insert(avatars).values({ userId, name: "A" }).returning();
  await api.testDb.db.insert(referencePhotos).values(
    Array.from({ length: 5 }, (_, i) => ({ avatarId: avatar!.id, storageKey: `references/${avatar!.id}/${i}.jpg`, thumbnailKey: `references/${avatar!.id}/${i}-t.jpg`, sizeBytes: 1, width: 1, height: 1, contentType: "image/jpeg" })),
  );
  return avatar!.id;
}

/** payments.create with Stars; its answer is the invoice link. */
async function starsPayment(caller: Awaited<ReturnType<typeof miniAppUser>>["caller"], input: { tierId: "starter" | "standard" | "premium"; avatarId?: number; styleId?: "professional" }) {
  const created = await caller.payments.create({ ...input, method: "stars" });
  if (created.method !== "stars") throw new Error("expected a Stars payment");
  return created;
}

const post = (update: unknown, secret: string | null = bot.webhookSecret) =>
  fetch(`${base}/telegram/webhook`, { method: "POST", headers: { "content-type": "application/json", ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}) }, body: JSON.stringify(update) });
const paymentRow = async (id: number) => (await api.testDb.db.select().from(payments).where(eq(payments.id, id)))[0]!;
const callsOf = (method: string) => fakeBotApi.calls.filter((c) => c.method === method);

/** Pre-checkout answered ok by the webhook, then Telegram's successful_payment update (not yet delivered). */
async function checkedOut(invoiceUrl: string, payer: ReturnType<typeof person>) {
  const query = fakeBotApi.stars.preCheckout(invoiceUrl, payer);
  expect((await post(query)).status).toBe(200);
  expect(fakeBotApi.stars.answerOf(query.pre_checkout_query.id)).toEqual({ ok: true });
  return fakeBotApi.stars.pay(query.pre_checkout_query.id);
}

describe("payments.create with Telegram Stars", () => {
  it("makes an invoice link in XTR with one price in whole Stars, no provider token and our order id as payload, once per intent", async () => {
    const { caller, userId } = await miniAppUser(7_200_001);
    expect(await caller.payments.methods()).toEqual({ cardInMiniApp: false, stars: [{ tierId: "starter", stars: 250 }, { tierId: "standard", stars: 500 }, { tierId: "premium", stars: 750 }] });
    const avatarId = await avatarWithSelfies(userId);
    const created = await starsPayment(caller, { tierId: "standard", avatarId, styleId: "professional" });
    expect(created.invoiceUrl).toMatch(/^https:\/\/t\.me\/\$/);
    const [call] = callsOf("createInvoiceLink");
    const row = await paymentRow(created.paymentId);
    expect(call!.params).toEqual({ title: "PinGlass: 15 фото", description: expect.any(String), payload: row.orderId, currency: "XTR", prices: [{ label: "15 фото", amount: 500 }] });
    expect(Buffer.byteLength(row.orderId!)).toBeLessThanOrEqual(128);
    expect(row).toMatchObject({ provider: "stars", currency: "XTR", amount: "500.00", status: "pending", receiptEmail: null, telegramPayerId: 7_200_001n, paymentUrl: created.invoiceUrl });
    // A double tap: the same invoice, no second link.
    expect(await starsPayment(caller, { tierId: "standard", avatarId, styleId: "professional" })).toEqual(created);
    expect(callsOf("createInvoiceLink")).toHaveLength(1);
    expect(await caller.payments.list()).toMatchObject([{ paymentId: created.paymentId, provider: "stars", currency: "XTR", amount: "500.00" }]);
  });

  it("is only for a Telegram account, in the caller's language", async () => {
    const web = await api.signIn();
    await expect(api.withToken(web.token, "en").payments.create({ tierId: "starter", method: "stars" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "Telegram Stars can be paid only inside Telegram: open PinGlass from the bot.",
    });
    expect(await api.testDb.db.select().from(payments)).toEqual([]);
  });
});

describe("pre_checkout_query", () => {
  it("is answered ok only for the payer's own pending Stars payment at its price in XTR; forged, mismatched and replayed ones are refused in the person's language", async () => {
    const { caller, payer } = await miniAppUser(7_200_002, "en");
    const { paymentId, invoiceUrl } = await starsPayment(caller, { tierId: "starter" });
    const answered = async (update: { pre_checkout_query: { id: string } }) => {
      expect((await post(update)).status).toBe(200);
      return fakeBotApi.stars.answerOf(update.pre_checkout_query.id);
    };
    const refused = (error_message: string) => ({ ok: false, error_message });
    expect(await answered(fakeBotApi.stars.preCheckout(invoiceUrl, person(7_299_999, "ru")))).toEqual(refused("Этот счёт выставлен другому аккаунту Telegram. Звёзды не списаны — откройте PinGlass в своём Telegram."));
    expect(await answered(fakeBotApi.stars.preCheckout(invoiceUrl, payer, { total_amount: 1 }))).toEqual(refused("The price has changed. No Stars were taken; open PinGlass and start the payment again."));
    expect(await answered(fakeBotApi.stars.preCheckout(invoiceUrl, payer, { currency: "USD" }))).toEqual(refused("The price has changed. No Stars were taken; open PinGlass and start the payment again."));
    const unknown = refused("This invoice is no longer valid: it was paid, canceled or has expired. No Stars were taken; open PinGlass and start the payment again.");
    expect(await answered(fakeBotApi.stars.preCheckout(invoiceUrl, payer, { invoice_payload: "00000000-0000-4000-8000-000000000000" }))).toEqual(unknown);
    expect(await answered(fakeBotApi.stars.preCheckout(invoiceUrl, payer, { invoice_payload: "x".repeat(128) }))).toEqual(unknown);

    // Without the webhook secret nothing is answered at all.
    const forged = fakeBotApi.stars.preCheckout(invoiceUrl, payer);
    expect((await post(forged, null)).status).toBe(401);
    expect((await post(forged, "webhook-secret-0123456789abcdeX")).status).toBe(401);
    expect(fakeBotApi.stars.answerOf(forged.pre_checkout_query.id)).toBeNull();

    // The genuine one; its replay is answered again, and Telegram refuses the second answer: nothing changes.
    const genuine = fakeBotApi.stars.preCheckout(invoiceUrl, payer);
    expect(await answered(genuine)).toEqual({ ok: true });
    expect((await post(genuine)).status).toBe(200);
    expect(callsOf("answerPreCheckoutQuery").at(-1)!.status).toBe(400);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "pending", telegramPaymentChargeId: null });

    // Canceled by its owner: the invoice is refused from then on.
    expect(await caller.payments.cancel({ paymentId })).toMatchObject({ outcome: "canceled", payment: { status: "canceled", provider: "stars" } });
    expect(await answered(fakeBotApi.stars.preCheckout(invoiceUrl, payer))).toEqual(unknown);
  });

  it("answered late: Telegram refuses the answer and charges nothing, and the payment stays pending", async () => {
    const { caller, payer } = await miniAppUser(7_200_003);
    const { paymentId, invoiceUrl } = await starsPayment(caller, { tierId: "starter" });
    const query = fakeBotApi.stars.preCheckout(invoiceUrl, payer);
    fakeBotApi.stars.expire(query.pre_checkout_query.id);
    expect((await post(query)).status).toBe(200);
    expect(callsOf("answerPreCheckoutQuery")).toMatchObject([{ status: 400, params: { pre_checkout_query_id: query.pre_checkout_query.id, ok: true } }]);
    expect(() => fakeBotApi.stars.pay(query.pre_checkout_query.id)).toThrow(/charges nothing/);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "pending" });
  });
});

describe("successful_payment", () => {
  it("makes the payment paid with its charge id, starts the photoset and thanks the payer; a replay changes nothing", async () => {
    const { caller, userId, payer } = await miniAppUser(7_200_004);
    const avatarId = await avatarWithSelfies(userId);
    const { paymentId, invoiceUrl } = await starsPayment(caller, { tierId: "starter", avatarId, styleId: "professional" });
    const paid = await checkedOut(invoiceUrl, payer);
    const response = await post(paid);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ method: "sendMessage", chat_id: 7_200_004, text: "Оплата получена — спасибо! Фотосессия начинается сама, а готовые фото придут и в этот чат." });
    const row = await paymentRow(paymentId);
    expect(row).toMatchObject({ status: "succeeded", bankStatus: "CONFIRMED", telegramPaymentChargeId: paid.message.successful_payment.telegram_payment_charge_id, consumedAt: expect.any(Date) });
    expect(await api.testDb.db.select().from(generationJobs)).toMatchObject([{ paymentId, avatarId, styleId: "professional", status: "processing", totalPhotos: 7 }]);

    const replay = await post(paid);
    expect(replay.status).toBe(200);
    expect(await replay.text()).toBe("");
    expect(await api.testDb.db.select().from(generationJobs)).toHaveLength(1);
    expect(await api.testDb.db.select().from(paymentEvents).where(eq(paymentEvents.paymentId, paymentId))).toHaveLength(1);
    expect(callsOf("refundStarPayment")).toEqual([]);
  });

  it("20 parallel copies of one successful_payment make one paid payment and one job", async () => {
    const { caller, userId, payer } = await miniAppUser(7_200_005);
    const avatarId = await avatarWithSelfies(userId);
    const { paymentId, invoiceUrl } = await starsPayment(caller, { tierId: "standard", avatarId, styleId: "professional" });
    const paid = await checkedOut(invoiceUrl, payer);
    const statuses = await Promise.all(Array.from({ length: 20 }, async () => (await post(paid)).status));
    const paidRows = await api.testDb.db.select().from(payments).where(eq(payments.status, "succeeded"));
    const jobs = await api.testDb.db.select().from(generationJobs);
    console.log(`figure: 20 parallel duplicate successful_payment → ${paidRows.length} paid payment, ${jobs.length} job, ${callsOf("refundStarPayment").length} refunds`);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(paidRows.map((p) => p.id)).toEqual([paymentId]);
    expect(jobs).toHaveLength(1);
    expect(callsOf("refundStarPayment")).toEqual([]);
  });

  it("is not honoured when it names another user's, an unknown or an already paid order, or another amount: a real charge goes back at once", async () => {
    const { caller, payer } = await miniAppUser(7_200_006);
    const { paymentId, invoiceUrl } = await starsPayment(caller, { tierId: "starter" });
    // Two devices passed the pre-checkout before either paid: Telegram charges both.
    const first = fakeBotApi.stars.preCheckout(invoiceUrl, payer);
    const second = fakeBotApi.stars.preCheckout(invoiceUrl, payer);
    await post(first);
    await post(second);
    const firstPaid = fakeBotApi.stars.pay(first.pre_checkout_query.id);
    const secondPaid = fakeBotApi.stars.pay(second.pre_checkout_query.id);
    expect((await post(firstPaid)).status).toBe(200);
    expect((await post(secondPaid)).status).toBe(200);
    const secondCharge = secondPaid.message.successful_payment.telegram_payment_charge_id;
    expect(callsOf("refundStarPayment")).toMatchObject([{ status: 200, params: { user_id: payer.id, telegram_payment_charge_id: secondCharge } }]);
    expect(fakeBotApi.stars.charges.get(secondCharge)?.refunded).toBe(true);
    expect(await paymentRow(paymentId)).toMatchObject({ status: "succeeded", telegramPaymentChargeId: firstPaid.message.successful_payment.telegram_payment_charge_id });

    // Forged or mismatched payment messages (no such charge at Telegram): nothing becomes paid, the refund attempt is refused.
    const other = await miniAppUser(7_200_007);
    const theirs = await starsPayment(other.caller, { tierId: "premium" });
    const theirOrder = (await paymentRow(theirs.paymentId)).orderId!;
    const forgeries = [
      fakeBotApi.stars.successfulPayment(payer, { invoice_payload: theirOrder, total_amount: 750, currency: "XTR", telegram_payment_charge_id: "stxFORGED1" }),
      fakeBotApi.stars.successfulPayment(other.payer, { invoice_payload: theirOrder, total_amount: 1, currency: "XTR", telegram_payment_charge_id: "stxFORGED2" }),
      fakeBotApi.stars.successfulPayment(other.payer, { invoice_payload: "not-an-order-of-ours", total_amount: 750, currency: "XTR", telegram_payment_charge_id: "stxFORGED3" }),
      fakeBotApi.stars.successfulPayment(other.payer, { invoice_payload: theirOrder, total_amount: 750, currency: "USD", telegram_payment_charge_id: "stxFORGED4" }),
    ];
    for (const forged of forgeries) expect((await post(forged)).status).toBe(200);
    expect((await post(fakeBotApi.stars.successfulPayment(other.payer, { invoice_payload: theirOrder, total_amount: 750, currency: "XTR", telegram_payment_charge_id: "stxFORGED5" }), null)).status).toBe(401);
    expect(await paymentRow(theirs.paymentId)).toMatchObject({ status: "pending", telegramPaymentChargeId: null });
    expect(callsOf("refundStarPayment").slice(1).map((c) => [c.params.telegram_payment_charge_id, c.status])).toEqual([
      ["stxFORGED1", 400],
      ["stxFORGED2", 400],
      ["stxFORGED3", 400],
    ]);
  });
});

/** An image service that makes a photo for every scene except those in `failing`, which it refuses for good. */
function provider(failing: (sceneId: string) => boolean): ImageProvider {
  return {
    name: "kie",
    maxConcurrency: 8,
    async submit(request) {
      if (failing(request.scene!.sceneId)) throw new ProviderError("content policy", false);
      return { kind: "succeeded", image: await photoJpeg(400, 500), contentType: "image/jpeg" };
    },
    check: () => Promise.reject(new ProviderError("no such task", false)),
  };
}

async function paidStarsJob(telegramId: number) {
  const { caller, userId, payer } = await miniAppUser(telegramId);
  const avatarId = await avatarWithSelfies(userId);
  const { paymentId, invoiceUrl } = await starsPayment(caller, { tierId: "starter", avatarId, styleId: "professional" });
  const paid = await checkedOut(invoiceUrl, payer);
  await post(paid);
  const [job] = await api.testDb.db.select().from(generationJobs).where(eq(generationJobs.paymentId, paymentId));
  return { caller, paymentId, job: job!, chargeId: paid.message.successful_payment.telegram_payment_charge_id, payer };
}

/** The worker until the job ends: a tick may return just before a remake puts its failed slots back. */
async function work(imageProvider: ImageProvider, jobId: number) {
  const worker = createGenerationWorker({ db: api.deps.db, clock: api.clock, storage: api.deps.media.storage, provider: imageProvider, callbackUrl: "http://pinglass.test/webhooks/kie", hooks: [scheduleRefundForJob] }, { maxAttempts: 1 });
  for (let tick = 0; tick < 10; tick++) {
    await worker.tick(new AbortController().signal);
    const [job] = await api.testDb.db.select({ status: generationJobs.status }).from(generationJobs).where(eq(generationJobs.id, jobId));
    if (job?.status !== "processing") return;
  }
}

describe("refunds of Stars payments (whole payments only)", () => {
  it("returns the whole payment with refundStarPayment when the photoset fails completely", async () => {
    const { caller, paymentId, job, chargeId, payer } = await paidStarsJob(7_200_010);
    await work(provider(() => true), job.id);
    expect(await caller.jobs.get({ jobId: job.id })).toMatchObject({ status: "failed", completedPhotos: 0 });
    expect(await sweepRefunds(api.deps)).toBe(1);
    expect(callsOf("refundStarPayment")).toMatchObject([{ status: 200, params: { user_id: payer.id, telegram_payment_charge_id: chargeId } }]);
    expect(fakeBotApi.stars.charges.get(chargeId)?.refunded).toBe(true);
    expect(await caller.payments.status({ paymentId })).toMatchObject({ status: "refunded", refundedAmount: "250.00", refunds: [{ amount: "250.00", failedPhotos: 7, status: "succeeded" }] });
  });

  it("makes the missing photos again instead of a partial refund, and the photoset completes", async () => {
    const { caller, paymentId, job } = await paidStarsJob(7_200_011);
    const failedOnce = new Set<string>();
    // Two scenes fail on the first round only.
    let firstRound = 0;
    await work(
      provider((sceneId) => {
        if (firstRound < 2 && !failedOnce.has(sceneId)) {
          firstRound++;
          failedOnce.add(sceneId);
          return true;
        }
        return false;
      }),
      job.id,
    );
    expect(await caller.jobs.get({ jobId: job.id })).toMatchObject({ status: "completed", completedPhotos: 7 });
    expect(await paymentRow(paymentId)).toMatchObject({ status: "succeeded", photoRemakes: 1, refundedAmount: "0.00" });
    expect(await api.testDb.db.select().from(paymentRefunds)).toEqual([]);
  });

  it("refunds the whole payment when the missing photos fail again after the bounded remakes", async () => {
    const { caller, paymentId, job, chargeId } = await paidStarsJob(7_200_012);
    const doomed = new Set<string>();
    await work(
      provider((sceneId) => {
        if (doomed.size < 2) doomed.add(sceneId);
        return doomed.has(sceneId);
      }),
      job.id,
    );
    expect(await caller.jobs.get({ jobId: job.id })).toMatchObject({ status: "failed", completedPhotos: 5 });
    expect(await paymentRow(paymentId)).toMatchObject({ photoRemakes: 2 });
    expect(await sweepRefunds(api.deps)).toBe(1);
    expect(fakeBotApi.stars.charges.get(chargeId)?.refunded).toBe(true);
    expect(await caller.payments.status({ paymentId })).toMatchObject({ status: "refunded", refunds: [{ amount: "250.00", failedPhotos: 2, status: "succeeded" }] });
  });
});

describe("/paysupport", () => {
  it("answers in the person's language", async () => {
    for (const [language, start] of [
      ["ru", "Помощь с оплатой PinGlass."],
      ["en", "Help with PinGlass payments."],
    ] as const) {
      const response = await post({ update_id: 1, message: { message_id: 1, date: 1_790_000_000, from: person(7_200_020, language), chat: { id: 7_200_020, type: "private" }, text: "/paysupport" } });
      expect(((await response.json()) as { text: string }).text.startsWith(start)).toBe(true);
    }
  });
});
