import { createHmac } from "node:crypto";
import { constantTimeEqual } from "@pinglass/core";
import type { Clock } from "@pinglass/core";

/**
 * HMAC links to private media served by our own routes: one object (optionally as a download
 * with a file name) or the ZIP of one user's avatar. Each purpose signs its own tagged message,
 * so a signature made for one thing never opens another.
 */
export interface MediaSigner {
  /** Unix seconds when a link made now with this ttl stops working. */
  expiryFor(ttlSeconds: number): number;
  signObject(key: string, expiresAt: number, downloadName?: string): string;
  verifyObject(key: string, query: SignedQuery): boolean;
  /** `favourites`: the ZIP of the avatar's favourites only, a link of its own that never opens the whole set. */
  signAvatarZip(avatarId: number, userId: number, expiresAt: number, favourites?: boolean): string;
  verifyAvatarZip(avatarId: number, userId: number, query: SignedQuery, favourites?: boolean): boolean;
}

/** The query parameters of a signed link, as they arrive (untrusted strings). */
export interface SignedQuery {
  exp: string | null;
  sig: string | null;
  /** The download name, when the link makes an attachment. */
  dl?: string | null;
}

/**
 * Expiries are rounded up to this step so that the same photo gets the same URL for a while and
 * the browser's cache keeps working across list refreshes.
 */
const expiryStepSeconds = 300;

export function createMediaSigner(options: { secret: string; clock: Clock }): MediaSigner {
  if (options.secret.length < 32) throw new Error("the media signing secret must be at least 32 characters");
  const { clock } = options;
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  const mac = (message: string) => createHmac("sha256", options.secret).update(message).digest("base64url");

  const check = (message: string, query: SignedQuery) => {
    if (!query.exp || !/^\d{1,12}$/.test(query.exp) || !query.sig) return false;
    if (Number(query.exp) < nowSeconds()) return false;
    return constantTimeEqual(query.sig, mac(message));
  };
  const objectMessage = (key: string, expiresAt: number | string, downloadName: string | null | undefined) =>
    `object\n${key}\n${expiresAt}\n${downloadName ?? ""}`;
  const zipMessage = (avatarId: number, userId: number, expiresAt: number | string, favourites = false) =>
    `${favourites ? "avatar-zip-favourites" : "avatar-zip"}\n${avatarId}\n${userId}\n${expiresAt}`;

  return {
    expiryFor: (ttlSeconds) => Math.ceil((nowSeconds() + ttlSeconds) / expiryStepSeconds) * expiryStepSeconds,
    signObject: (key, expiresAt, downloadName) => mac(objectMessage(key, expiresAt, downloadName)),
    verifyObject: (key, query) => check(objectMessage(key, query.exp ?? "", query.dl), query),
    signAvatarZip: (avatarId, userId, expiresAt, favourites) => mac(zipMessage(avatarId, userId, expiresAt, favourites)),
    verifyAvatarZip: (avatarId, userId, query, favourites) => check(zipMessage(avatarId, userId, query.exp ?? "", favourites), query),
  };
}

/** The signing secret when none is configured: derived from the session secret, never equal to it. */
export function deriveMediaSigningSecret(sessionSecret: string): string {
  return createHmac("sha256", sessionSecret).update("pinglass media signing").digest("hex");
}
