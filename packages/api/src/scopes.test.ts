import { describe, expect, it } from "vitest";
import { appRouter } from "./root.ts";
import { procedureAccess } from "./scopes.ts";

describe("what an API key may call", () => {
  it("is decided for every procedure, so a new one cannot be forgotten", () => {
    expect(Object.keys(procedureAccess).sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
  });

  it("never lets a key manage keys, link Telegram or delete the account", () => {
    const appOnly = Object.entries(procedureAccess).flatMap(([path, access]) => (access === "session" ? [path] : []));
    expect(appOnly.sort()).toEqual(["account.apiKeys.create", "account.apiKeys.list", "account.apiKeys.revoke", "account.deleteAll", "account.linkTelegram"]);
  });
});
