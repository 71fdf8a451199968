import type { AddressInfo } from "node:net";
import type { AppRouter } from "@pinglass/api";
import { createTestApi } from "@pinglass/api/testing";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { pino } from "pino";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
let server: ReturnType<typeof createApp>;
let base: string;

beforeAll(async () => {
  api = await createTestApi();
  server = createApp({ deps: api.deps, logger: pino({ level: "silent" }) });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await api.testDb.close();
});

const client = (token?: string, locale = "ru") =>
  createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${base}/trpc`, transformer: superjson, headers: () => ({ ...(token ? { authorization: `Bearer ${token}` } : {}), "accept-language": locale }) })],
  });

describe("the HTTP surface", () => {
  it("serves tRPC end to end: a session, then the user's own data", async () => {
    const session = await client().session.start.mutate({ deviceId: crypto.randomUUID() });
    const me = await client(session.token).session.me.query();
    expect(me.user.id).toBe(session.userId);
    expect(me.user.createdAt).toBeInstanceOf(Date);
    const avatar = await client(session.token).avatars.create.mutate({ name: "HTTP" });
    expect((await client(session.token).avatars.list.query()).items.map((a) => a.id)).toEqual([avatar.id]);
  });

  it("answers errors with the right HTTP status and a readable message in the caller's language", async () => {
    const response = await fetch(`${base}/trpc/session.me`, { headers: { "accept-language": "en" } });
    expect(response.status).toBe(401);
    const error = await client(undefined, "en").session.start.mutate({ deviceId: "nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).message).toBe("Invalid device id: a UUID is required.");
    expect((error as TRPCClientError<AppRouter>).data?.httpStatus).toBe(400);
  });

  it("GET /healthz is 200 while the database answers", async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: "up" });
  });

  it("unknown paths are 404 without a web build", async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: "POST" })).status).toBe(405);
  });
});
