import { type Locale } from "./locale.ts";
import { messages, type MessageKey } from "./messages.ts";

export type ErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "METHOD_NOT_SUPPORTED"
  | "TIMEOUT"
  | "CONFLICT"
  | "PRECONDITION_FAILED"
  | "PAYLOAD_TOO_LARGE"
  | "TOO_MANY_REQUESTS"
  | "INTERNAL_SERVER_ERROR"
  | "BAD_GATEWAY";

/**
 * An expected failure a person should read about. Domain code throws it with a message key;
 * the HTTP edge (tRPC formatter, upload and webhook routes) translates it into the caller's language.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly key: MessageKey,
    readonly params: Record<string, string | number> = {},
  ) {
    super(key);
    this.name = "DomainError";
  }
}

/** The body of every refusal of the plain HTTP routes (uploads, media, webhooks); the web app reads the same type. */
export interface HttpRefusal {
  /** `code` as in the answers of procedures (tRPC's name of the HTTP status). */
  error: { code: ErrorCode | "UNSUPPORTED_MEDIA_TYPE"; messageKey: MessageKey; message: string };
}

export function isMessageKey(value: string): value is MessageKey {
  return Object.hasOwn(messages.ru, value);
}

/** Renders a message key in a locale, filling {placeholders}. Unknown keys pass through unchanged. */
export function translate(key: string, locale: Locale, params: Record<string, string | number> = {}): string {
  const template = isMessageKey(key) ? messages[locale][key] : key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
