import { describe, expect, it } from "vitest";
import { preferredLanguage } from "./index.ts";

describe("the language of a first visit", () => {
  it("is the first Russian or English language the browser (or Telegram) lists", () => {
    expect(preferredLanguage(["en-US", "en"])).toBe("en");
    expect(preferredLanguage(["en_GB"])).toBe("en");
    expect(preferredLanguage(["ru-RU", "en-US"])).toBe("ru");
    expect(preferredLanguage(["de-DE", "en-US", "ru"])).toBe("en");
    expect(preferredLanguage(["fr", "RU"])).toBe("ru");
    expect(preferredLanguage([undefined, "", "en"])).toBe("en");
  });

  it("without either, is Russian for people who mostly read it and English for everyone else", () => {
    expect(preferredLanguage(["uk-UA", "uk"])).toBe("ru");
    expect(preferredLanguage(["kk"])).toBe("ru");
    expect(preferredLanguage(["de-DE", "de"])).toBe("en");
    expect(preferredLanguage([])).toBe("ru");
  });
});
