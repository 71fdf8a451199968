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

/** One input that every procedure accepts (objects drop the keys they do not name), its ids set to `id`. */
const inputWithIds = (id: number) => ({
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
  const refused = await Promise.all(paths.map(async (path) => ((await failure(call(api.anonymous(), path, inputWithIds(1))))?.code === "UNAUTHORIZED" ? path : null)));
  return refused.filter((path) => path !== null);
}

describe("a session token of a user who no longer exists", () => {
  it("is refused with 401 by every signed-in procedure, in the caller's language, like an expired one", async () => {
    const { token, caller } = await api.signIn();
    await caller.account.deleteAll({ confirm: true });
    const signedIn = await signedInPaths();
    // Every family: session, account, avatars, photos, references, jobs, generation, payments.
    expect(new Set(signedIn.map((path) => path.split(".")[0]))).toEqual(new Set(["session", "account", "avatars", "photos", "references", "jobs", "generation", "payments"]));
    for (const path of signedIn) {
      const error = await failure(call(api.withToken(token, "en"), path, inputWithIds(1)));
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
      const error = await failure(call(api.withToken(token, "en"), path, inputWithIds(maxRowId + 1)));
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
