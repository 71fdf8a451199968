import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, httpLink, TRPCClientError } from "@trpc/client";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { initTRPC, TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTrpcHandler } from "./trpc.ts";

// isDev off: error shapes carry no stack, so two handlers' answers can be compared byte for byte.
const t = initTRPC.context<{ caller: string | null }>().create({ isDev: false });
const testRouter = t.router({
  greet: t.procedure.input(z.object({ name: z.string() })).query(({ input, ctx }) => ({ text: `hi ${input.name}`, caller: ctx.caller, at: "1970-01-01T00:00:00.000Z" })),
  secret: t.procedure.query(({ ctx }) => {
    if (!ctx.caller) throw new TRPCError({ code: "UNAUTHORIZED", message: "who are you" });
    return ctx.caller;
  }),
  rename: t.procedure.input(z.string()).mutation(({ input }) => input.toUpperCase()),
  ticks: t.procedure.subscription(async function* () {
    for (let i = 1; i <= 3; i++) yield i;
  }),
});

let server: Server;
let base: string;
/** tRPC's own standalone adapter on the same router: the reference for the wire format. */
let reference: Server;
let referenceBase: string;
const errors: string[] = [];
/** The procedure and input each handler's onError was told of, to compare the two. */
const reported = { ours: [] as unknown[], theirs: [] as unknown[] };
/** Which path built each context: the GET lane passes no abort signal, resolveResponse always does. */
const lanes: string[] = [];

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  const options = {
    router: testRouter,
    basePath: "/trpc/",
    createContext: ({ req, info }: { req: { headers: Record<string, string | string[] | undefined> }; info: { signal?: AbortSignal } }) => {
      lanes.push(info.signal ? "full" : "lane");
      return { caller: (req.headers.authorization as string | undefined) ?? null };
    },
  };
  server = createServer(
    createTrpcHandler({
      ...options,
      onError: ({ error, path, input }) => {
        errors.push(error.code);
        reported.ours.push({ path, input });
      },
    }),
  );
  reference = createServer(createHTTPHandler({ ...options, onError: ({ path, input }) => reported.theirs.push({ path, input }) }));
  [base, referenceBase] = await Promise.all([listen(server), listen(reference)]);
});
afterAll(() => Promise.all([server, reference].map((s) => new Promise((resolve) => s.close(resolve)))));

const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));

