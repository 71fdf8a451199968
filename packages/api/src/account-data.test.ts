import { accountsUserColumns, createApiKey, deleteAccountRows, findApiKey } from "@pinglass/accounts";
import { manualClock } from "@pinglass/core";
import { apiKeys, avatars, generatedPhotos, generationJobs, idempotencyKeys, paymentEvents, payments, rowsOf, telegramDeliveries, telegramLinkCodes, users, webhookDeliveries, webhookEndpoints } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { type BotContext, cancelLinkMerge, confirmLinkMerge, createBotApi, createLinkCode, findOrCreateTelegramUser, redeemLinkCode, replyToUpdate, type TelegramUpdate } from "@pinglass/telegram";
import { startFakeBotApi } from "@pinglass/telegram/testing";
import { createEndpoint } from "@pinglass/webhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mergeAccounts, userDataOwners } from "./account-data.ts";

const bot = { botToken: "7000000001:AAF-link-test", botUsername: "PinGlassBot", initDataMaxAgeSeconds: 86_400 };
let testDb: TestDb;
let fake: Awaited<ReturnType<typeof startFakeBotApi>>;
beforeAll(async () => {
  testDb = await createTestDb();
  fake = await startFakeBotApi({ token: bot.botToken });
});
afterAll(async () => {
  await fake.close();
  await testDb.close();
});
beforeEach(async () => {
  await testDb.reset();
  fake.calls.length = 0;
});

/**
 * The "table.column" of every foreign key that points at `table`; `blockingOnly`: only those
 * that stop its rows from being deleted (no ON DELETE SET NULL or CASCADE does the work).
 */
async function foreignKeysTo(table: string, { blockingOnly = false } = {}): Promise<string[]> {
  const result = await testDb.db.execute(`
    SELECT tc.table_name || '.' || kcu.column_name AS owned
    FROM information_schema.table_constraints tc
    JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
    JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
    JOIN information_schema.referential_constraints rc ON rc.constraint_name = tc.constraint_name AND rc.constraint_schema = tc.table_schema
    WHERE tc.constraint_type = 'FOREIGN KEY' AND ccu.table_name = '${table}' AND tc.table_schema = current_schema()
      ${blockingOnly ? "AND rc.delete_rule IN ('NO ACTION', 'RESTRICT')" : ""}
    ORDER BY 1`);
  return rowsOf<{ owned: string }>(result).map((r) => r.owned);
}

describe("what belongs to a user", () => {
  it("is every column with a foreign key to users, so merging and deleting accounts miss nothing", async () => {
    expect(await foreignKeysTo("users")).toEqual([...accountsUserColumns, ...userDataOwners.flatMap((owner) => owner.userColumns)].sort());
  });

  it("includes every row that would stop an avatar's deletion, each declared by the domain that deletes it", async () => {
    expect(await foreignKeysTo("avatars", { blockingOnly: true })).toEqual(userDataOwners.flatMap((owner) => owner.avatarColumns).sort());
  });
});

const clock = manualClock(new Date("2026-11-25T12:00:00Z"));
const identity = (id: bigint, languageCode: string | null = "ru") => ({ telegramUserId: id, languageCode, firstName: "Ann", username: null });
const webUser = async () => (await testDb.db.insert(users).values({ deviceId: crypto.randomUUID() }).returning())[0]!;

/** An avatar with a finished job, its photos and a delivery, plus a paid payment with its bank event. */
async function belongings(userId: number, tag: string) {
  const db = testDb.db;
  const [payment] = await db.insert(payments).values({ userId, amount: "499.00", status: "succeeded", orderId: `order-${tag}` }).returning();
  await db.insert(paymentEvents).values({ paymentId: payment!.id, dedupeKey: `event-${tag}`, body: { Status: "CONFIRMED" } });
  const [avatar] = await db.insert(avatars).values({ userId, name: tag, status: "ready" }).returning();
  const [job] = await db.insert(generationJobs).values({ avatarId: avatar!.id, status: "completed", totalPhotos: 2, completedPhotos: 2, paymentId: payment!.id }).returning();
  await db.insert(generatedPhotos).values([1, 2].map((n) => ({ avatarId: avatar!.id, jobId: job!.id, imageUrl: `photos/${tag}/${n}.jpg` })));
  return { payment: payment!, avatar: avatar!, job: job! };
}

const count = async (table: Parameters<ReturnType<typeof testDb.db.select>["from"]>[0]) => (await testDb.db.select().from(table)).length;

