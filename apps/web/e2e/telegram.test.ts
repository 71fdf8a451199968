import { createHmac } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, phone, type RunningServer, screenshotBoth, startServer } from "./harness.ts";

const botToken = "7000000001:AAE2e-test-bot-token-for-pinglass-e2e";

/** initData signed the way Telegram documents it: HMAC-SHA256 keyed by HMAC("WebAppData", bot token). */
function signInitData(fields: Record<string, string>): string {
  const dataCheckString = Object.entries(fields)
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join("\n");
  const secret = createHmac("sha256", "WebAppData").update(botToken).digest();
  const hash = createHmac("sha256", secret).update(dataCheckString).digest("hex");
  return new URLSearchParams({ ...fields, hash }).toString();
}

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({
      TELEGRAM_BOT_TOKEN: botToken,
      TELEGRAM_BOT_USERNAME: "pinglass_e2e_bot",
      TELEGRAM_WEBHOOK_SECRET: "e2e-webhook-secret-0123456789",
      // Nothing may leave the machine: the Bot API points at a closed loopback port.
      TELEGRAM_API_URL: "http://127.0.0.1:9",
    }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the Telegram Mini App", () => {
  it("signs in with the Mini App's initData, follows Telegram's theme and drives its Back and Main buttons", async () => {
    const initData = signInitData({
      auth_date: String(Math.floor(Date.now() / 1000)),
      query_id: "AAHdF6IQAAAAAN0XohDhrOrc",
      user: JSON.stringify({ id: 424242, first_name: "Анна", username: "anna_e2e", language_code: "ru" }),
    });
    const context = await browser.newContext({ viewport: phone, locale: "ru-RU" });
    // What telegram-web-app.js would provide inside Telegram, with calls recorded for the test.
    await context.addInitScript((data: string) => {
      const calls: string[] = [];
      const button = (name: string) => {
        const handlers = new Set<() => void>();
        return {
          text: "",
          visible: false,
          enabled: true,
          show() { this.visible = true; calls.push(`${name}.show`); },
          hide() { this.visible = false; calls.push(`${name}.hide`); },
          onClick(handler: () => void) { handlers.add(handler); },
          offClick(handler: () => void) { handlers.delete(handler); },
          setText(text: string) { this.text = text; },
          enable() { this.enabled = true; },
          disable() { this.enabled = false; },
          showProgress() {},
          hideProgress() {},
          click() { handlers.forEach((handler) => handler()); },
        };
      };
      localStorage.setItem("pinglass.onboarded", "1");
      Object.assign(window, {
        __telegramCalls: calls,
        Telegram: {
          WebApp: {
            initData: data,
            colorScheme: "light",
            themeParams: { bg_color: "#ffffff", secondary_bg_color: "#f1f1f4", text_color: "#111111", hint_color: "#707579", button_color: "#2481cc", button_text_color: "#ffffff", link_color: "#2481cc" },
            safeAreaInset: { top: 0, bottom: 20, left: 0, right: 0 },
            contentSafeAreaInset: { top: 0, bottom: 0, left: 0, right: 0 },
            BackButton: button("BackButton"),
            MainButton: button("MainButton"),
            ready() { calls.push("ready"); },
            expand() { calls.push("expand"); },
            onEvent() {},
          },
        },
      });
    }, initData);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByRole("heading", { name: "Мои аватары" }).waitFor();

    // Telegram's colours, not ours.
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(255, 255, 255)");
    expect(await page.evaluate(() => (window as unknown as { __telegramCalls: string[] }).__telegramCalls)).toContain("ready");

    // The signed-in user is the Telegram user.
    const me = await page.evaluate(async () => {
      const token = (JSON.parse(localStorage.getItem("pinglass.session")!) as { token: string }).token;
      const response = await fetch("/trpc/session.me", { headers: { authorization: `Bearer ${token}` } });
      return (await response.json()) as { result: { data: { json: { user: { telegramUserId: string | number } } } } };
    });
    expect(String(me.result.data.json.user.telegramUserId)).toBe("424242");
    await screenshotBoth(page, "13-telegram-avatars");

    // A new avatar: the in-page button gives way to Telegram's MainButton, and BackButton shows.
    await page.getByTestId("create-avatar").click();
    await page.waitForURL(/\/selfies$/);
    expect(await page.getByTestId("upload-next").count()).toBe(0);
    const buttons = () =>
      page.evaluate(() => {
        const app = (window as unknown as { Telegram: { WebApp: { MainButton: { text: string; visible: boolean; enabled: boolean }; BackButton: { visible: boolean } } } }).Telegram.WebApp;
        return { main: { text: app.MainButton.text, visible: app.MainButton.visible, enabled: app.MainButton.enabled }, back: app.BackButton.visible };
      });
    await expect.poll(buttons).toEqual({ main: { text: "Нужно ещё 5 фото", visible: true, enabled: false }, back: true });
    await screenshotBoth(page, "14-telegram-upload");

    // Telegram's Back button returns to the dashboard, where it hides again.
    await page.evaluate(() => (window as unknown as { Telegram: { WebApp: { BackButton: { click(): void } } } }).Telegram.WebApp.BackButton.click());
    await page.getByRole("heading", { name: "Мои аватары" }).waitFor();
    await expect.poll(async () => (await buttons()).back).toBe(false);
    await context.close();
  });

  it("refuses initData signed by another bot", async () => {
    const forged = new URLSearchParams({ auth_date: String(Math.floor(Date.now() / 1000)), user: JSON.stringify({ id: 1, first_name: "Mallory" }), hash: "0".repeat(64) }).toString();
    const context = await browser.newContext({ viewport: phone, locale: "ru-RU" });
    await context.addInitScript((data: string) => {
      localStorage.setItem("pinglass.onboarded", "1");
      Object.assign(window, { Telegram: { WebApp: { initData: data } } });
    }, forged);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByText("Не получилось войти").waitFor();
    await context.close();
  });
});
