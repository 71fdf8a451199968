import { createHash } from "node:crypto";
import { manualClock } from "@pinglass/core";
import { avatars, generatedPhotos, generationJobs, paymentEvents, payments, telegramLinkCodes, users } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cancelLinkMerge, confirmLinkMerge, createLinkCode, linkCodeTtlSeconds, redeemLinkCode } from "./linking.ts";
import type { MergeAccounts } from "./user-data.ts";
import { findOrCreateTelegramUser } from "./users.ts";

const bot = { botToken: "7000000001:AAF-link-test", botUsername: "PinGlassBot", initDataMaxAgeSeconds: 86_400 };
let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.close());
beforeEach(() => testDb.reset());

const clock = manualClock(new Date("2026-11-25T12:00:00Z"));
const identity = (id: bigint, languageCode: string | null = "ru") => ({ telegramUserId: id, languageCode, firstName: "Ann", username: null });
/**
 * Merging moves every domain's rows, so the app composes it above the domains (packages/api,
 * where the merges themselves are tested); nothing here may get as far as merging.
 */
const neverMerges: MergeAccounts = () => Promise.reject(new Error("no merge may happen in this test"));
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

const count = async (table: Parameters<ReturnType<typeof testDb.db.select>["from"]>[0]) =>
  Number((await testDb.db.select({ n: sql<number>`count(*)` }).from(table))[0]!.n);

describe("link codes", () => {
  it("are one-time, short-lived, stored only as their SHA-256, and put in a t.me deep link", async () => {
    const user = await webUser();
    const { code, link, expiresAt } = await createLinkCode(testDb.db, clock, bot, user.id);
    expect(link).toBe(`https://t.me/PinGlassBot?start=link_${code}`);
    expect(code).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(expiresAt.getTime() - clock.now().getTime()).toBe(linkCodeTtlSeconds * 1000);
    const [row] = await testDb.db.select().from(telegramLinkCodes);
    expect(row!.codeHash).toBe(createHash("sha256").update(code).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(code);

    expect(await redeemLinkCode(testDb.db, clock, { code, telegramUserId: 9001n, languageCode: "en" })).toEqual({ outcome: "linked" });
    expect((await testDb.db.select().from(users).where(eq(users.id, user.id)))[0]).toMatchObject({ telegramUserId: 9001n, languageCode: "en" });
    expect(await redeemLinkCode(testDb.db, clock, { code, telegramUserId: 9001n, languageCode: "en" })).toEqual({ outcome: "invalid" });
  });

  it("refuse expired, unknown and malformed codes, and a second Telegram for one account, changing nothing", async () => {
    const user = await webUser();
    const stale = await createLinkCode(testDb.db, clock, bot, user.id);
    const later = manualClock(new Date(clock.now().getTime() + linkCodeTtlSeconds * 1000));
    expect(await redeemLinkCode(testDb.db, later, { code: stale.code, telegramUserId: 1n, languageCode: null })).toEqual({ outcome: "expired" });
    expect(await redeemLinkCode(testDb.db, clock, { code: "A".repeat(24), telegramUserId: 1n, languageCode: null })).toEqual({ outcome: "invalid" });
    expect(await redeemLinkCode(testDb.db, clock, { code: "../../etc", telegramUserId: 1n, languageCode: null })).toEqual({ outcome: "invalid" });
    expect((await testDb.db.select().from(users))[0]!.telegramUserId).toBeNull();

    const first = await createLinkCode(testDb.db, clock, bot, user.id);
    expect(await redeemLinkCode(testDb.db, clock, { code: first.code, telegramUserId: 1n, languageCode: null })).toEqual({ outcome: "linked" });
    const again = await createLinkCode(testDb.db, clock, bot, user.id);
    expect(await redeemLinkCode(testDb.db, clock, { code: again.code, telegramUserId: 1n, languageCode: null })).toEqual({ outcome: "already" });
    const other = await createLinkCode(testDb.db, clock, bot, user.id);
    expect(await redeemLinkCode(testDb.db, clock, { code: other.code, telegramUserId: 2n, languageCode: null })).toEqual({ outcome: "otherTelegram" });
    expect((await testDb.db.select().from(users))[0]!.telegramUserId).toBe(1n);
  });
});

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

describe("merging a web account with an existing Telegram account", () => {
  it("does nothing on /start: it says what would move where and waits for the Telegram user to confirm", async () => {
    const { web } = await webAndTelegramAccounts();
    await belongings(web.id, "web-2");
    const before = await accountsSnapshot();
    const { code } = await createLinkCode(testDb.db, clock, bot, web.id);

    expect(await redeemLinkCode(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: "en" })).toEqual({
      outcome: "confirmMerge",
      moving: { avatars: 1, photos: 2, payments: 1 },
      into: { avatars: 2, photos: 4, payments: 2 },
    });
    expect(await accountsSnapshot()).toEqual(before);
    const [row] = await testDb.db.select().from(telegramLinkCodes);
    expect(row!.usedAt).toBeNull();
    // Opening the link again from the same Telegram asks again; it no longer works for anyone else.
    expect((await redeemLinkCode(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: "en" })).outcome).toBe("confirmMerge");
    expect(await redeemLinkCode(testDb.db, clock, { code, telegramUserId: 5151n, languageCode: "en" })).toEqual({ outcome: "invalid" });
    expect(await accountsSnapshot()).toEqual(before);
  });

  it("refuses a confirmation once the code has expired, changing nothing", async () => {
    const { web } = await webAndTelegramAccounts();
    const { code } = await createLinkCode(testDb.db, clock, bot, web.id);
    expect((await redeemLinkCode(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: null })).outcome).toBe("confirmMerge");
    const before = await accountsSnapshot();
    const later = manualClock(new Date(clock.now().getTime() + linkCodeTtlSeconds * 1000));
    expect(await confirmLinkMerge(testDb.db, later, { code, telegramUserId: 4242n, languageCode: null }, neverMerges)).toBe("expired");
    expect(await accountsSnapshot()).toEqual(before);
  });

  it("cancel spends the code and changes no account", async () => {
    const { web } = await webAndTelegramAccounts();
    const { code } = await createLinkCode(testDb.db, clock, bot, web.id);
    expect((await redeemLinkCode(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: null })).outcome).toBe("confirmMerge");
    const before = await accountsSnapshot();
    expect(await cancelLinkMerge(testDb.db, clock, { code, telegramUserId: 4242n })).toBe("cancelled");
    expect(await accountsSnapshot()).toEqual(before);
    expect((await testDb.db.select().from(telegramLinkCodes))[0]!.usedAt).toEqual(clock.now());
    expect(await confirmLinkMerge(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: null }, neverMerges)).toBe("invalid");
    expect(await redeemLinkCode(testDb.db, clock, { code, telegramUserId: 4242n, languageCode: null })).toEqual({ outcome: "invalid" });
    expect(await cancelLinkMerge(testDb.db, clock, { code, telegramUserId: 4242n })).toBe("invalid");
    expect(await accountsSnapshot()).toEqual(before);
  });

});

describe("findOrCreateTelegramUser", () => {
  it("creates one user with a fresh device id however many first sign-ins race, and keeps the language current", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => findOrCreateTelegramUser(testDb.db, identity(31337n, "ru"))));
    expect(new Set(results.map((u) => u.id)).size).toBe(1);
    const [user] = await testDb.db.select().from(users);
    expect(user!.deviceId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await findOrCreateTelegramUser(testDb.db, identity(31337n, "en"))).languageCode).toBe("en");
    expect((await findOrCreateTelegramUser(testDb.db, identity(31337n, null))).languageCode).toBe("en");
  });
});
