import { initTRPC } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z, ZodError } from "zod";

/** The patched @trpc/server (patches/README.md) must parse and merge exactly as the original did. */
const t = initTRPC.create();

describe("tRPC's patched input and output parsing", () => {
  it("parses synchronously, yet still runs a schema with an async check, and refuses with zod's own error", async () => {
    const router = t.router({
      echo: t.procedure
        .input(z.object({ name: z.string().refine(async (name) => name !== "taken", "taken") }))
        .output(z.object({ name: z.string(), at: z.date().transform((date) => date.toISOString()) }))
        .query(({ input }) => ({ name: input.name, at: new Date(0), extra: "dropped" })),
    });
    const caller = t.createCallerFactory(router)({});
    expect(await caller.echo({ name: "free" })).toEqual({ name: "free", at: "1970-01-01T00:00:00.000Z" });
    const refused = await caller.echo({ name: "taken" }).catch((error: { cause?: unknown }) => error.cause);
    expect(refused).toBeInstanceOf(ZodError);
    expect((refused as ZodError).issues[0]!.message).toBe("taken");
  });

  it("is in effect: a zod input is parsed with parse, not parseAsync", async () => {
    const schema = z.object({ n: z.number() });
    let parses = 0;
    const parse = schema.parse.bind(schema);
    schema.parse = ((value: unknown) => (parses++, parse(value))) as typeof schema.parse;
    const caller = t.createCallerFactory(t.router({ double: t.procedure.input(schema).query(({ input }) => input.n * 2) }))({});
    expect(await caller.double({ n: 21 })).toBe(42);
    expect(parses).toBe(1);
  });

  it("merges context as a spread does, and an own __proto__ key of input never becomes a prototype", async () => {
    const seen: unknown[] = [];
    const router = t.router({
      merged: t.procedure
        .use(({ next }) => next({ ctx: { a: 1 } }))
        .use(({ ctx, next }) => next({ ctx: { b: (ctx as { a: number }).a + 1 } }))
        // Function parsers hand the input on as it came, own __proto__ key and all, to tRPC's merge.
        .input((value: unknown) => value as { first: number })
        .input((value: unknown) => value as { second: number })
        .query(({ ctx, input }) => {
          seen.push(input);
          return { ctx, inputProto: Object.getPrototypeOf(input) === Object.prototype, polluted: "polluted" in {} };
        }),
    });
    const caller = t.createCallerFactory(router)({ base: true } as object);
    const input = JSON.parse('{"first": 1, "second": 2, "__proto__": {"polluted": true}}') as { first: number; second: number };
    expect(await caller.merged(input)).toEqual({ ctx: { base: true, a: 1, b: 2 }, inputProto: true, polluted: false });
    expect(Object.hasOwn(seen[0] as object, "__proto__")).toBe(true);
    expect((seen[0] as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("hands each middleware the options tRPC documents, one shape at every level, and next() passes on its raw input and context", async () => {
    const tm = initTRPC.context<{ base: boolean }>().meta<{ tag: string }>().create();
    const seen: { keys: string[]; path: string; type: string; meta: unknown; input: unknown; raw: unknown; ctx: unknown }[] = [];
    const record = tm.middleware(async (opts) => {
      seen.push({ keys: Object.keys(opts), path: opts.path, type: opts.type, meta: opts.meta, input: opts.input, raw: await opts.getRawInput(), ctx: opts.ctx });
      return opts.next();
    });
    const router = tm.router({
      area: tm.router({
        doubled: tm.procedure
          .meta({ tag: "patched" })
          .use(record)
          // next() takes ctx and getRawInput together (tRPC merges both); its overloads name them apart.
          .use(({ next }) => next({ ctx: { added: 1 }, getRawInput: async () => ({ n: 20 }) } as { ctx: { added: number } }))
          .use(record)
          .input(z.object({ n: z.number() }))
          .use(record)
          .mutation(({ input, ctx }) => ({ n: input.n * 2, ctx })),
      }),
    });
    const caller = tm.createCallerFactory(router)({ base: true });
    expect(await caller.area.doubled({ n: 1 })).toEqual({ n: 40, ctx: { base: true, added: 1 } });
    // tRPC's MiddlewareFunction options, in the patch's order (the original spread the caller's options first).
    const documented = ["ctx", "type", "path", "input", "getRawInput", "meta", "signal", "batchIndex", "next"];
    expect(seen.map((s) => s.keys)).toEqual([documented, documented, documented]);
    expect(seen.map(({ path, type, meta }) => ({ path, type, meta }))).toEqual(Array(3).fill({ path: "area.doubled", type: "mutation", meta: { tag: "patched" } }));
    expect(seen.map(({ input, raw, ctx }) => ({ input, raw, ctx }))).toEqual([
      { input: undefined, raw: { n: 1 }, ctx: { base: true } },
      { input: undefined, raw: { n: 20 }, ctx: { base: true, added: 1 } },
      { input: { n: 20 }, raw: { n: 20 }, ctx: { base: true, added: 1 } },
    ]);
  });
});
