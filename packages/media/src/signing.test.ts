import { manualClock } from "@pinglass/core";
import { describe, expect, it } from "vitest";
import { createMediaSigner, deriveMediaSigningSecret } from "./signing.ts";

const secret = "media-signing-secret-for-tests-0123456789";

describe("media link signatures", () => {
  it("open exactly the object, expiry and download name they were made for, until they expire", () => {
    const clock = manualClock(new Date("2026-11-25T12:00:00Z"));
    const signer = createMediaSigner({ secret, clock });
    const exp = signer.expiryFor(3600);
    expect(exp * 1000).toBeGreaterThanOrEqual(clock.now().getTime() + 3600_000);
    expect(exp % 300).toBe(0);
    const sig = signer.signObject("refs/1/a.jpg", exp);
    const query = { exp: String(exp), sig };
    expect(signer.verifyObject("refs/1/a.jpg", query)).toBe(true);
    expect(signer.verifyObject("refs/1/b.jpg", query)).toBe(false);
    expect(signer.verifyObject("refs/1/a.jpg", { ...query, exp: String(exp + 300) })).toBe(false);
    expect(signer.verifyObject("refs/1/a.jpg", { ...query, dl: "x.jpg" })).toBe(false);
    expect(signer.verifyObject("refs/1/a.jpg", { ...query, sig: sig.slice(0, -1) })).toBe(false);
    expect(signer.verifyObject("refs/1/a.jpg", { exp: null, sig })).toBe(false);
    expect(signer.verifyObject("refs/1/a.jpg", { exp: "1e12", sig })).toBe(false);
    expect(createMediaSigner({ secret: `${secret}!`, clock }).verifyObject("refs/1/a.jpg", query)).toBe(false);

    const named = signer.signObject("refs/1/a.jpg", exp, "pinglass-1-1.jpg");
    expect(signer.verifyObject("refs/1/a.jpg", { exp: String(exp), sig: named, dl: "pinglass-1-1.jpg" })).toBe(true);
    expect(signer.verifyObject("refs/1/a.jpg", { exp: String(exp), sig: named })).toBe(false);
    // A ZIP signature is not an object signature, even over look-alike fields.
    expect(signer.verifyAvatarZip(1, 1, { exp: String(exp), sig })).toBe(false);

    clock.advance(3600_000 + 300_000 + 1000);
    expect(signer.verifyObject("refs/1/a.jpg", query)).toBe(false);
  });

  it("derives a stable secret distinct from the session secret and refuses short ones", () => {
    expect(deriveMediaSigningSecret(secret)).toBe(deriveMediaSigningSecret(secret));
    expect(deriveMediaSigningSecret(secret)).not.toContain(secret);
    expect(() => createMediaSigner({ secret: "short", clock: manualClock() })).toThrow(/at least 32/);
  });
});
