import { createHash, createHmac } from "node:crypto";
import { constantTimeEqual, DomainError } from "@pinglass/core";
import { signData } from "@telegram-apps/init-data-node";
import { telegramLanguageCode } from "./update.ts";

/** Who Telegram vouches for: the only source of a Telegram id we ever act on. */
export interface TelegramIdentity {
  telegramUserId: bigint;
  languageCode: string | null;
  firstName: string | null;
  username: string | null;
}

export interface AuthCheckOptions {
  /** The bot whose token signed the data. */
  botToken: string;
  /** auth_date may be at most this old; 0 turns the age check off (vectors only). */
  maxAgeSeconds: number;
  now: Date;
}

/** Telegram clocks and ours may disagree a little; anything further in the future is forged or broken. */
const allowedClockSkewSeconds = 60;

const invalid = () => new DomainError("UNAUTHORIZED", "errors.telegram.invalid");

function sameHex(expectedHex: string, givenHex: string): boolean {
  return /^[0-9a-f]{64}$/i.test(givenHex) && constantTimeEqual(givenHex.toLowerCase(), expectedHex);
}

function checkAge(authDateText: string | undefined, options: AuthCheckOptions): void {
  if (!authDateText || !/^\d{1,12}$/.test(authDateText)) throw invalid();
  if (options.maxAgeSeconds <= 0) return;
  const ageSeconds = options.now.getTime() / 1000 - Number(authDateText);
  if (ageSeconds > options.maxAgeSeconds) throw new DomainError("UNAUTHORIZED", "errors.telegram.expired");
  if (ageSeconds < -allowedClockSkewSeconds) throw invalid();
}

/** `key=value` of every field but `hash`, sorted, joined by newlines: the documented data-check-string. */
function dataCheckString(fields: Iterable<[string, string]>): string {
  return [...fields]
    .filter(([key]) => key !== "hash")
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join("\n");
}

function identityFromUser(user: Record<string, unknown>): TelegramIdentity {
  const id = user.id;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) throw invalid();
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);
  return { telegramUserId: BigInt(id), languageCode: telegramLanguageCode(user.language_code), firstName: text(user.first_name), username: text(user.username) };
}

/**
 * Mini App initData, checked as core.telegram.org documents it ("Validating data received via
 * the Mini App"): the secret is HMAC-SHA256 of the bot token keyed with "WebAppData" and the hash
 * is HMAC-SHA256 of the data-check-string with that secret. The HMAC comes from
 * @telegram-apps/init-data-node; the comparison is ours because the library compares with `!==`,
 * and a signature check must not leak how many leading characters matched.
 */
export function verifyInitData(initData: string, options: AuthCheckOptions): TelegramIdentity {
  if (!options.botToken) throw new DomainError("PRECONDITION_FAILED", "errors.telegram.notConfigured");
  const params = new URLSearchParams(initData);
  const hash = params.get("hash");
  if (!hash || params.getAll("hash").length !== 1) throw invalid();
  if (!sameHex(signData(dataCheckString(params.entries()), options.botToken), hash)) throw invalid();
  checkAge(params.get("auth_date") ?? undefined, options);
  const userJson = params.get("user");
  if (!userJson) throw invalid();
  let user: unknown;
  try {
    user = JSON.parse(userJson);
  } catch {
    throw invalid();
  }
  if (typeof user !== "object" || user === null) throw invalid();
  return identityFromUser(user as Record<string, unknown>);
}

/** The fields the Login Widget hands to the page (core.telegram.org/widgets/login). */
export interface LoginWidgetPayload {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  photo_url?: string;
  auth_date: number;
  hash: string;
}

/**
 * Login Widget data, checked as documented ("Checking authorization"): the hash is HMAC-SHA256 of
 * the data-check-string keyed with the SHA-256 of the bot token. Every received field takes part,
 * so a field added or altered in transit breaks the hash.
 */
export function verifyLoginWidget(payload: Record<string, string | number | undefined | null>, options: AuthCheckOptions): TelegramIdentity {
  if (!options.botToken) throw new DomainError("PRECONDITION_FAILED", "errors.telegram.notConfigured");
  const hash = payload.hash;
  if (typeof hash !== "string") throw invalid();
  const fields = Object.entries(payload)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== null)
    .map(([key, value]): [string, string] => [key, String(value)]);
  const secret = createHash("sha256").update(options.botToken).digest();
  const expected = createHmac("sha256", secret).update(dataCheckString(fields)).digest("hex");
  if (!sameHex(expected, hash)) throw invalid();
  checkAge(payload.auth_date === undefined || payload.auth_date === null ? undefined : String(payload.auth_date), options);
  return identityFromUser({ id: payload.id, first_name: payload.first_name, username: payload.username });
}
