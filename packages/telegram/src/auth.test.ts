import { readFileSync } from "node:fs";
import { DomainError, systemClock } from "@pinglass/core";
import { describe, expect, it } from "vitest";
import { verifyInitData, verifyLoginWidget } from "./auth.ts";
import { signInitData as sign, signLoginWidget } from "./testing.ts";

interface Vectors {
  telegram_init_data: { id: string; bot_token: string; init_data: string }[];
  telegram_login_widget: { id: string; bot_token: string; payload: Record<string, string | number> }[];
}
/** Published vectors (telegram-apps' docs, grammY's tests), each with its source: test-vectors/telegram.json. */
const vectors = JSON.parse(readFileSync(new URL("../../../test-vectors/telegram.json", import.meta.url), "utf8")) as Vectors;
const initVector = (id: string) => vectors.telegram_init_data.find((v) => v.id === id)!;
const widgetVector = vectors.telegram_login_widget.find((v) => v.id === "TG-6")!;

const day = 86_400;
const botToken = "7000000001:AAF-our-bot-token_for-tests";
const authDate = new Date("2026-11-25T10:00:00Z");
const secondsAfter = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);
const freshInitData = (token = botToken, user: Record<string, unknown> = { id: 424242, first_name: "Анна", language_code: "en" }) =>
  sign({ query_id: "AAHdF6IQAAAAAN0XohDhrOrc", user: user as never }, token, authDate);

const errorKey = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).key;
  }
  throw new Error("expected the check to refuse");
};

describe("Mini App initData", () => {
  it("passes the published vectors TG-2 and TG-4 with the age check off", () => {
    const tg2 = verifyInitData(initVector("TG-2").init_data, { botToken: initVector("TG-2").bot_token, maxAgeSeconds: 0, now: systemClock.now() });
    expect(tg2).toEqual({ telegramUserId: 279058397n, languageCode: "ru", firstName: "Vladislav", username: "vdkfrost" });
    const tg4 = verifyInitData(initVector("TG-4").init_data, { botToken: initVector("TG-4").bot_token, maxAgeSeconds: 0, now: systemClock.now() });
    expect(tg4.telegramUserId).toBe(1n);
  });

  it("rejects TG-2 as expired with the default age limit against the real clock", () => {
    const { init_data, bot_token } = initVector("TG-2");
    expect(errorKey(() => verifyInitData(init_data, { botToken: bot_token, maxAgeSeconds: day, now: systemClock.now() }))).toBe("errors.telegram.expired");
  });

  it("accepts fresh data up to the age limit and refuses it one second later", () => {
    const initData = freshInitData();
    expect(verifyInitData(initData, { botToken, maxAgeSeconds: day, now: secondsAfter(authDate, day) }).telegramUserId).toBe(424242n);
    expect(errorKey(() => verifyInitData(initData, { botToken, maxAgeSeconds: day, now: secondsAfter(authDate, day + 1) }))).toBe("errors.telegram.expired");
  });

  it("keeps only a language code Telegram could send (it is stored in 10 characters and picks the bot's language)", () => {
    const verify = (language_code: unknown) =>
      verifyInitData(freshInitData(botToken, { id: 424242, first_name: `A${String.fromCharCode(0)}b`, language_code }), { botToken, maxAgeSeconds: day, now: authDate }).languageCode;
    expect(verify("EN")).toBe("en");
    expect(verify("pt-br")).toBe("pt-br");
    expect(verify(String.fromCharCode(0))).toBeNull();
    expect(verify("x".repeat(1000))).toBeNull();
    expect(verify(5)).toBeNull();
  });

  it("refuses altered data, data re-signed with another bot's token, and data from the future", () => {
    const now = secondsAfter(authDate, 60);
    const initData = freshInitData();
    const altered = initData.replace("424242", "424243");
    expect(errorKey(() => verifyInitData(altered, { botToken, maxAgeSeconds: day, now }))).toBe("errors.telegram.invalid");
    const olderDate = initData.replace(/auth_date=\d+/, `auth_date=${authDate.getTime() / 1000 - 10}`);
    expect(errorKey(() => verifyInitData(olderDate, { botToken, maxAgeSeconds: day, now }))).toBe("errors.telegram.invalid");
    const otherBot = freshInitData("6000000002:AAGanother-bots-token");
    expect(errorKey(() => verifyInitData(otherBot, { botToken, maxAgeSeconds: day, now }))).toBe("errors.telegram.invalid");
    expect(errorKey(() => verifyInitData(initData, { botToken, maxAgeSeconds: day, now: secondsAfter(authDate, -3600) }))).toBe("errors.telegram.invalid");
  });

  it("refuses data without a hash, with two hashes, without a user, or in pieces", () => {
    const now = secondsAfter(authDate, 60);
    const initData = freshInitData();
    const hash = /hash=([0-9a-f]+)/.exec(initData)![1]!;
    for (const broken of [initData.replace(/&hash=[0-9a-f]+/, ""), `${initData}&hash=${hash}`, "", "hash=00", `auth_date=1&hash=${hash}`]) {
      expect(errorKey(() => verifyInitData(broken, { botToken, maxAgeSeconds: day, now }))).toBe("errors.telegram.invalid");
    }
  });

  it("never trusts anything when no bot token is configured", () => {
    const { init_data } = initVector("TG-4");
    expect(errorKey(() => verifyInitData(init_data, { botToken: "", maxAgeSeconds: 0, now: systemClock.now() }))).toBe("errors.telegram.notConfigured");
  });
});

describe("Login Widget", () => {
  it("passes the published vector TG-6 with the age check off", () => {
    const identity = verifyLoginWidget(widgetVector.payload, { botToken: widgetVector.bot_token, maxAgeSeconds: 0, now: systemClock.now() });
    expect(identity).toMatchObject({ telegramUserId: 1n, username: "test_user", firstName: "Test" });
    expect(errorKey(() => verifyLoginWidget(widgetVector.payload, { botToken: widgetVector.bot_token, maxAgeSeconds: day, now: systemClock.now() }))).toBe("errors.telegram.expired");
  });

  it("refuses altered fields, another bot's signature and old data", () => {
    const fields = { id: 77, first_name: "Boris", username: "boris", photo_url: "https://t.me/i/userpic/320/boris.jpg", auth_date: authDate.getTime() / 1000 };
    const payload = signLoginWidget(fields, botToken);
    const now = secondsAfter(authDate, 5);
    expect(verifyLoginWidget(payload, { botToken, maxAgeSeconds: day, now }).telegramUserId).toBe(77n);
    expect(errorKey(() => verifyLoginWidget({ ...payload, id: 78 }, { botToken, maxAgeSeconds: day, now }))).toBe("errors.telegram.invalid");
    expect(errorKey(() => verifyLoginWidget({ ...payload, last_name: "Added" }, { botToken, maxAgeSeconds: day, now }))).toBe("errors.telegram.invalid");
    expect(errorKey(() => verifyLoginWidget(signLoginWidget(fields, "6000000002:AAGanother"), { botToken, maxAgeSeconds: day, now }))).toBe("errors.telegram.invalid");
    expect(errorKey(() => verifyLoginWidget(payload, { botToken, maxAgeSeconds: day, now: secondsAfter(authDate, day + 1) }))).toBe("errors.telegram.expired");
    expect(errorKey(() => verifyLoginWidget(payload, { botToken: "", maxAgeSeconds: day, now }))).toBe("errors.telegram.notConfigured");
  });
});
