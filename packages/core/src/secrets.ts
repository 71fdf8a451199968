import { hash, timingSafeEqual } from "node:crypto";

/** SHA-256 in one call: no Hash object per value (every signed-in request compares a signature). */
const digest = (value: string | Uint8Array) => hash("sha256", value, "buffer");

/**
 * The one comparison of a secret (signature, token, webhook secret) with what it should be: both
 * are hashed first, so the time taken says nothing about either value, not even its length.
 */
export function constantTimeEqual(given: string | Uint8Array, expected: string | Uint8Array): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
