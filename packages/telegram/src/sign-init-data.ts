import { createHmac } from "node:crypto";

/**
 * Mini App initData from raw fields, exactly as given (a user as its JSON text, hostile values too),
 * signed as Telegram documents it: the fields sorted by key as `key=value` lines, HMAC-SHA256 keyed
 * by HMAC-SHA256("WebAppData", bot token). For browser tests and the fuzz, which need the raw query string.
 */
export function signInitDataFields(fields: Record<string, string>, botToken: string): string {
  const dataCheckString = Object.keys(fields)
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join("\n");
  const secret = createHmac("sha256", "WebAppData").update(botToken).digest();
  const hash = createHmac("sha256", secret).update(dataCheckString).digest("hex");
  return new URLSearchParams({ ...fields, hash }).toString();
}
