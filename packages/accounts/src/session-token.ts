import { createHmac } from "node:crypto";
import { constantTimeEqual } from "@pinglass/core";
import type { Clock } from "@pinglass/core";

export interface SessionTokens {
  /** A bearer token for this user that expires after the configured lifetime. */
  issue(userId: number): { token: string; expiresAt: Date };
  /** The user id the token was issued for, or null when it is forged, malformed or expired. */
  verify(token: string): number | null;
}

/**
 * Stateless session tokens: `v1.<userId>.<expiresAtSeconds>.<hmac>`, HMAC-SHA256 with a server
 * secret. Nothing in the token is trusted until the signature checks out.
 */
export function createSessionTokens(options: { secret: string; ttlSeconds: number; clock: Clock }): SessionTokens {
  if (options.secret.length < 32) throw new Error("the session secret must be at least 32 characters");
  const sign = (payload: string) => createHmac("sha256", options.secret).update(payload).digest("base64url");

  return {
    issue(userId) {
      const expiresAt = new Date(Math.floor(options.clock.now().getTime() / 1000) * 1000 + options.ttlSeconds * 1000);
      const payload = `v1.${userId}.${expiresAt.getTime() / 1000}`;
      return { token: `${payload}.${sign(payload)}`, expiresAt };
    },
    verify(token) {
      const match = /^(v1\.(\d{1,10})\.(\d{1,12}))\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match) return null;
      const [, payload, userId, expires, signature] = match as unknown as [string, string, string, string, string];
      if (!constantTimeEqual(signature, sign(payload))) return null;
      if (Number(expires) * 1000 <= options.clock.now().getTime()) return null;
      return Number(userId);
    },
  };
}
