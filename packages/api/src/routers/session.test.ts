import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApi } from "../testing.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.testDb.close());
beforeEach(() => api.testDb.reset());

describe("session.start", () => {
  it("creates a user for a new device and finds the same user next time", async () => {
    const deviceId = "6f1c7c8e-4d1b-4f5a-9a63-0e8a3c1b2d4e";
    const first = await api.anonymous().session.start({ deviceId });
    const second = await api.anonymous().session.start({ deviceId });
    expect(second.userId).toBe(first.userId);
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
