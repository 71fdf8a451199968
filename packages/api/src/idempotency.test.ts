import { avatars, idempotencyKeys, webhookEndpoints } from "@pinglass/db";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCaller } from "./root.ts";
import { createTestApi } from "./testing.ts";
import { createContext } from "./trpc.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.testDb.close());
beforeEach(async () => {
  await api.testDb.reset();
  api.deps.webhookUrls = undefined;
});

const avatarCount = async () => (await api.testDb.db.select().from(avatars)).length;

describe("idempotency keys", () => {
  it("answer the same request again with the first answer, without doing it twice", async () => {
    const { caller } = await api.signIn();
    const first = await caller.avatars.create({ name: "Лето", idempotencyKey: "create-summer" });
    const again = await caller.avatars.create({ name: "Лето", idempotencyKey: "create-summer" });
    expect(again).toEqual(first);
    expect(await avatarCount()).toBe(1);
    // Without a key, the same request is another request.
    await caller.avatars.create({ name: "Лето" });
    expect(await avatarCount()).toBe(2);
  });

  it("refuse the same key with another request (another body or another procedure) with 409", async () => {
    const { token } = await api.signIn();
    const en = api.withToken(token, "en");
    await en.avatars.create({ name: "One", idempotencyKey: "k-1" });
    const mismatch = { code: "CONFLICT", message: "This idempotency key was already used for a different request. Use a new key for a new request." };
    await expect(en.avatars.create({ name: "Two", idempotencyKey: "k-1" })).rejects.toMatchObject(mismatch);
    await expect(en.account.apiKeys.create({ name: "One", scopes: ["read"], idempotencyKey: "k-1" })).rejects.toMatchObject(mismatch);
    expect(await avatarCount()).toBe(1);
  });

  it("belong to their user: another user's same key is theirs alone", async () => {
    const [ann, bob] = [await api.signIn(), await api.signIn()];
    const annAvatar = await ann.caller.avatars.create({ name: "Same", idempotencyKey: "shared" });
    const bobAvatar = await bob.caller.avatars.create({ name: "Same", idempotencyKey: "shared" });
    expect(bobAvatar.id).not.toBe(annAvatar.id);
  });

  it("are kept 24 hours: after that the same key runs again", async () => {
    const { caller } = await api.signIn();
    await caller.avatars.create({ name: "Лето", idempotencyKey: "daily" });
    api.clock.advance(24 * 3_600_000 - 1);
    await caller.avatars.create({ name: "Лето", idempotencyKey: "daily" });
    expect(await avatarCount()).toBe(1);
    api.clock.advance(1);
    await caller.avatars.create({ name: "Лето", idempotencyKey: "daily" });
    expect(await avatarCount()).toBe(2);
  });

  it("are freed by a request that failed, so the caller can fix it and send it again", async () => {
    const { caller } = await api.signIn();
    await expect(caller.avatars.create({ name: "x".repeat(200), idempotencyKey: "fix-me" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await api.testDb.db.select().from(idempotencyKeys)).toEqual([]);
    expect(await caller.avatars.create({ name: "Fixed", idempotencyKey: "fix-me" })).toMatchObject({ name: "Fixed" });
  });

  it("come in the Idempotency-Key header too (the REST way), for any mutation", async () => {
    const { token } = await api.signIn();
    const withHeader = createCaller(createContext(api.deps, { authorization: `Bearer ${token}`, "idempotency-key": "header-key" }));
    const first = await withHeader.avatars.create({ name: "Header" });
    expect(await withHeader.avatars.create({ name: "Header" })).toEqual(first);
    expect(await avatarCount()).toBe(1);
  });

  it("let a key whose first request never stored its answer (its process died) run again after five minutes", async () => {
    const { caller } = await api.signIn();
    await caller.avatars.create({ name: "Again", idempotencyKey: "orphan" });
    // As if the process had died between the work and storing its answer.
    await api.testDb.db.update(idempotencyKeys).set({ response: null });
    await expect(caller.avatars.create({ name: "Again", idempotencyKey: "orphan" })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("ещё выполняется") });
    api.clock.advance(5 * 60_000);
    const second = await caller.avatars.create({ name: "Again", idempotencyKey: "orphan" });
    expect(await caller.avatars.create({ name: "Again", idempotencyKey: "orphan" })).toEqual(second);
    expect(await avatarCount()).toBe(2);
  });

  it("must be 1 to 255 visible ASCII characters", async () => {
    const { token } = await api.signIn();
    for (const idempotencyKey of ["", "with space", "x".repeat(256), "ключ"]) {
      await expect(api.withToken(token, "en").avatars.create({ name: "K", idempotencyKey })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: "An idempotency key is 1 to 255 visible ASCII characters.",
      });
    }
    expect(await avatarCount()).toBe(0);
  });

  it("let exactly one of many racing requests with the same key do the work", async () => {
    const { caller } = await api.signIn();
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => caller.avatars.create({ name: "Race", idempotencyKey: "race" })));
    expect(await avatarCount()).toBe(1);
    const [avatar] = await api.testDb.db.select().from(avatars);
    for (const outcome of outcomes) {
      if (outcome.status === "fulfilled") expect(outcome.value.id).toBe(avatar!.id);
      else expect(outcome.reason).toMatchObject({ code: "CONFLICT", message: expect.stringContaining("ещё выполняется") });
    }
    expect(outcomes.some((o) => o.status === "fulfilled")).toBe(true);
  });

  it("while the first request still runs, refuse a second with 409 “in progress”; then replay the first answer", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const resolving = new Promise<void>((resolve) => (entered = resolve));
    // The first request waits in its DNS lookup (the webhook URL's host) until the test lets it go.
    api.deps.webhookUrls = {
      allowPrivateAddresses: true,
      resolve: async () => {
        entered();
        await gate;
        return [{ address: "127.0.0.1", family: 4 }];
      },
    };
    const { token, caller } = await api.signIn();
    const request = { url: "http://hooks.example.test/pinglass", events: ["job.completed" as const], idempotencyKey: "slow" };
    const first = caller.account.webhooks.create(request);
    await resolving;
    await expect(api.withToken(token, "en").account.webhooks.create(request)).rejects.toMatchObject({
      code: "CONFLICT",
      message: "A request with this idempotency key is still running. Try again in a moment.",
    });
    release();
    const answer = await first;
    expect(await caller.account.webhooks.create(request)).toEqual(answer);
    expect(await api.testDb.db.select().from(webhookEndpoints)).toHaveLength(1);
  });
});