/** Every user with what it owns: a merge that did not happen leaves this as it was. */
async function accountsSnapshot() {
  const db = testDb.db;
  return {
    users: await db.select({ id: users.id, telegramUserId: users.telegramUserId }).from(users).orderBy(users.id),
    avatars: await db.select({ id: avatars.id, userId: avatars.userId }).from(avatars).orderBy(avatars.id),
    payments: await db.select({ id: payments.id, userId: payments.userId }).from(payments).orderBy(payments.id),
    photos: await count(generatedPhotos),
  };
}

/** A web user and a Telegram user (id 4242), each with an avatar, two photos and a paid payment. */
async function webAndTelegramAccounts() {
  const web = await webUser();
  const telegram = await findOrCreateTelegramUser(testDb.db, identity(4242n, "en"));
  const webThings = await belongings(web.id, "web");
  const telegramThings = await belongings(telegram.id, "tg");
  return { web, telegram, webThings, telegramThings };
}

describe("the developers' door of a user", () => {
  it("moves with a merge (a developer's keys and endpoints keep working) and goes with the account", async () => {
    const db = testDb.db;
    const [survivor, absorbed] = [await webUser(), await webUser()];
    const key = await createApiKey(db, absorbed.id, { name: "CI", scopes: ["read"] }, clock.now());
    const endpoint = await createEndpoint(db, { allowPrivateAddresses: true }, absorbed.id, { url: "http://127.0.0.1:9/hooks", events: ["job.completed"] }, clock.now());
    await db.insert(webhookDeliveries).values({ endpointId: endpoint.id, messageId: "msg_1", eventType: "job.completed", orderKey: "job:1", payload: "{}" });
    await db.insert(idempotencyKeys).values({ userId: absorbed.id, key: "k", requestHash: "h", response: { data: null }, createdAt: clock.now() });

    await db.transaction((tx) => mergeAccounts(tx, clock, survivor.id, absorbed.id));
    expect((await findApiKey(db, key.secret, clock.now()))?.userId).toBe(survivor.id);
    expect((await db.select().from(webhookEndpoints)).map((e) => e.userId)).toEqual([survivor.id]);
    expect(await db.select().from(idempotencyKeys)).toEqual([]);

    await db.insert(idempotencyKeys).values({ userId: survivor.id, key: "k", requestHash: "h", response: { data: null }, createdAt: clock.now() });
    await deleteAccountRows(db, clock, survivor.id, userDataOwners);
    expect(await findApiKey(db, key.secret, clock.now())).toBeNull();
    expect({ keys: await count(apiKeys), endpoints: await count(webhookEndpoints), deliveries: await count(webhookDeliveries), idempotency: await count(idempotencyKeys) }).toEqual({
      keys: 0,
      endpoints: 0,
      deliveries: 0,
      idempotency: 0,
    });
  });
});

