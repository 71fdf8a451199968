import { describe, expect, it } from "vitest";
import { DomainError, translate } from "./errors.ts";
import { pickLocale } from "./locale.ts";
import { messages } from "./messages.ts";

describe("messages", () => {
  it("exist in both languages for every key, with the same placeholders", () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(messages.ru) as (keyof typeof messages.ru)[]) {
      expect(messages.en[key], key).toBeTruthy();
      expect(placeholders(messages.en[key]), key).toEqual(placeholders(messages.ru[key]));
    }
  });

  it("are rendered in the caller's language with their parameters", () => {
    expect(translate("errors.avatar.nameTooLong", "ru", { max: 60 })).toBe("Имя аватара — не длиннее 60 символов.");
    expect(translate("errors.avatar.nameTooLong", "en", { max: 60 })).toBe("The avatar name can be at most 60 characters.");
    expect(new DomainError("NOT_FOUND", "errors.avatar.notFound").key).toBe("errors.avatar.notFound");
  });
});

describe("pickLocale", () => {
  it("prefers Russian, and English only when the caller asks for it first", () => {
    expect(pickLocale(undefined)).toBe("ru");
    expect(pickLocale("en-US,en;q=0.9,ru;q=0.8")).toBe("en");
    expect(pickLocale("ru-RU,ru;q=0.9,en;q=0.8")).toBe("ru");
    expect(pickLocale("de-DE,fr;q=0.5")).toBe("ru");
    expect(pickLocale("de-DE,en;q=0.5")).toBe("en");
  });
});
