import { manualClock } from "@pinglass/core";
import { describe, expect, it } from "vitest";
import { createSessionTokens } from "./session-token.ts";

const secret = "s".repeat(40);

describe("session tokens", () => {
  it("verify to the user they were issued for until they expire", () => {
    const clock = manualClock();
    const tokens = createSessionTokens({ secret, ttlSeconds: 60, clock });
    const { token, expiresAt } = tokens.issue(42);
    expect(tokens.verify(token)).toBe(42);
    expect(expiresAt.getTime() - clock.now().getTime()).toBe(60_000);
    clock.advance(59_999);
    expect(tokens.verify(token)).toBe(42);
    clock.advance(1);
    expect(tokens.verify(token)).toBeNull();
  });

  it("refuse tampering, another secret and garbage", () => {
    const clock = manualClock();
    const tokens = createSessionTokens({ secret, ttlSeconds: 60, clock });
    const { token } = tokens.issue(7);
    const parts = token.split(".");
    expect(tokens.verify([parts[0], "8", parts[2], parts[3]].join("."))).toBeNull();
    expect(tokens.verify([parts[0], parts[1], String(Number(parts[2]) + 3600), parts[3]].join("."))).toBeNull();
    expect(createSessionTokens({ secret: "t".repeat(40), ttlSeconds: 60, clock }).verify(token)).toBeNull();
    for (const junk of ["", "v1", "v1.7", "Bearer x", `${token}x`, token.replace(/.$/, "")]) expect(tokens.verify(junk)).toBeNull();
  });

  it("need a real secret", () => {
    expect(() => createSessionTokens({ secret: "short", ttlSeconds: 60, clock: manualClock() })).toThrow(/32/);
  });
});
