import { maxRowId, rowsOf } from "@pinglass/db";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appRouter } from "./root.ts";
import { createTestApi } from "./testing.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.testDb.close());
beforeEach(() => api.testDb.reset());

const paths = Object.keys(appRouter._def.procedures);

/** The fields a procedure's input takes. */
function inputFields(path: string): Set<string> {
  const procedure = appRouter._def.procedures[path as keyof typeof appRouter._def.procedures] as unknown as { _def: { inputs: unknown[] } };
  let schema = procedure._def.inputs[0] as { _zod?: { def: { type: string; innerType?: unknown; shape?: Record<string, unknown> } } } | undefined;
  while (schema?._zod && (schema._zod.def.type === "optional" || schema._zod.def.type === "default")) schema = schema._zod.def.innerType as typeof schema;
  return new Set(Object.keys(schema?._zod?.def.shape ?? {}));
}

/** An input `path` accepts (only the fields it takes: unknown ones are refused), its ids set to `id`. */
const inputWithIds = (path: string, id: number) => {
  const fields = inputFields(path);
  return Object.fromEntries(Object.entries(anyInputWithIds(id)).filter(([key]) => fields.has(key)));
};
const anyInputWithIds = (id: number) => ({
  avatarId: id,
  jobId: id,
  paymentId: id,
  referenceId: id,
  cursor: id,
  confirm: true,
  name: "Edge",
  styleId: "pinglass",
  tierId: "starter",
  email: "edge@example.com",
});

type AnyCaller = Record<string, Record<string, (input: unknown) => Promise<unknown>>>;
/** Calls a procedure by its path ("avatars.create"), as the HTTP edge would. */
const call = (caller: unknown, path: string, input: unknown): Promise<unknown> => {
  const [area, name] = path.split(".") as [string, string];
  return (caller as AnyCaller)[area]![name]!(input);
};
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error as TRPCError,
  );
const count = async (query: string) => Number(rowsOf<{ n: number | string }>(await api.testDb.db.execute(query))[0]!.n);

/** The procedures that need a session: the ones an anonymous caller is refused with UNAUTHORIZED. */
async function signedInPaths() {
  const refused = await Promise.all(paths.map(async (path) => ((await failure(call(api.anonymous(), path, inputWithIds(path, 1))))?.code === "UNAUTHORIZED" ? path : null)));
  return refused.filter((path) => path !== null);
}

describe("a session token of a user who no longer exists", () => {
  it("is refused with 401 by every signed-in procedure, in the caller's language, like an expired one", async () => {
    const { token, caller } = await api.signIn();
    await caller.account.deleteAll({ confirm: true });
    const signedIn = await signedInPaths();
    // Every family: session, account, avatars, photos, references, jobs, generation, payments.
    expect(new Set(signedIn.map((path) => path.split(".")[0]))).toEqual(new Set(["session", "account", "avatars", "photos", "favourites", "shares", "references", "jobs", "generation", "payments"]));
    for (const path of signedIn) {
      const error = await failure(call(api.withToken(token, "en"), path, inputWithIds(path, 1)));
      expect({ path, code: error?.code, message: error?.message }).toEqual({ path, code: "UNAUTHORIZED", message: "Your session has expired. Reload the page to sign in again." });
    }
    expect(await count("SELECT count(*) AS n FROM avatars")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM payments")).toBe(0);
  });
});

describe("ids beyond PostgreSQL's integer", () => {
  it("are refused as bad input by every procedure, never a database error", async () => {
    const { token } = await api.signIn();
    const takesIds = new Set(["avatars.get", "avatars.rename", "avatars.delete", "photos.list", "photos.zipUrl", "references.list", "references.remove", "jobs.get", "generation.start", "generation.progress", "payments.status"]);
    // account.deleteAll last: it takes no id, and the user is gone after it.
    for (const path of [...paths.filter((path) => path !== "account.deleteAll"), "account.deleteAll"]) {
      const error = await failure(call(api.withToken(token, "en"), path, inputWithIds(path, maxRowId + 1)));
      expect({ path, code: error?.code }).toEqual({ path, code: takesIds.has(path) ? "BAD_REQUEST" : error?.code });
      expect({ path, internal: error?.code === "INTERNAL_SERVER_ERROR" }).toEqual({ path, internal: false });
    }
  });

  it("the largest integer is still an id", async () => {
    const { caller } = await api.signIn();
    await expect(caller.payments.status({ paymentId: maxRowId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(caller.jobs.get({ jobId: 2 ** 53 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("free text", () => {
  it("with control characters or broken UTF-16 is refused with 400 in the caller's language, and nothing is stored", async () => {
    const { token, caller } = await api.signIn();
    const avatar = await caller.avatars.create({ name: "Anna" });
    for (const name of ["a\u0000b", "tab\there", "line\nbreak", "del\u007f", "c1\u0085", "half \ud800 surrogate"]) {
      await expect(api.withToken(token, "en").avatars.create({ name })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "The avatar name contains control characters; remove them." });
      await expect(api.withToken(token).avatars.rename({ avatarId: avatar.id, name })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "В имени аватара есть служебные символы — уберите их." });
    }
    await expect(api.withToken(token, "en").payments.create({ tierId: "starter", email: "a\u0000b@example.com" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api.anonymous().session.telegram({ initData: "user=%7B%7D\u0000" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await count("SELECT count(*) AS n FROM avatars")).toBe(1);
    expect(await count("SELECT count(*) AS n FROM payments")).toBe(0);
    // Letters of any script and emoji are text, not control characters.
    expect((await caller.avatars.create({ name: "Аня 🌸 李" })).name).toBe("Аня 🌸 李");
  });

  it("over its length says the limit", async () => {
    const { caller } = await api.signIn();
    await expect(caller.avatars.create({ name: "x".repeat(500) })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/не длиннее \d+ символов/) });
  });
});

describe("an input in the wrong shape", () => {
  it("is refused with 400 naming the field in the caller's language, never replaced by a default", async () => {
    const { token } = await api.signIn();
    const en = api.withToken(token, "en");
    await expect(en.avatars.create({ nam: "x" } as never)).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Unknown field “nam”." });
    await expect(api.withToken(token).avatars.create({ nam: "x" } as never)).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Неизвестное поле «nam»." });
    await expect(en.photos.list({ avatarId: "13" } as never)).rejects.toMatchObject({ code: "BAD_REQUEST", message: "The field “avatarId” has an invalid value." });
    await expect(en.avatars.get({} as never)).rejects.toMatchObject({ code: "BAD_REQUEST", message: "The field “avatarId” is missing." });
    // The superjson envelope of the old wire format is not read as the input inside it.
    await expect(en.photos.list({ json: { avatarId: 13 } } as never)).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Unknown field “json”." });
    // A check's own message wins over the generic one.
    await expect(en.avatars.create({ name: "   " })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Enter a name for the avatar." });
    expect(await count("SELECT count(*) AS n FROM avatars")).toBe(0);
  });
});