describe("the tRPC handler", () => {
  it("answers a query as one JSON document with a Content-Length, not chunked", async () => {
    const response = await fetch(`${base}/trpc/greet?input=${input({ name: "Ann" })}`, { headers: { authorization: "Bearer a" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("transfer-encoding")).toBeNull();
    const body = await response.text();
    expect(Number(response.headers.get("content-length"))).toBe(Buffer.byteLength(body));
    expect(JSON.parse(body).result.data).toEqual({ text: "hi Ann", caller: "Bearer a", at: "1970-01-01T00:00:00.000Z" });
  });

  it("serves single calls, batches and mutations to the tRPC client, errors with their status", async () => {
    const single = createTRPCClient<typeof testRouter>({ links: [httpLink({ url: `${base}/trpc` })] });
    const batched = createTRPCClient<typeof testRouter>({ links: [httpBatchLink({ url: `${base}/trpc`, headers: { authorization: "b" } })] });
    expect(await single.rename.mutate("abc")).toBe("ABC");
    expect(await Promise.all([batched.greet.query({ name: "Bo" }), batched.secret.query()])).toEqual([{ text: "hi Bo", caller: "b", at: "1970-01-01T00:00:00.000Z" }, "b"]);
    const refused = await single.secret.query().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as TRPCClientError<typeof testRouter>).data?.httpStatus).toBe(401);
    expect(errors).toContain("UNAUTHORIZED");
    expect((await fetch(`${base}/trpc/nope`)).status).toBe(404);
    expect((await fetch(`${base}/trpc/rename?input=${input("x")}`)).status).toBe(405);
  });

  it("answers GET requests exactly as tRPC's own adapter does: results, batches, every kind of error", async () => {
    const requests = [
      `greet?input=${input({ name: "Ann" })}`,
      `greet,secret?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { name: "Bo" } }))}`,
      "secret",
      `greet?input=${input({ name: 5 })}`,
      "greet",
      "greet?input=%7Bnot%20json",
      "greet,greet?batch=1&input=%5B1%5D",
      "nope",
      `rename?input=${input("x")}`,
      "greet,rename?batch=1",
      "gr%E0%A4%A",
      "greet?connectionParams=%7Bbroken",
      "greet?input=null",
      "greet?input=",
      "greet,greet?batch=1",
      `greet,greet?batch=1&input=${encodeURIComponent(JSON.stringify({ 1: { name: "Zoe" } }))}`,
      "greet,greet?batch=1&input=5",
      "greet,secret",
      // An input sent to a procedure that fails before reading one: its error is reported without it.
      `secret?input=${input({ x: 1 })}`,
      `greet,secret?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { name: 5 }, 1: { x: 1 } }))}`,
    ];
    const answer = async (at: string, path: string, headers: Record<string, string>) => {
      const response = await fetch(`${at}/trpc/${path}`, { headers });
      return { path, status: response.status, type: response.headers.get("content-type"), vary: response.headers.get("vary"), body: await response.text() };
    };
    reported.ours.length = reported.theirs.length = 0;
    for (const headers of [{}, { authorization: "Bearer c" }] as Record<string, string>[]) {
      for (const path of requests) {
        const [ours, theirs] = await Promise.all([answer(base, path, headers), answer(referenceBase, path, headers)]);
        expect(ours).toEqual(theirs);
        expect(reported.ours).toEqual(reported.theirs);
      }
    }
    // The cases above include successes, partial batches (207) and each error status, so the comparison covers them all.
    const statuses = new Set((await Promise.all(requests.map((path) => answer(base, path, {})))).map((a) => a.status));
    expect([...statuses].sort()).toEqual([200, 207, 400, 401, 404, 405]);
  });

  it("answers plain GET queries in its own lane, and anything it does not read through the full path", async () => {
    const laneOf = async (path: string, headers: Record<string, string> = {}) => {
      lanes.length = 0;
      await (await fetch(`${base}/trpc/${path}`, { headers })).text();
      return lanes.join();
    };
    expect(await laneOf(`greet?input=${input({ name: "Ann" })}`)).toBe("lane");
    expect(await laneOf(`greet,secret?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { name: "Bo" } }))}`)).toBe("lane");
    expect(await laneOf("secret")).toBe("lane");
    expect(await laneOf("greet?input=null")).toBe("lane");
    // tRPC refuses these per call or as a whole (some before any context is made); the full path gives its exact answer.
    for (const [path, headers] of [
      ["greet?input=%7Bnot%20json"],
      ["greet,greet?batch=1&input=5"],
      ["greet?connectionParams=%7B%7D"],
      ["secret", { "content-type": "multipart/form-data; boundary=x" }],
      ["greet,rename?batch=1"],
    ] as [string, Record<string, string>?][]) {
      expect(await laneOf(path, headers)).not.toContain("lane");
    }
  });

  it("leaves streamed answers to the adapter: JSONL batches and SSE subscriptions", async () => {
    const streamed = createTRPCClient<typeof testRouter>({ links: [httpBatchStreamLink({ url: `${base}/trpc` })] });
    expect(await Promise.all([streamed.greet.query({ name: "Cy" }), streamed.rename.mutate("d")])).toEqual([{ text: "hi Cy", caller: null, at: "1970-01-01T00:00:00.000Z" }, "D"]);

    const events = await fetch(`${base}/trpc/ticks`, { headers: { accept: "text/event-stream" } });
    expect(events.headers.get("content-type")).toBe("text/event-stream");
    const text = await events.text();
    expect([...text.matchAll(/^data: (.+)$/gm)].map((m) => m[1])).toEqual(expect.arrayContaining(["1", "2", "3"]));
  });
});
