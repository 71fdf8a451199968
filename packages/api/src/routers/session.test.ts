import { previousDeviceIdGraceMs } from "@pinglass/accounts";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApi } from "../testing.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.testDb.close());
beforeEach(() => api.testDb.reset());

const avatarsOf = (userId: number) => api.testDb.db.query.avatars.findMany({ where: (avatar, { eq }) => eq(avatar.userId, userId) });

describe("session.me", () => {
  it("is one statement, whose own user row refuses the token of an account that is gone", async () => {
    const { token, userId, caller } = await api.signIn();
    // Counted on the driver's client (PGlite, pg or Neon): every statement drizzle sends goes through query().
    const { $client: client } = api.testDb.db as unknown as { $client: { query: (...args: unknown[]) => Promise<unknown> } };
    const query = client.query;
    let statements = 0;
    client.query = function (this: unknown, ...args: unknown[]) {
      statements++;
      return query.apply(this, args);
    };
    try {
      expect(await caller.session.me()).toMatchObject({ user: { id: userId }, hasPaid: false, paidPhotosets: [] });
    } finally {
      client.query = query;
    }
    expect(statements).toBe(1);

    await api.testDb.db.execute(`DELETE FROM users WHERE id = ${userId}`);
    await expect(api.withToken(token).session.me()).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Сессия истекла. Обновите страницу, чтобы войти снова." });
  });
});

describe("session.start", () => {
  it("creates a user for a new device and finds the same user next time, under a new device id each time", async () => {
    const deviceId = "6F1C7C8E-4D1B-4F5A-9A63-0E8A3C1B2D4E";
    const first = await api.anonymous().session.start({ deviceId });
    expect(first.deviceId).toBe(deviceId.toLowerCase());
    const second = await api.anonymous().session.start({ deviceId: first.deviceId });
    expect(second.userId).toBe(first.userId);
    expect(second.deviceId).not.toBe(first.deviceId);
    const third = await api.anonymous().session.start({ deviceId: second.deviceId });
    expect(third).toMatchObject({ userId: first.userId, deviceId: expect.not.stringMatching(new RegExp(`${first.deviceId}|${second.deviceId}`)) });
    expect(first.token).toMatch(/^v1\.\d+\.\d+\./);
    const me = await api.withToken(first.token).session.me();
    expect(me).toMatchObject({ user: { id: first.userId, telegramUserId: null }, hasPaid: false });
  });

  it("creates exactly one user when many first calls with one device id race", async () => {
    const deviceId = crypto.randomUUID();
    const results = await Promise.all(Array.from({ length: 12 }, () => api.anonymous().session.start({ deviceId })));
    expect(new Set(results.map((r) => r.userId)).size).toBe(1);
    const rows = await api.testDb.db.query.users.findMany();
    expect(rows).toHaveLength(1);
  });

  it("a copied device id stops working once its owner signs in again: the thief gets a new, empty account", async () => {
    const owner = await api.signIn();
    await owner.caller.avatars.create({ name: "Мой" });
    const stolen = owner.deviceId;

    // The owner comes back (the browser sends the id it kept) and keeps the id it is given.
    const again = await api.anonymous().session.start({ deviceId: stolen });
    expect(again).toMatchObject({ userId: owner.userId, deviceId: expect.not.stringMatching(stolen) });
    api.clock.advance(previousDeviceIdGraceMs);

    const thief = await api.anonymous().session.start({ deviceId: stolen });
    expect(thief.userId).not.toBe(owner.userId);
    expect(await avatarsOf(thief.userId)).toEqual([]);
    expect(await api.withToken(thief.token).session.me()).toMatchObject({ user: { id: thief.userId }, hasPaid: false });
    // The owner's current id still signs in to the owner's account.
    expect((await api.anonymous().session.start({ deviceId: again.deviceId })).userId).toBe(owner.userId);
    expect(await avatarsOf(owner.userId)).toMatchObject([{ name: "Мой" }]);
  });

  it("the id just replaced, within the grace, signs in to the same user with its current id (two tabs at once)", async () => {
    const owner = await api.signIn();
    const tabs = await Promise.all(Array.from({ length: 10 }, () => api.anonymous().session.start({ deviceId: owner.deviceId })));
    expect(new Set(tabs.map((t) => `${t.userId} ${t.deviceId}`))).toEqual(new Set([`${owner.userId} ${tabs[0]!.deviceId}`]));
    expect(tabs[0]!.deviceId).not.toBe(owner.deviceId);
    for (const tab of tabs) expect((await api.withToken(tab.token).session.me()).user.id).toBe(owner.userId);
    expect(await api.testDb.db.query.users.findMany()).toHaveLength(1);
  });

  it("refuses a malformed device id with a clear message in the caller's language, creating nothing", async () => {
    await expect(api.anonymous("ru").session.start({ deviceId: "not-a-uuid" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "Неверный идентификатор устройства: нужен UUID.",
    });
    const error = await api.anonymous("en").session.start({ deviceId: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect(error).toMatchObject({ code: "BAD_REQUEST", message: "Invalid device id: a UUID is required." });
    expect(await api.testDb.db.query.users.findMany()).toEqual([]);
  });
});

describe("session tokens", () => {
  it("are required, and forged or expired ones are refused", async () => {
    await expect(api.anonymous().session.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const { token } = await api.signIn();
    const [payload, , sig] = [token.slice(0, token.lastIndexOf(".")), 0, token.slice(token.lastIndexOf(".") + 1)];
    const otherUser = payload.replace(/^v1\.\d+/, "v1.999");
    await expect(api.withToken(`${otherUser}.${sig}`).session.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(api.withToken(token).session.me()).resolves.toBeTruthy();
    api.clock.advance(3601_000);
    await expect(api.withToken(token).session.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("session.me", () => {
  it("reports hasPaid with the spec's query", async () => {
    const { caller, userId } = await api.signIn();
    expect((await caller.session.me()).hasPaid).toBe(false);
    await api.testDb.db.execute(`INSERT INTO payments (user_id, amount, status) VALUES (${userId}, 999.00, 'succeeded')`);
    expect((await caller.session.me()).hasPaid).toBe(true);
  });
});

describe("session.options", () => {
  it("names the Telegram bot for the Login Widget only when one is configured, to anyone", async () => {
    expect(await api.anonymous().session.options()).toEqual({ telegramBotUsername: null });
    api.deps.telegram = { botToken: "7000000001:AAF-options-test", botUsername: "PinGlassBot", initDataMaxAgeSeconds: 86_400 };
    try {
      expect(await api.anonymous().session.options()).toEqual({ telegramBotUsername: "PinGlassBot" });
    } finally {
      delete api.deps.telegram;
    }
  });
});
