import { avatars, generatedPhotos, generationJobs, generationSlots, paymentEvents, paymentRefunds, payments, referencePhotos, rowsOf, telegramDeliveries, telegramLinkCodes, users } from "@pinglass/db";
import { signInitData as sign, signLoginWidget } from "@pinglass/telegram/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApi } from "../testing.ts";

const telegram = { botToken: "7000000001:AAF-api-test-token", botUsername: "PinGlassBot", initDataMaxAgeSeconds: 86_400 };
let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi({ telegram });
});
afterAll(() => api.testDb.close());
beforeEach(async () => {
  await api.testDb.reset();
  api.deps.telegram = telegram;
});

/** Rows counted with plain SQL (the api package reaches the schema only through @pinglass/db). */
const count = async (query: string) => Number(rowsOf<{ n: number | string }>(await api.testDb.db.execute(query))[0]!.n);

const initDataFor = (id: number, languageCode = "ru", token = telegram.botToken) =>
  sign({ query_id: "AAHdF6IQAAAAAN0XohDhrOrc", user: { id, first_name: "Ann", language_code: languageCode } as never }, token, api.clock.now());

describe("session.telegram", () => {
  it("signs in with verified initData, creating the user once, and returns a session token like session.start", async () => {
    const first = await api.anonymous().session.telegram({ initData: initDataFor(5001, "en") });
    const again = await api.anonymous().session.telegram({ initData: initDataFor(5001, "en") });
    expect(again.userId).toBe(first.userId);
    const me = await api.withToken(first.token).session.me();
    expect(me.user).toMatchObject({ id: first.userId, telegramUserId: 5001 });
    const racing = await Promise.all(Array.from({ length: 8 }, () => api.anonymous().session.telegram({ initData: initDataFor(5002) })));
    expect(new Set(racing.map((r) => r.userId)).size).toBe(1);
    expect(await api.testDb.db.select().from(users)).toHaveLength(2);
  });

  it("refuses expired, altered and foreign-signed initData in the caller's language, creating nothing", async () => {
    const stale = initDataFor(5003);
    api.clock.advance((telegram.initDataMaxAgeSeconds + 1) * 1000);
    await expect(api.anonymous("en").session.telegram({ initData: stale })).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "The Telegram data is too old. Open the app from Telegram again." });
    await expect(api.anonymous().session.telegram({ initData: initDataFor(5003).replace("5003", "5004") })).rejects.toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("не прошли проверку") });
    await expect(api.anonymous().session.telegram({ initData: initDataFor(5003, "ru", "6000000002:AAGother") })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(api.anonymous().session.telegram({ initData: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await api.testDb.db.select().from(users)).toEqual([]);
  });

  it("refuses everything when no bot is configured", async () => {
    api.deps.telegram = undefined;
    await expect(api.anonymous("en").session.telegram({ initData: initDataFor(5005) })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "Signing in with Telegram is not available right now.",
    });
    const { caller } = await api.signIn();
    await expect(caller.account.linkTelegram()).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(await count("SELECT count(*) AS n FROM users WHERE telegram_user_id = 5005")).toBe(0);
  });
});

