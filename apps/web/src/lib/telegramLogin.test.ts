import { describe, expect, it } from "vitest";
import { loginReturnUrl, widgetUserFromQuery } from "./telegramLogin.ts";

describe("the Login Widget's redirect back", () => {
  it("goes to the account screen with our marker, so the widget appends its fields after it", () => {
    expect(loginReturnUrl("https://pinglass.example")).toBe("https://pinglass.example/account?telegram-login=1");
  });

  it("reads the signed fields, numbers as numbers, every field kept", () => {
    const query = `?telegram-login=1&id=515151&first_name=${encodeURIComponent("Борис")}&username=boris&photo_url=${encodeURIComponent("https://t.me/i/userpic/320/b.jpg")}&auth_date=1765000000&hash=${"ab".repeat(32)}`;
    expect(widgetUserFromQuery(query)).toEqual({
      id: 515151,
      first_name: "Борис",
      username: "boris",
      photo_url: "https://t.me/i/userpic/320/b.jpg",
      auth_date: 1765000000,
      hash: "ab".repeat(32),
    });
  });

  it("ignores any other query: no marker, or no signed fields", () => {
    expect(widgetUserFromQuery(`?id=1&auth_date=2&hash=${"a".repeat(64)}`)).toBeNull();
    expect(widgetUserFromQuery("?telegram-login=1")).toBeNull();
    expect(widgetUserFromQuery(`?telegram-login=1&id=x&auth_date=2&hash=${"a".repeat(64)}`)).toBeNull();
    expect(widgetUserFromQuery("")).toBeNull();
  });
});
