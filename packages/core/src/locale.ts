export const locales = ["ru", "en"] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = "ru";

/** Enough of an Accept-Language header for any real browser; the rest of a longer one is not read. */
const acceptLanguageReadLength = 256;

/** Picks ru or en from an Accept-Language style header; Russian unless English is preferred. */
export function pickLocale(header: string | null | undefined): Locale {
  if (!header) return defaultLocale;
  for (const part of header.slice(0, acceptLanguageReadLength).split(",")) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (tag === "ru") return "ru";
    if (tag === "en") return "en";
  }
  return defaultLocale;
}

/** The app's own choice of language (x-pinglass-locale): exactly a language tag of ours ("en", "ru-RU"), or nothing. */
export function parseLocaleTag(value: string | null | undefined): Locale | null {
  const match = value && value.length <= 35 ? /^(ru|en)(?:[-_][a-z0-9]{1,8})*$/i.exec(value) : null;
  return match ? (match[1]!.toLowerCase() as Locale) : null;
}

/**
 * The language of a request: the app's own choice (x-pinglass-locale) before the browser's
 * (Accept-Language), then Russian. A header that is not a language tag of ours is ignored.
 */
export const requestLocale = (get: (name: string) => string | null | undefined): Locale => parseLocaleTag(get("x-pinglass-locale")) ?? pickLocale(get("accept-language"));
