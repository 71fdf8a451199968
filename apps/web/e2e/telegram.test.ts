import { describe, expect, it } from "vitest";
import { signInitDataFields } from "../../../packages/telegram/src/sign-init-data.ts";
import { lowContrastTexts, makeSelfies, phone, screenshotBoth, serverAndBrowser } from "./harness.ts";

const botToken = "7000000001:AAE2e-test-bot-token-for-pinglass-e2e";

const e2e = serverAndBrowser(() => ({
  TELEGRAM_BOT_TOKEN: botToken,
  TELEGRAM_BOT_USERNAME: "pinglass_e2e_bot",
  TELEGRAM_WEBHOOK_SECRET: "e2e-webhook-secret-0123456789",
  // Nothing may leave the machine: the Bot API points at a closed loopback port.
  TELEGRAM_API_URL: "http://127.0.0.1:9",
  // The Mini App pays in Telegram Stars; cards too only with this (the journey below pays by card).
  TELEGRAM_MINIAPP_CARD_PAYMENTS: "true",
}));

describe("the Telegram Mini App", () => {
  it("signs in with the Mini App's initData, follows Telegram's theme and drives its Back and Main buttons", async () => {
    const initData = signInitDataFields({
      auth_date: String(Math.floor(Date.now() / 1000)),
      query_id: "AAHdF6IQAAAAAN0XohDhrOrc",
      user: JSON.stringify({ id: 424242, first_name: "Анна", username: "anna_e2e", language_code: "ru" }),
    }, botToken);
    const context = await e2e.browser.newContext({ viewport: phone, locale: "ru-RU" });
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
    await page.goto(e2e.server.url);
    await page.getByRole("heading", { name: "Мои аватары" }).waitFor();

    // Telegram's colours, not ours.
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(255, 255, 255)");
    expect(await page.evaluate(() => (window as unknown as { __telegramCalls: string[] }).__telegramCalls)).toContain("ready");

    // The signed-in user is the Telegram user.
    const me = await page.evaluate(async () => {
      const token = (JSON.parse(localStorage.getItem("pinglass.session")!) as { token: string }).token;
      const response = await fetch("/trpc/session.me", { headers: { authorization: `Bearer ${token}` } });
      return (await response.json()) as { result: { data: { user: { telegramUserId: number } } } };
    });
    expect(me.result.data.user.telegramUserId).toBe(424242);
    await screenshotBoth(page, "21-telegram-avatars");

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
    expect(await lowContrastTexts(page)).toEqual([]);
    await screenshotBoth(page, "22-telegram-upload");

    // Telegram's Back button returns to the dashboard, where it hides again; the draft's badge is readable on white.
    await page.evaluate(() => (window as unknown as { Telegram: { WebApp: { BackButton: { click(): void } } } }).Telegram.WebApp.BackButton.click());
    await page.getByRole("heading", { name: "Мои аватары" }).waitFor();
    await expect.poll(async () => (await buttons()).back).toBe(false);
    await page.getByTestId("avatar-card").waitFor();
    expect(await lowContrastTexts(page)).toEqual([]);

    // A photoset from the Mini App, driven by the MainButton: the progress says the photos will also come to the chat.
    const mainButton = () => page.evaluate(() => (window as unknown as { Telegram: { WebApp: { MainButton: { click(): void } } } }).Telegram.WebApp.MainButton.click());
    await page.getByTestId("avatar-card").getByRole("link").first().click();
    await page.waitForURL(/\/selfies$/);
    await page.getByTestId("file-input").setInputFiles(await makeSelfies(5));
    await expect.poll(() => page.getByTestId("selfie").count(), { timeout: 60_000 }).toBe(5);
    await expect.poll(async () => (await buttons()).main.enabled).toBe(true);
    await mainButton();
    await page.getByTestId("style-pinglass").click();
    await mainButton();
    await page.getByTestId("tier-starter").click();
    // Stars come first inside Telegram; this journey pays by card on the test checkout.
    await page.getByTestId("method-card").click();
    await page.getByTestId("email").fill("anna@example.com");
    await expect.poll(async () => (await buttons()).main).toMatchObject({ text: expect.stringMatching(/^Оплатить 499\s₽$/), enabled: true });
    await mainButton();
    await page.waitForURL(/\/checkout\/test\//);
    await page.getByRole("button", { name: /Оплатить/ }).click();
    await page.waitForURL(/\/generation$/, { timeout: 60_000 });
    await page.getByTestId("telegram-note").waitFor();
    expect(await page.getByTestId("telegram-note").textContent()).toContain("придут и в чат с ботом");
    expect(await lowContrastTexts(page)).toEqual([]);
    await screenshotBoth(page, "23-telegram-generation");
    await context.close();
  });

  it("stays a Mini App after the bank sends the user back without Telegram's launch parameters", async () => {
    const initData = signInitDataFields({
      auth_date: String(Math.floor(Date.now() / 1000)),
      user: JSON.stringify({ id: 515151, first_name: "Boris", language_code: "ru" }),
    }, botToken);
    const context = await e2e.browser.newContext({ viewport: phone, locale: "ru-RU" });
    await context.addInitScript(() => localStorage.setItem("pinglass.onboarded", "1"));
    // A stand-in for telegram.org's telegram-web-app.js that, like the real one, reads the launch
    // parameters from the URL hash and keeps them in sessionStorage for later pages of the session.
    let scriptLoads = 0;
    await context.route("https://telegram.org/js/telegram-web-app.js", (route) => {
      scriptLoads++;
      return route.fulfill({
        contentType: "application/javascript",
        body: `(function () {
          var key = "__telegram__initParams", params = {};
          new URLSearchParams(location.hash.slice(1)).forEach(function (v, k) { params[k] = v; });
          try { var stored = JSON.parse(sessionStorage.getItem(key) || "null") || {}; for (var k in stored) if (!(k in params)) params[k] = stored[k]; sessionStorage.setItem(key, JSON.stringify(params)); } catch (e) {}
          var calls = (window.__telegramCalls = []);
          function button(name) { var h = []; return { show: function () { calls.push(name + ".show"); }, hide: function () { calls.push(name + ".hide"); }, onClick: function (f) { h.push(f); }, offClick: function () {}, setText: function () {}, enable: function () {}, disable: function () {}, showProgress: function () {}, hideProgress: function () {} }; }
          window.Telegram = { WebApp: { initData: params.tgWebAppData || "", colorScheme: "dark", themeParams: { bg_color: "#17212b", secondary_bg_color: "#232e3c", text_color: "#f5f5f5", hint_color: "#708499", button_color: "#5288c1", button_text_color: "#ffffff", link_color: "#6ab3f3" },
            BackButton: button("BackButton"), MainButton: button("MainButton"), ready: function () { calls.push("ready"); }, expand: function () {}, onEvent: function () {}, isVersionAtLeast: function () { return true; } } };
        })();`,
      });
    });
    const page = await context.newPage();
    await page.goto(`${e2e.server.url}/#tgWebAppData=${encodeURIComponent(initData)}&tgWebAppVersion=8.0&tgWebAppPlatform=android`);
    await page.getByRole("heading", { name: "Мои аватары" }).waitFor();
    expect(scriptLoads).toBe(1);
    expect(await page.evaluate(() => document.documentElement.dataset.telegram)).toBe("dark");
    expect(await lowContrastTexts(page)).toEqual([]);

    // The bank's return link: no hash. The app still loads Telegram's script and stays a Mini App.
    await page.goto(`${e2e.server.url}/payment/return?paymentId=999999&result=success`);
    await page.getByRole("alert").first().waitFor();
    expect(scriptLoads).toBe(2);
    expect(await page.evaluate(() => document.documentElement.dataset.telegram)).toBe("dark");
    await expect.poll(() => page.evaluate(() => (window as unknown as { __telegramCalls: string[] }).__telegramCalls)).toContain("BackButton.show");
    const me = await page.evaluate(async () => {
      const token = (JSON.parse(localStorage.getItem("pinglass.session")!) as { token: string }).token;
      const response = await fetch("/trpc/session.me", { headers: { authorization: `Bearer ${token}` } });
      return (await response.json()) as { result: { data: { user: { telegramUserId: number } } } };
    });
    expect(me.result.data.user.telegramUserId).toBe(515151);
    await context.close();
  });

  it("refuses initData signed by another bot", async () => {
    const forged = new URLSearchParams({ auth_date: String(Math.floor(Date.now() / 1000)), user: JSON.stringify({ id: 1, first_name: "Mallory" }), hash: "0".repeat(64) }).toString();
    const context = await e2e.browser.newContext({ viewport: phone, locale: "ru-RU" });
    await context.addInitScript((data: string) => {
      localStorage.setItem("pinglass.onboarded", "1");
      Object.assign(window, { Telegram: { WebApp: { initData: data } } });
    }, forged);
    const page = await context.newPage();
    await page.goto(e2e.server.url);
    await page.getByText("Не получилось войти").waitFor();
    await context.close();
  });
});
