import { describe, expect, it } from "vitest";
import { parseLocaleTag, requestLocale } from "./locale.ts";

const headers = (values: Record<string, string>) => (name: string) => values[name];

describe("requestLocale", () => {
  it("takes the app's own choice, then the browser's, then Russian", () => {
    expect(requestLocale(headers({ "x-pinglass-locale": "en", "accept-language": "ru" }))).toBe("en");
    expect(requestLocale(headers({ "x-pinglass-locale": "ru-RU", "accept-language": "en" }))).toBe("ru");
    expect(requestLocale(headers({ "accept-language": "de-DE,en;q=0.5" }))).toBe("en");
    expect(requestLocale(headers({}))).toBe("ru");
  });

  it("ignores an x-pinglass-locale that is not a language tag of ours, and falls back to Accept-Language", () => {
    for (const junk of ["Ã©æ\u0097¥", "en\u0001", "x".repeat(10_000), `en-${"a".repeat(10_000)}`, "english", "fr", "", "en;DROP"]) {
      expect(requestLocale(headers({ "x-pinglass-locale": junk, "accept-language": "en-US,en;q=0.9" })), junk.slice(0, 20)).toBe("en");
      expect(requestLocale(headers({ "x-pinglass-locale": junk })), junk.slice(0, 20)).toBe("ru");
    }
    expect(parseLocaleTag("EN-gb")).toBe("en");
  });
});
