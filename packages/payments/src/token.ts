import { createHash } from "node:crypto";
import { constantTimeEqual } from "@pinglass/core";

/**
 * T-Bank's request and notification signature: the root-level scalar fields (never nested
 * objects or arrays such as DATA and Receipt, never Token itself) plus Password, sorted by key,
 * their values concatenated (booleans as true/false, numbers as written), SHA-256, lowercase hex.
 */
export function tbankToken(body: Record<string, unknown>, password: string): string {
  const fields: Record<string, string> = { Password: password };
  for (const [key, value] of Object.entries(body)) {
    if (key === "Token" || value === null || value === undefined) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") fields[key] = String(value);
  }
  const joined = Object.keys(fields)
    .sort()
    .map((key) => fields[key])
    .join("");
  return createHash("sha256").update(joined, "utf8").digest("hex");
}

/** Constant-time check of a body's Token against the password. */
export function hasValidToken(body: Record<string, unknown>, password: string): boolean {
  const given = body.Token;
  if (typeof given !== "string" || !/^[0-9a-f]{64}$/i.test(given)) return false;
  return constantTimeEqual(given.toLowerCase(), tbankToken(body, password));
}

/** The body with its Token added, ready to send. */
export function signed<T extends Record<string, unknown>>(body: T, password: string): T & { Token: string } {
  return { ...body, Token: tbankToken(body, password) };
}