/** Telegram linking (packages/telegram) with the merge composed here: the tests of linking that end in a merge. */
describe("merging a web account with an existing Telegram account", () => {
  it("moves avatars, photos, jobs, payments and codes to the web user who asked once the Telegram user confirms, losing nothing", async () => {
    const { web, telegramThings, webThings } = await webAndTelegramAccounts();
    await testDb.db.insert(telegramDeliveries).values({ jobId: telegramThings.job.id, chatId: 4242n });
    await createLinkCode(testDb.db, clock, bot, telegramThings.avatar.userId!);
    const before = { photos: await count(generatedPhotos), jobs: await count(generationJobs), events: await count(paymentEvents), deliveries: await count(telegramDeliveries) };

    const { code } = await createLinkCode(testDb.db, clock, bot, web.id);
    expect((await redeemLinkCode(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: "en" })).outcome).toBe("confirmMerge");
    expect(await confirmLinkMerge(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: "en" }, mergeAccounts)).toBe("merged");

    expect(await testDb.db.select({ id: users.id, telegramUserId: users.telegramUserId, languageCode: users.languageCode }).from(users)).toEqual([
      { id: web.id, telegramUserId: 4242n, languageCode: "en" },
    ]);
    const ownerOf = async (table: typeof avatars | typeof payments) => (await testDb.db.select({ userId: table.userId }).from(table)).map((r) => r.userId);
    expect(await ownerOf(avatars)).toEqual([web.id, web.id]);
    expect(await ownerOf(payments)).toEqual([web.id, web.id]);
    expect((await testDb.db.select().from(telegramLinkCodes)).every((c) => c.userId === web.id)).toBe(true);
    expect({ photos: await count(generatedPhotos), jobs: await count(generationJobs), events: await count(paymentEvents), deliveries: await count(telegramDeliveries) }).toEqual(before);
    expect(new Set((await testDb.db.select().from(generationJobs)).map((j) => j.paymentId))).toEqual(new Set([webThings.payment.id, telegramThings.payment.id]));
    // The Mini App signs in again and lands in the merged account; the code is spent.
    expect((await findOrCreateTelegramUser(testDb.db, identity(4242n))).id).toBe(web.id);
    expect(await confirmLinkMerge(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: "en" }, mergeAccounts)).toBe("invalid");
    expect(await redeemLinkCode(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: "en" })).toEqual({ outcome: "invalid" });
  });

  it("refuses a confirmation from any other Telegram user, or without the /start step, and changes nothing", async () => {
    const { web } = await webAndTelegramAccounts();
    const attacker = await findOrCreateTelegramUser(testDb.db, identity(6666n));
    await belongings(attacker.id, "attacker");
    const { code } = await createLinkCode(testDb.db, clock, bot, web.id);
    const before = await accountsSnapshot();
    // Nobody opened the link yet: a bare confirmation finds nothing.
    expect(await confirmLinkMerge(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: null }, mergeAccounts)).toBe("invalid");
    expect((await redeemLinkCode(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: null })).outcome).toBe("confirmMerge");
    for (const telegramUserId of [6666n, 7777n]) {
      expect(await confirmLinkMerge(testDb.db, clock, { code, telegramUserId, languageCode: null }, mergeAccounts)).toBe("invalid");
      expect(await cancelLinkMerge(testDb.db, clock, { code, telegramUserId })).toBe("invalid");
    }
    expect(await accountsSnapshot()).toEqual(before);
    expect((await testDb.db.select().from(telegramLinkCodes))[0]!.usedAt).toBeNull();
    // The Telegram user it was shown to can still decide.
    expect(await confirmLinkMerge(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: null }, mergeAccounts)).toBe("merged");
  });

  it("merges once when confirmations (and a cancel) race", async () => {
    const { web } = await webAndTelegramAccounts();
    const { code } = await createLinkCode(testDb.db, clock, bot, web.id);
    expect((await redeemLinkCode(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: null })).outcome).toBe("confirmMerge");
    const input = { code, telegramUserId: 4242n, languageCode: null };
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => confirmLinkMerge(testDb.db, clock, input, mergeAccounts)),
      cancelLinkMerge(testDb.db, clock, input),
      confirmLinkMerge(testDb.db, clock, input, mergeAccounts),
    ]);
    const decided = results.filter((r) => r === "merged" || r === "cancelled");
    expect(decided).toHaveLength(1);
    expect(results.filter((r) => r === "invalid")).toHaveLength(results.length - 1);
    const after = await accountsSnapshot();
    if (decided[0] === "merged") {
      expect(after.users).toEqual([{ id: web.id, telegramUserId: 4242n }]);
      expect(new Set([...after.avatars, ...after.payments].map((r) => r.userId))).toEqual(new Set([web.id]));
    } else {
      expect(after.users).toHaveLength(2);
    }
    expect(after.avatars).toHaveLength(2);
    expect(after.payments).toHaveLength(2);
    expect(after.photos).toBe(4);
  });

  it("ends with one account owning everything when redemptions, confirmations and sign-ins for one Telegram id race", async () => {
    const [a, b] = [await webUser(), await webUser()];
    await belongings(a.id, "a");
    await belongings(b.id, "b");
    const codeA = await createLinkCode(testDb.db, clock, bot, a.id);
    const codeB = await createLinkCode(testDb.db, clock, bot, b.id);
    const input = (code: string) => ({ code, telegramUserId: 777n, languageCode: "ru" });
    const racers = await Promise.all([
      redeemLinkCode(testDb.db, clock, input(codeA.code)),
      findOrCreateTelegramUser(testDb.db, identity(777n)),
      redeemLinkCode(testDb.db, clock, input(codeB.code)),
      findOrCreateTelegramUser(testDb.db, identity(777n)),
      redeemLinkCode(testDb.db, clock, input(codeA.code)),
    ]);
    const outcomes = [racers[0], racers[2], racers[4]].map((r) => (r as { outcome: string }).outcome);
    // Linking an unused Telegram id takes one step; taking over an account with it never does.
    expect(outcomes.every((o) => o === "linked" || o === "confirmMerge" || o === "invalid" || o === "already")).toBe(true);
    expect(outcomes).not.toContain("merged");
    // The Telegram user confirms every warning it got, all at once.
    await Promise.all([confirmLinkMerge(testDb.db, clock, input(codeA.code), mergeAccounts), confirmLinkMerge(testDb.db, clock, input(codeB.code), mergeAccounts)]);
    // Whatever order they ran in, one user holds the Telegram id and every avatar and payment.
    const survivors = (await testDb.db.select().from(users)).filter((u) => u.telegramUserId === 777n);
    expect(survivors).toHaveLength(1);
    const remaining = await testDb.db.select().from(users);
    expect(remaining.map((u) => u.id)).toEqual([survivors[0]!.id]);
    expect(new Set((await testDb.db.select().from(avatars)).map((r) => r.userId))).toEqual(new Set([survivors[0]!.id]));
    expect(await count(avatars)).toBe(2);
    expect(await count(payments)).toBe(2);
    expect(await count(generatedPhotos)).toBe(4);
  });
});

