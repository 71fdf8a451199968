import { apiKeys, rowsOf } from "@pinglass/db";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApi } from "../testing.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.testDb.close());
beforeEach(() => api.testDb.reset());

/** A signed-in user and one API key of theirs with these scopes. */
async function keyWith(scopes: ("read" | "create" | "generate" | "pay")[]) {
  const session = await api.signIn();
  const key = await session.caller.account.apiKeys.create({ name: "CI", scopes });
  return { ...session, key };
}

describe("account.apiKeys", () => {
  it("creates a pg_live_ key whose secret is shown once and only its hash is kept", async () => {
    const { caller, key } = await keyWith(["read", "create"]);
    expect(key.secret).toMatch(/^pg_live_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({ name: "CI", prefix: key.secret.slice(0, 12), scopes: ["create", "read"], lastUsedAt: null });
    const listed = await caller.account.apiKeys.list();
    expect(listed.items).toEqual([{ id: key.id, name: "CI", prefix: key.prefix, scopes: ["create", "read"], createdAt: key.createdAt, lastUsedAt: null }]);
    expect(JSON.stringify(listed)).not.toContain(key.secret);
    const stored = rowsOf<Record<string, unknown>>(await api.testDb.db.execute("SELECT * FROM api_keys"));
    expect(JSON.stringify(stored)).not.toContain(key.secret.slice(12));
  });

  it("refuses the admin scope (operators only), no scope, and an empty name, in the caller's language", async () => {
    const { token } = await api.signIn();
    const en = api.withToken(token, "en");
    await expect(en.account.apiKeys.create({ name: "ops", scopes: ["admin"] })).rejects.toMatchObject({ code: "FORBIDDEN", message: "Only operators can have keys with the “admin” scope." });
    await expect(en.account.apiKeys.create({ name: "ops", scopes: [] })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Choose at least one scope for the key." });
    await expect(api.withToken(token).account.apiKeys.create({ name: "  ", scopes: ["read"] })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Введите название ключа." });
    expect(await api.testDb.db.select().from(apiKeys)).toEqual([]);
  });

  it("works as a session within its scopes, and is refused with 403 and a clear reason outside them", async () => {
    const { key, userId } = await keyWith(["read"]);
    const program = api.withToken(key.secret, "en");
    expect((await program.session.me()).user.id).toBe(userId);
    expect(await program.avatars.list()).toMatchObject({ items: [] });
    await expect(program.avatars.create({ name: "From a key" })).rejects.toMatchObject({ code: "FORBIDDEN", message: "This API key lacks the “create” scope that avatars.create needs." });
    await expect(program.generation.start({ avatarId: 1, styleId: "professional" })).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("“generate”") });
    await expect(program.payments.create({ tierId: "starter", email: "a@b.ru" })).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("“pay”") });
    await expect(program.account.apiKeys.create({ name: "more", scopes: ["pay"] })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "account.apiKeys.create is available only in the app, not with an API key.",
    });
    await expect(api.withToken(key.secret).account.deleteAll({ confirm: true })).rejects.toMatchObject({ code: "FORBIDDEN", message: "account.deleteAll доступен только в приложении, не по ключу API." });

    const writer = api.withToken((await keyWith(["create"])).key.secret);
    expect(await writer.avatars.create({ name: "From a key" })).toMatchObject({ name: "From a key" });
  });

  it("records when a key was last used, at most once a minute", async () => {
    const { caller, key } = await keyWith(["read"]);
    await api.withToken(key.secret).avatars.list();
    const first = (await caller.account.apiKeys.list()).items[0]!.lastUsedAt;
    expect(first).toBe(api.clock.now().toISOString());
    api.clock.advance(30_000);
    await api.withToken(key.secret).avatars.list();
    expect((await caller.account.apiKeys.list()).items[0]!.lastUsedAt).toBe(first);
    api.clock.advance(30_000);
    await api.withToken(key.secret).avatars.list();
    expect((await caller.account.apiKeys.list()).items[0]!.lastUsedAt).toBe(api.clock.now().toISOString());
  });

  it("stops a revoked key at once, and only its owner may revoke it", async () => {
    const { caller, key } = await keyWith(["read"]);
    const stranger = await api.signIn();
    await expect(stranger.caller.account.apiKeys.revoke({ keyId: key.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await api.withToken(key.secret).avatars.list();
    expect(await caller.account.apiKeys.revoke({ keyId: key.id })).toEqual({ revoked: true });
    await expect(api.withToken(key.secret, "en").avatars.list()).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "This API key is not valid or has been revoked." });
    expect((await caller.account.apiKeys.list()).items).toEqual([]);
    await expect(caller.account.apiKeys.revoke({ keyId: key.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("stops the keys of a deleted account at once (they are deleted with it)", async () => {
    const { caller, key } = await keyWith(["read"]);
    await caller.account.deleteAll({ confirm: true });
    await expect(api.withToken(key.secret).avatars.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await api.testDb.db.select().from(apiKeys)).toEqual([]);
  });

  it("refuses a made-up key like a revoked one", async () => {
    await expect(api.withToken(`pg_live_${"A".repeat(43)}`).avatars.list()).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Ключ API неверен или отозван." });
  });
});
