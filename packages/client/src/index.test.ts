import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPinglassClient } from "./index.ts";

/** A server on 127.0.0.1 that answers tRPC's batch protocol with each call's input back, and records the requests. */
const requests: { url: string; headers: IncomingMessage["headers"] }[] = [];
const server = createServer((req, res) => {
  requests.push({ url: req.url ?? "", headers: req.headers });
  const url = new URL(req.url ?? "/", "http://x");
  const names = decodeURIComponent(url.pathname.slice("/trpc/".length)).split(",");
  const inputs = JSON.parse(url.searchParams.get("input") ?? "{}") as Record<string, unknown>;
  const body = JSON.stringify(names.map((_, i) => ({ result: { data: inputs[i] ?? null } })));
  res.writeHead(200, { "content-type": "application/json" });
  res.end(body);
});
let baseUrl: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("createPinglassClient", () => {
  it("calls /trpc in plain JSON with the credential and the language, and keeps batches within the server's 20 calls", async () => {
    requests.length = 0;
    const pinglass = createPinglassClient({ baseUrl, apiKey: "pg_live_test", locale: "en" });
    const pages = await Promise.all(Array.from({ length: 25 }, (_, i) => pinglass.photos.list.query({ avatarId: i + 1 })));
    expect(pages.map((page) => (page as unknown as { avatarId: number }).avatarId)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(requests.map((r) => r.url.split("?")[0]!.split(",").length)).toEqual([20, 5]);
    expect(requests[0]!.url.startsWith("/trpc/photos.list,")).toBe(true);
    expect(requests[0]!.headers).toMatchObject({ authorization: "Bearer pg_live_test", "x-pinglass-locale": "en" });
  });

  it("sends no Authorization without a credential, and a session token like an API key", async () => {
    requests.length = 0;
    await createPinglassClient({ baseUrl }).pricing.list.query();
    expect(requests[0]!.headers.authorization).toBeUndefined();
    expect(requests[0]!.headers["x-pinglass-locale"]).toBe("ru");
    await createPinglassClient({ baseUrl, token: "v1.session" }).pricing.list.query();
    expect(requests[1]!.headers.authorization).toBe("Bearer v1.session");
  });
});
