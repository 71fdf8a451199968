import { DomainError, manualClock } from "@pinglass/core";
import { users, webhookDeliveries } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEndpoint, deleteEndpoint, listDeliveries, listEndpoints, maxEndpointsPerUser } from "./endpoints.ts";

let testDb: TestDb;
const clock = manualClock(new Date("2026-03-01T10:00:00Z"));
const local = { allowPrivateAddresses: true };
const production = { allowPrivateAddresses: false };

beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.close());
beforeEach(() => testDb.reset());

const newUser = async () => (await testDb.db.insert(users).values({ deviceId: crypto.randomUUID() }).returning())[0]!.id;
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (error: unknown) => (error instanceof DomainError ? `${error.code} ${error.key}` : Promise.reject(error)),
  );

describe("webhook endpoints", () => {
  it("are created with a Standard Webhooks secret shown once, and listed without it", async () => {
    const userId = await newUser();
    const created = await createEndpoint(testDb.db, local, userId, { url: "http://127.0.0.1:9/hooks", events: ["photo.created", "job.completed", "photo.created"] }, clock.now());
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.secret.slice(6), "base64")).toHaveLength(32);
    expect(created).toMatchObject({ url: "http://127.0.0.1:9/hooks", events: ["job.completed", "photo.created"], createdAt: clock.now() });
    expect(await listEndpoints(testDb.db, userId)).toEqual([{ id: created.id, url: created.url, events: created.events, createdAt: clock.now() }]);
    expect(await listEndpoints(testDb.db, await newUser())).toEqual([]);
  });

  it("refuse a URL that is not http(s) or, in production, leads inside, and change nothing", async () => {
    const userId = await newUser();
    expect(await refusal(createEndpoint(testDb.db, production, userId, { url: "http://127.0.0.1:9/hooks", events: ["job.completed"] }, clock.now()))).toBe(
      "BAD_REQUEST errors.webhook.urlPrivate",
    );
    expect(await refusal(createEndpoint(testDb.db, local, userId, { url: "ftp://127.0.0.1/hooks", events: ["job.completed"] }, clock.now()))).toBe("BAD_REQUEST errors.webhook.urlInvalid");
    expect(await listEndpoints(testDb.db, userId)).toEqual([]);
  });

  it(`are at most ${maxEndpointsPerUser} per user`, async () => {
    const userId = await newUser();
    const create = () => createEndpoint(testDb.db, local, userId, { url: "http://127.0.0.1:9/hooks", events: ["job.completed"] }, clock.now());
    await Promise.all(Array.from({ length: maxEndpointsPerUser }, create));
    expect(await refusal(create())).toBe("FORBIDDEN errors.webhook.limit");
    expect(await listEndpoints(testDb.db, userId)).toHaveLength(maxEndpointsPerUser);
  });

  it("are deleted and paged through only by their owner; someone else's is not found", async () => {
    const [owner, stranger] = [await newUser(), await newUser()];
    const endpoint = await createEndpoint(testDb.db, local, owner, { url: "http://127.0.0.1:9/hooks", events: ["job.completed"] }, clock.now());
    await testDb.db.insert(webhookDeliveries).values(
      [1, 2, 3].map((n) => ({ endpointId: endpoint.id, messageId: `msg_${n}`, eventType: "job.completed" as const, orderKey: `job:${n}`, payload: "{}", createdAt: clock.now() })),
    );
    const first = await listDeliveries(testDb.db, owner, endpoint.id, { limit: 2 });
    expect(first.items.map((d) => d.messageId)).toEqual(["msg_3", "msg_2"]);
    expect(first.items[0]).toMatchObject({ status: "pending", attempts: 0, lastStatusCode: null, nextAttemptAt: expect.any(Date) });
    const second = await listDeliveries(testDb.db, owner, endpoint.id, { limit: 2, cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [{ messageId: "msg_1" }], nextCursor: null });

    expect(await refusal(listDeliveries(testDb.db, stranger, endpoint.id, { limit: 2 }))).toBe("NOT_FOUND errors.webhook.notFound");
    expect(await refusal(deleteEndpoint(testDb.db, stranger, endpoint.id))).toBe("NOT_FOUND errors.webhook.notFound");
    expect(await deleteEndpoint(testDb.db, owner, endpoint.id)).toEqual({ deleted: true });
    expect(await refusal(deleteEndpoint(testDb.db, owner, endpoint.id))).toBe("NOT_FOUND errors.webhook.notFound");
    expect(await testDb.db.select().from(webhookDeliveries)).toEqual([]);
  });
});