describe("session.telegramLogin", () => {
  it("signs in with the Login Widget's data and refuses it altered", async () => {
    const payload = signLoginWidget({ id: 6001, first_name: "Web", username: "web_user", auth_date: api.clock.now().getTime() / 1000 }, telegram.botToken);
    const session = await api.anonymous().session.telegramLogin(payload);
    expect((await api.withToken(session.token).session.me()).user.telegramUserId).toBe(6001);
    await expect(api.anonymous().session.telegramLogin({ ...payload, id: 6002 })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(api.anonymous().session.telegramLogin({ ...payload, hash: "nope" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("account.linkTelegram", () => {
  it("returns a one-time code with its t.me link and expiry", async () => {
    const { caller } = await api.signIn();
    const link = await caller.account.linkTelegram();
    expect(link.link).toBe(`https://t.me/PinGlassBot?start=link_${link.code}`);
    expect(Date.parse(link.expiresAt)).toBeGreaterThan(api.clock.now().getTime());
    expect(await api.testDb.db.select().from(telegramLinkCodes)).toHaveLength(1);
  });
});

describe("account.deleteAll", () => {
  /** A user with one of everything, rows and files, inserted directly. */
  async function populatedUser() {
    const db = api.testDb.db;
    const session = await api.signIn();
    const userId = session.userId;
    await db.execute(`UPDATE users SET telegram_user_id = ${7000 + userId} WHERE id = ${userId}`);
    const [payment] = await db.insert(payments).values({ userId, amount: "999.00", status: "succeeded", orderId: `order-${userId}` }).returning();
    await db.insert(paymentEvents).values({ paymentId: payment!.id, dedupeKey: `event-${userId}`, body: { Status: "CONFIRMED" } });
    const [avatar] = await db.insert(avatars).values({ userId, name: "Всё", status: "ready" }).returning();
    const [job] = await db.insert(generationJobs).values({ avatarId: avatar!.id, status: "completed", totalPhotos: 2, completedPhotos: 1, paymentId: payment!.id }).returning();
    const [slot] = await db.insert(generationSlots).values({ jobId: job!.id, position: 0, sceneId: "s", prompt: "p", status: "succeeded" }).returning();
    const keys = [`photos/${userId}/1.jpg`, `photos/${userId}/1-thumb.jpg`, `refs/${userId}/1.jpg`, `refs/${userId}/1-thumb.jpg`];
    for (const key of keys) await api.media.storage.put(key, Buffer.from(key), "image/jpeg");
    await db.insert(generatedPhotos).values({ avatarId: avatar!.id, jobId: job!.id, slotId: slot!.id, imageUrl: keys[0], thumbnailUrl: keys[1] });
    await db.insert(referencePhotos).values({ avatarId: avatar!.id, storageKey: keys[2]!, thumbnailKey: keys[3]!, sizeBytes: 10, width: 1, height: 1, contentType: "image/jpeg" });
    await db.insert(paymentRefunds).values({ paymentId: payment!.id, jobId: job!.id, amount: "66.60", failedPhotos: 1, status: "succeeded" });
    await db.insert(telegramDeliveries).values({ jobId: job!.id, chatId: BigInt(7000 + userId) });
    await session.caller.account.linkTelegram();
    return { ...session, avatarId: avatar!.id, keys };
  }

  /** Rows that belong to this user, table by table; everything hangs off its avatars and payments. */
  const rowsOfUser = async (userId: number) => ({
    users: await count(`SELECT count(*) AS n FROM users WHERE id = ${userId}`),
    avatars: await count(`SELECT count(*) AS n FROM avatars WHERE user_id = ${userId}`),
    photos: await count(`SELECT count(*) AS n FROM generated_photos p JOIN avatars a ON a.id = p.avatar_id WHERE a.user_id = ${userId}`),
    references: await count(`SELECT count(*) AS n FROM reference_photos r JOIN avatars a ON a.id = r.avatar_id WHERE a.user_id = ${userId}`),
    jobs: await count(`SELECT count(*) AS n FROM generation_jobs j JOIN avatars a ON a.id = j.avatar_id WHERE a.user_id = ${userId}`),
    slots: await count(`SELECT count(*) AS n FROM generation_slots s JOIN generation_jobs j ON j.id = s.job_id JOIN avatars a ON a.id = j.avatar_id WHERE a.user_id = ${userId}`),
    deliveries: await count(`SELECT count(*) AS n FROM telegram_deliveries d JOIN generation_jobs j ON j.id = d.job_id JOIN avatars a ON a.id = j.avatar_id WHERE a.user_id = ${userId}`),
    payments: await count(`SELECT count(*) AS n FROM payments WHERE user_id = ${userId}`),
    events: await count(`SELECT count(*) AS n FROM payment_events e JOIN payments p ON p.id = e.payment_id WHERE p.user_id = ${userId}`),
    refunds: await count(`SELECT count(*) AS n FROM payment_refunds r JOIN payments p ON p.id = r.payment_id WHERE p.user_id = ${userId}`),
    linkCodes: await count(`SELECT count(*) AS n FROM telegram_link_codes WHERE user_id = ${userId}`),
  });
  const totals = async () => ({
    photos: await count("SELECT count(*) AS n FROM generated_photos"),
    references: await count("SELECT count(*) AS n FROM reference_photos"),
    jobs: await count("SELECT count(*) AS n FROM generation_jobs"),
    slots: await count("SELECT count(*) AS n FROM generation_slots"),
    deliveries: await count("SELECT count(*) AS n FROM telegram_deliveries"),
    events: await count("SELECT count(*) AS n FROM payment_events"),
    refunds: await count("SELECT count(*) AS n FROM payment_refunds"),
  });

  it("deletes every row and file of the user and nothing of anyone else", async () => {
    const doomed = await populatedUser();
    const bystander = await populatedUser();
    const bystanderRows = await rowsOfUser(bystander.userId);
    expect(Object.values(bystanderRows).every((n) => n === 1)).toBe(true);

    expect(await doomed.caller.account.deleteAll({ confirm: true })).toEqual({ deleted: true });

    expect(Object.values(await rowsOfUser(doomed.userId)).every((n) => n === 0)).toBe(true);
    // What is left in every table is exactly the bystander's: no orphan of the deleted user anywhere.
    expect(await totals()).toEqual({ photos: 1, references: 1, jobs: 1, slots: 1, deliveries: 1, events: 1, refunds: 1 });
    expect(await rowsOfUser(bystander.userId)).toEqual(bystanderRows);
    for (const key of doomed.keys) expect(await api.media.storage.get(key)).toBeNull();
    for (const key of bystander.keys) expect(await api.media.storage.get(key)).not.toBeNull();
    await expect(doomed.caller.session.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("is refused while an avatar is generating, while a payment could still complete, and without the confirmation", async () => {
    const user = await populatedUser();
    await expect(user.caller.account.deleteAll({ confirm: false as true })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await api.testDb.db.execute(`UPDATE avatars SET status = 'processing' WHERE id = ${user.avatarId}`);
    await expect(user.caller.account.deleteAll({ confirm: true })).rejects.toMatchObject({ code: "CONFLICT", message: "Идёт генерация фото — удалить аккаунт можно, когда она закончится." });
    await api.testDb.db.execute(`UPDATE avatars SET status = 'ready' WHERE id = ${user.avatarId}`);
    // A payment the bank could still complete blocks deletion; one whose session has lapsed does not.
    await api.testDb.db.execute(`INSERT INTO payments (user_id, amount, status, created_at) VALUES (${user.userId}, 499.00, 'pending', '${api.clock.now().toISOString()}')`);
    await expect(user.caller.account.deleteAll({ confirm: true })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("Идёт оплата") });
    expect(await count(`SELECT count(*) AS n FROM users WHERE id = ${user.userId}`)).toBe(1);
    for (const key of user.keys) expect(await api.media.storage.get(key)).not.toBeNull();
    await api.testDb.db.execute(`UPDATE payments SET created_at = created_at - interval '25 hours' WHERE status = 'pending' AND user_id = ${user.userId}`);
    // A refund still on its way to the bank would be lost with the rows: the money comes first.
    await api.testDb.db.execute(`UPDATE payment_refunds SET status = 'pending' WHERE job_id IN (SELECT id FROM generation_jobs WHERE avatar_id = ${user.avatarId})`);
    await expect(user.caller.account.deleteAll({ confirm: true })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("возвращаем деньги") });
    expect(await count(`SELECT count(*) AS n FROM users WHERE id = ${user.userId}`)).toBe(1);
    await api.testDb.db.execute(`UPDATE payment_refunds SET status = 'succeeded' WHERE job_id IN (SELECT id FROM generation_jobs WHERE avatar_id = ${user.avatarId})`);
    await expect(user.caller.account.deleteAll({ confirm: true })).resolves.toEqual({ deleted: true });
  });

  it("leaves the user untouched when refused", async () => {
    const user = await populatedUser();
    await api.testDb.db.execute(`UPDATE avatars SET status = 'processing' WHERE id = ${user.avatarId}`);
    await expect(user.caller.account.deleteAll({ confirm: true })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(Object.values(await rowsOfUser(user.userId)).every((n) => n === 1)).toBe(true);
    for (const key of user.keys) expect(await api.media.storage.get(key)).not.toBeNull();
  });
});