describe("merging through the bot", () => {
  const ctx = (): BotContext => ({ db: testDb.db, clock, publicUrl: "https://pinglass.test", botApi: createBotApi({ token: bot.botToken, apiUrl: fake.url }), mergeAccounts });
  let updateId = 0;
  const update = (text: string, from: { id: number; language_code?: string }): TelegramUpdate => ({
    update_id: ++updateId,
    message: { message_id: updateId, from, chat: { id: from.id, type: "private" }, text },
  });
  const press = (data: string, from: { id: number; language_code?: string }): TelegramUpdate => ({
    update_id: ++updateId,
    callback_query: { id: `query-${updateId}`, from, message: { message_id: updateId, chat: { id: from.id, type: "private" } }, data },
  });
  const appButton = (text: string) => ({ inline_keyboard: [[{ text, web_app: { url: "https://pinglass.test" } }]] });
  const answeredQueries = () => fake.accepted().filter((c) => c.method === "answerCallbackQuery").map((c) => c.params.callback_query_id);

  /** A web user who asked for a link, and a Telegram user (id 40) who already has an avatar with photos and a paid payment. */
  async function accounts() {
    const web = await webUser();
    const telegram = await findOrCreateTelegramUser(testDb.db, { telegramUserId: 40n, languageCode: "ru", firstName: null, username: null });
    const [avatar] = await testDb.db.insert(avatars).values({ userId: telegram.id, name: "Море" }).returning();
    await testDb.db.insert(generatedPhotos).values([1, 2, 3].map((n) => ({ avatarId: avatar!.id, imageUrl: `photos/${n}.jpg` })));
    await testDb.db.insert(payments).values({ userId: telegram.id, amount: "499.00", status: "succeeded", orderId: "order-tg" });
    const { code } = await createLinkCode(testDb.db, clock, bot, web.id);
    return { web, telegram, code };
  }
  const owners = async () => ({
    users: (await testDb.db.select({ id: users.id, telegramUserId: users.telegramUserId }).from(users).orderBy(users.id)).map((u) => `${u.id}:${u.telegramUserId}`),
    avatars: (await testDb.db.select({ userId: avatars.userId }).from(avatars)).map((a) => a.userId),
    payments: (await testDb.db.select({ userId: payments.userId }).from(payments)).map((p) => p.userId),
  });

  it("merges when the same Telegram user presses Merge, answers the button, and says so", async () => {
    const { web, code } = await accounts();
    await replyToUpdate(ctx(), update(`/start link_${code}`, { id: 40, language_code: "en" }));
    const query = press(`merge_${code}`, { id: 40, language_code: "en" });
    expect(await replyToUpdate(ctx(), query)).toEqual({
      chat_id: 40,
      text: "Done: the accounts are merged; all avatars, photos and payments are now in one account.",
      reply_markup: appButton("Open PinGlass"),
    });
    expect(await owners()).toEqual({ users: [`${web.id}:40`], avatars: [web.id], payments: [web.id] });
    expect(answeredQueries()).toEqual([query.callback_query!.id]);
    // A second press finds the code spent.
    expect((await replyToUpdate(ctx(), press(`merge_${code}`, { id: 40, language_code: "en" })))!.text).toBe("This link is invalid or already used. Get a new one in the app.");
    expect(await owners()).toEqual({ users: [`${web.id}:40`], avatars: [web.id], payments: [web.id] });
  });
});
