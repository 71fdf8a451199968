export const locales = ["ru", "en"] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = "ru";

/** Picks ru or en from an Accept-Language style header; Russian unless English is preferred. */
export function pickLocale(header: string | null | undefined): Locale {
  if (!header) return defaultLocale;
  for (const part of header.split(",")) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (tag === "ru") return "ru";
    if (tag === "en") return "en";
  }
  return defaultLocale;
}
