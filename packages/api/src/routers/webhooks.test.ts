import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApi } from "../testing.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.testDb.close());
beforeEach(async () => {
  await api.testDb.reset();
  api.deps.webhookUrls = undefined;
});

describe("account.webhooks", () => {
  it("adds an endpoint with its signing secret once, lists it without, and deletes it", async () => {
    api.deps.webhookUrls = { allowPrivateAddresses: true };
    const { caller } = await api.signIn();
    const created = await caller.account.webhooks.create({ url: "http://127.0.0.1:4000/hooks", events: ["job.completed", "photo.created"] });
    expect(created).toMatchObject({ url: "http://127.0.0.1:4000/hooks", events: ["job.completed", "photo.created"], secret: expect.stringMatching(/^whsec_/) });
    expect(await caller.account.webhooks.list()).toEqual({ items: [{ id: created.id, url: created.url, events: created.events, createdAt: created.createdAt }] });
    expect(await caller.account.webhooks.deliveries({ webhookId: created.id })).toEqual({ items: [], nextCursor: null });
    expect(await caller.account.webhooks.delete({ webhookId: created.id })).toEqual({ deleted: true });
    expect(await caller.account.webhooks.list()).toEqual({ items: [] });
  });

  it("refuses, as production does by default, a URL that leads inside, and one that is not http(s), in the caller's language", async () => {
    const { token } = await api.signIn();
    await expect(api.withToken(token, "en").account.webhooks.create({ url: "http://169.254.169.254/latest", events: ["job.completed"] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "169.254.169.254 leads into a private network; webhooks are sent only to public addresses.",
    });
    await expect(api.withToken(token).account.webhooks.create({ url: "ftp://93.184.216.34/", events: ["job.completed"] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("http:// или https://"),
    });
    await expect(api.withToken(token, "en").account.webhooks.create({ url: "https://93.184.216.34/", events: [] })).rejects.toMatchObject({ message: "Choose at least one event." });
    expect(await api.withToken(token).account.webhooks.list()).toEqual({ items: [] });
  });

  it("is managed with a key's `create` scope and read with `read`", async () => {
    api.deps.webhookUrls = { allowPrivateAddresses: true };
    const { caller } = await api.signIn();
    const reader = api.withToken((await caller.account.apiKeys.create({ name: "r", scopes: ["read"] })).secret);
    const writer = api.withToken((await caller.account.apiKeys.create({ name: "w", scopes: ["create"] })).secret);
    await expect(reader.account.webhooks.create({ url: "http://127.0.0.1:4000/hooks", events: ["job.failed"] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const created = await writer.account.webhooks.create({ url: "http://127.0.0.1:4000/hooks", events: ["job.failed"] });
    expect((await reader.account.webhooks.list()).items).toHaveLength(1);
    await expect(writer.account.webhooks.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await writer.account.webhooks.delete({ webhookId: created.id })).toEqual({ deleted: true });
  });
});
