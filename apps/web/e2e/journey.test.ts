import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { desktop, holdRequests, isSeen, groupPhotoFile, lowContrastTexts, makeSelfies, phone, screenshotBoth, strangerSelfieFile, zipEntryNames, serverAndBrowser } from "./harness.ts";

// One photo at a time, so a reload can land in the middle of the photoset.
const e2e = serverAndBrowser(() => ({ GENERATION_CONCURRENCY_PER_JOB: "1" }));

async function openApp(viewport: { width: number; height: number }, locale = "ru-RU") {
  const context = await e2e.browser.newContext({ viewport, locale, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(e2e.server.url);
  return page;
}

async function skipOnboarding(page: Page) {
  await page.getByTestId("onboarding").waitFor();
  await page.getByRole("button", { name: /Пропустить|Skip/ }).click();
}

/** Creates an avatar and uploads `count` selfies through the file picker; returns the avatar's id. */
async function createAvatarWithSelfies(page: Page, count: number) {
  await page.getByTestId("create-avatar").click();
  await page.waitForURL(/\/avatars\/\d+\/selfies$/);
  await page.getByTestId("file-input").setInputFiles(await makeSelfies(count));
  await expect.poll(() => page.getByTestId("selfie").count(), { timeout: 60_000 }).toBe(count);
  return Number(/avatars\/(\d+)/.exec(page.url())![1]);
}

async function chooseStyleAndTier(page: Page, styleId: string, tierId: string) {
  await page.getByTestId("upload-next").click();
  await page.getByTestId(`style-${styleId}`).click();
  await page.getByTestId("style-next").click();
  await page.getByTestId(`tier-${tierId}`).click();
  await page.getByTestId("email").fill("buyer@example.com");
}

/** The ids of the photos on screen, in grid order. */
const photoIds = (page: Page) => page.locator("[data-photo-id]").evaluateAll((cells) => cells.map((cell) => Number(cell.getAttribute("data-photo-id"))));

const doneCount = async (page: Page) => Number(/^(\d+)/.exec((await page.getByTestId("progress-count").textContent()) ?? "")?.[1] ?? -1);

describe("the web app in Chromium against the real server", () => {
  it("takes a new user from selfies to a paid, generated and downloaded photoset (phone, Russian)", async () => {
    const page = await openApp(phone);

    // Onboarding: three steps, the price from the server's tiers; shown once.
    await page.getByTestId("onboarding").waitFor();
    await expect.poll(() => page.textContent("h1")).toContain("Фотосессия без фотографа");
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("ru");
    await screenshotBoth(page, "01-onboarding-what");
    await page.getByTestId("onboarding-next").click();
    await expect.poll(() => page.getByTestId("onboarding-text").textContent()).toMatch(/7, 15 или 23 портрета на выбор — от 499\s₽/);
    await screenshotBoth(page, "02-onboarding-price");
    await page.getByTestId("onboarding-next").click();
    await expect.poll(() => page.textContent("h1")).toContain("Что загрузить");
    await screenshotBoth(page, "03-onboarding-upload");
    await page.getByTestId("onboarding-next").click();
    await page.getByText("У вас пока нет аватаров").waitFor();
    await page.reload();
    await page.getByText("У вас пока нет аватаров").waitFor();
    expect(await page.getByTestId("onboarding").count()).toBe(0);
    await expect.poll(() => page.title()).toBe("Мои аватары — PinGlass");
    await screenshotBoth(page, "04-avatars-empty");

    // A new screen takes the focus to its heading and names the tab.
    await page.getByTestId("create-avatar").click();
    await page.waitForURL(/\/avatars\/\d+\/selfies$/);
    await expect.poll(() => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent}`)).toBe("H1 Ваши селфи");
    await expect.poll(() => page.title()).toBe("Ваши селфи — PinGlass");

    // Upload: a text file is refused with the server's reason, in plain sight; six selfies go in.
    expect(await page.getByTestId("file-input").getAttribute("accept")).not.toContain("heic");
    await page.getByTestId("file-input").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("это не фото") });
    await expect.poll(() => page.getByTestId("refused-reason").textContent(), { timeout: 30_000 }).toContain("Это не фото");
    expect(await isSeen(page.getByTestId("refused-reason"))).toBe(true);
    // The face checks: a group photo is refused for what it is; six selfies of one person go in; someone else's is refused.
    const reasons = () => page.getByTestId("refused-reason").allTextContents().then((all) => all.join(" | "));
    await page.getByTestId("file-input").setInputFiles(await groupPhotoFile());
    await expect.poll(reasons, { timeout: 60_000 }).toContain("На фото несколько человек");
    await page.getByTestId("file-input").setInputFiles(await makeSelfies(6));
    await expect.poll(() => page.getByTestId("selfie").count(), { timeout: 60_000 }).toBe(6);
    await expect.poll(() => page.getByTestId("selfie-count").textContent()).toContain("Хороших селфи: 6");
    await page.getByTestId("file-input").setInputFiles(await strangerSelfieFile());
    await expect.poll(reasons, { timeout: 60_000 }).toContain("Похоже, это другой человек");
    expect(await page.getByTestId("selfie").count()).toBe(6);
    expect(await page.getByTestId("selfie-verdict").allTextContents()).toEqual(Array(6).fill("Подходит"));
    // On a phone the hint speaks of the gallery, not of dragging.
    expect(await page.getByText("Выберите фото из галереи").isVisible()).toBe(true);
    expect(await page.getByText("Перетащите фото сюда").isVisible()).toBe(false);
    expect(await lowContrastTexts(page)).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshotBoth(page, "05-upload", { fullPage: true });

    // Style and tier: the four styles with previews, Standard, a receipt email.
    await page.getByTestId("upload-next").click();
    await page.getByTestId("style-professional").waitFor();
    expect(await page.locator("[data-testid^=style-] img").count()).toBe(4);
    expect(await page.getByTestId("demo-note").textContent()).toContain("Демо-режим");
    expect(await page.getByTestId("style-next").isDisabled()).toBe(true);
    await screenshotBoth(page, "06-style");
    await page.getByTestId("style-professional").click();
    await page.getByTestId("style-next").click();
    await page.getByTestId("tier-standard").waitFor();
    expect(await page.getByTestId("tier-standard").textContent()).toMatch(/999\s₽/);
    await page.getByTestId("tier-standard").click();
    await page.getByTestId("email").fill("buyer@example.com");
    await screenshotBoth(page, "07-tier");

    // The local test checkout, in Russian only; then back to the app, which waits for the bank and starts the photoset.
    await page.getByTestId("pay").click();
    await page.waitForURL(/\/checkout\/test\//);
    expect(await page.getByText("ТЕСТОВАЯ ОПЛАТА").isVisible()).toBe(true);
    expect(await page.getByText("TEST PAYMENT").isVisible()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await screenshotBoth(page, "08-test-checkout");
    const status = await holdRequests(page, /\/trpc\/[^?]*payments\.status/);
    const start = await holdRequests(page, /\/trpc\/[^?]*generation\.start/);
    await page.getByRole("button", { name: /Оплатить 999\s₽/ }).click();
    await page.getByTestId("payment-waiting").waitFor({ timeout: 30_000 });
    await screenshotBoth(page, "09-payment-waiting");
    await status.open();
    await page.getByTestId("payment-paid").waitFor({ timeout: 30_000 });
    await screenshotBoth(page, "10-payment-paid");
    await start.open();
    await page.waitForURL(/\/avatars\/\d+\/generation$/, { timeout: 60_000 });

    // Progress: photos fill their places in order, the rest are placeholders; nothing already shown moves.
    await expect.poll(() => doneCount(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(async () => (await page.getByTestId("photo").count()) + (await page.getByTestId("photo-pending").count())).toBe(15);
    await screenshotBoth(page, "11-generation");
    const early = await photoIds(page);
    // The lightbox follows its photo while new ones land.
    await page.getByTestId("photo").first().click();
    await page.getByTestId("lightbox").waitFor();
    // The photo, not its link: a signed link's expiry moves on every 5 minutes.
    const photoOf = (src: string | null) => src && new URL(src, page.url()).pathname;
    const shown = photoOf(await page.locator(".lightbox-figure img").getAttribute("src"));
    await expect.poll(() => doneCount(page), { timeout: 60_000 }).toBeGreaterThan(early.length);
    await expect.poll(() => photoIds(page)).not.toEqual(early);
    expect((await photoIds(page)).slice(0, early.length)).toEqual(early);
    expect(photoOf(await page.locator(".lightbox-figure img").getAttribute("src"))).toBe(shown);
    expect(await page.getByTestId("lightbox-counter").textContent()).toMatch(/^1 \/ /);
    await page.keyboard.press("Escape");

    // A reload in the middle picks it up again; it reaches 15 of 15.
    const beforeReload = await doneCount(page);
    await page.reload();
    await page.getByTestId("progress-count").waitFor();
    expect(await doneCount(page)).toBeGreaterThanOrEqual(beforeReload);
    await expect.poll(() => page.getByTestId("progress-count").textContent(), { timeout: 180_000 }).toBe("15 из 15");
    await expect.poll(() => page.getByTestId("photo").count()).toBe(15);
    expect(await page.getByTestId("photo-pending").count()).toBe(0);
    await screenshotBoth(page, "12-generation-done");

    // Gallery and lightbox.
    await page.getByTestId("open-gallery").click();
    await page.waitForURL(/\/avatars\/\d+$/);
    await page.getByTestId("download-zip").waitFor();
    await expect.poll(() => page.getByTestId("photo").count()).toBe(15);
    await screenshotBoth(page, "13-gallery");
    await page.getByTestId("photo").first().click();
    await page.getByTestId("lightbox").waitFor();
    await expect.poll(() => page.getByTestId("lightbox-counter").textContent()).toBe("1 / 15");
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => page.getByTestId("lightbox-counter").textContent()).toBe("2 / 15");
    await page.waitForFunction(() => (document.querySelector(".lightbox-figure img") as HTMLImageElement | null)?.complete === true);
    await screenshotBoth(page, "14-lightbox");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByTestId("lightbox").count()).toBe(0);

    // The ZIP holds all 15 photos.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-zip").click()]);
    const zip = readFileSync((await download.path())!);
    const names = zipEntryNames(zip);
    expect(names).toHaveLength(15);
    expect(names.every((name) => name.endsWith(".jpg"))).toBe(true);

    // Back on the dashboard the avatar is ready with 15 photos; it gets a name of its own.
    await page.getByRole("link", { name: "PinGlass" }).click();
    await expect.poll(() => page.getByTestId("avatar-status").textContent()).toBe("Готово");
    expect(await page.getByTestId("avatar-card").textContent()).toContain("15 фото");
    await page.getByTestId("avatar-card").getByRole("button", { name: "Переименовать" }).click();
    await page.getByLabel("Имя аватара").fill("Для LinkedIn");
    await page.getByTestId("avatar-card").getByRole("button", { name: "Сохранить" }).click();
    await expect.poll(() => page.getByTestId("avatar-card").locator(".avatar-name").textContent()).toBe("Для LinkedIn");
    await page.reload();
    await expect.poll(() => page.getByTestId("avatar-card").locator(".avatar-name").textContent()).toBe("Для LinkedIn");
    expect(await lowContrastTexts(page)).toEqual([]);
    await screenshotBoth(page, "15-avatars");

    // The account lists the payment.
    await page.getByTestId("nav-account").click();
    await expect.poll(() => page.getByTestId("payment-row").textContent()).toMatch(/Стандарт · 15 портретов.*999\s₽.*Оплачен/);
    expect(await page.getByTestId("nav-account").getAttribute("aria-current")).toBe("page");
    await screenshotBoth(page, "16-account");

    // The avatar is deleted.
    await page.getByRole("link", { name: "PinGlass" }).click();
    await page.getByTestId("avatar-card").getByRole("button", { name: "Удалить" }).click();
    await page.getByTestId("dialog-confirm").click();
    await page.getByText("У вас пока нет аватаров").waitFor();
    await page.context().close();
  });

  it("starts a paid photoset on the next visit when the tab was closed on the bank's page", async () => {
    const page = await openApp(phone);
    await skipOnboarding(page);
    await createAvatarWithSelfies(page, 5);
    await chooseStyleAndTier(page, "lifestyle", "starter");
    await page.getByTestId("pay").click();
    await page.waitForURL(/\/checkout\/test\//);
    // The buyer pays, but the tab is gone before the bank sends it back to us.
    const payUrl = new URL(page.url());
    const context = page.context();
    await page.close();
    const paid = await fetch(`${e2e.server.url}${payUrl.pathname}/pay`, { method: "POST", redirect: "manual" });
    expect(paid.status).toBe(303);

    const later = await context.newPage();
    await later.goto(e2e.server.url);
    await later.waitForURL(/\/avatars\/\d+\/generation$/, { timeout: 30_000 });
    await expect.poll(() => later.getByTestId("progress-count").textContent(), { timeout: 30_000 }).toMatch(/из 7$/);
    await context.close();
  });

  it("says clearly when the bank declines, in English, on a desktop", async () => {
    const page = await openApp(desktop, "en-US");
    await skipOnboarding(page);
    await page.getByTestId("nav-account").click();
    await page.getByTestId("lang-en").click();
    await page.getByRole("heading", { name: "Account" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    await page.getByRole("link", { name: "PinGlass" }).click();
    await page.getByRole("heading", { name: "My avatars" }).waitFor();
    await expect.poll(() => page.title()).toBe("My avatars — PinGlass");

    await createAvatarWithSelfies(page, 5);
    // Server messages follow the language too.
    await page.getByTestId("file-input").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a photo") });
    await expect.poll(() => page.getByTestId("refused-reason").textContent(), { timeout: 30_000 }).toContain("This is not a photo");
    expect(await isSeen(page.getByTestId("refused-reason"))).toBe(true);
    await chooseStyleAndTier(page, "creative", "starter");
    expect(await page.getByTestId("tier-starter").textContent()).toMatch(/499\s₽/);
    await page.getByTestId("pay").click();
    await page.waitForURL(/\/checkout\/test\//);
    // The test checkout speaks the app's language, one language at a time.
    expect(await page.getByText("TEST PAYMENT").isVisible()).toBe(true);
    expect(await page.getByText("ТЕСТОВАЯ ОПЛАТА").isVisible()).toBe(false);
    await page.getByRole("button", { name: /Decline/ }).click();
    await page.getByTestId("payment-declined").waitFor({ timeout: 60_000 });
    const declined = (await page.getByTestId("payment-declined").textContent()) ?? "";
    expect(declined).toContain("The payment did not go through");
    // Our words, not the bank's raw text (which is in Russian).
    expect(declined).toContain("nothing was charged");
    expect(declined).not.toMatch(/[а-яё]/i);
    await screenshotBoth(page, "17-payment-declined");

    // A refunded payment has its own words (the local bank refunds only failed photos, so the answer is rewritten here).
    const returnUrl = page.url();
    await page.route(/\/trpc\/[^?]*payments\.status/, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: (await response.text()).replace('"status":"canceled"', '"status":"refunded"') });
    });
    await page.reload();
    await page.getByTestId("payment-refunded").waitFor();
    expect(await page.getByTestId("payment-refunded").textContent()).toContain("was refunded to your card");
    await screenshotBoth(page, "18-payment-refunded");
    await page.unroute(/\/trpc\/[^?]*payments\.status/);
    await page.goto(returnUrl);

    await page.getByTestId("payment-retry").click();
    await page.waitForURL(/\/tier\?style=creative&tier=starter$/);
    await page.getByTestId("nav-account").click();
    await expect.poll(() => page.getByTestId("payment-row").textContent()).toMatch(/Starter · 7 portraits.*499\s₽.*Did not go through/);
    await screenshotBoth(page, "19-account-en");
    await page.context().close();
  });

  it("explains a lost connection in plain words and recovers with Try again", async () => {
    const context = await e2e.browser.newContext({ viewport: phone, locale: "ru-RU" });
    await context.addInitScript(() => localStorage.setItem("pinglass.onboarded", "1"));
    const page = await context.newPage();
    await page.route(/\/trpc\/[^?]*avatars\.list/, (route) => route.abort("internetdisconnected"));
    await page.goto(e2e.server.url);
    await page.getByRole("alert").getByText("Не удалось связаться с сервером").waitFor();
    expect(await page.getByRole("alert").textContent()).not.toContain("Failed to fetch");
    await screenshotBoth(page, "20-error");
    await page.unroute(/\/trpc\/[^?]*avatars\.list/);
    await page.getByRole("button", { name: "Повторить" }).click();
    await page.getByText("У вас пока нет аватаров").waitFor();
    await context.close();
  });

  it("drops a session the server no longer accepts and starts over with a fresh one, keeping the rotated device id", async () => {
    const context = await e2e.browser.newContext({ viewport: phone, locale: "ru-RU" });
    // A well-formed token the server did not sign (as after a merged or deleted account, or a new secret).
    const stale = { token: `v1.424242.${Math.floor(Date.now() / 1000) + 10 * 86400}.${"A".repeat(43)}`, expiresAt: new Date(Date.now() + 10 * 86400_000).toISOString() };
    // This browser's device id already has an account.
    const deviceId = crypto.randomUUID();
    const started = await fetch(`${e2e.server.url}/trpc/session.start`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ deviceId }) });
    const { userId } = ((await started.json()) as { result: { data: { userId: number } } }).result.data;
    await context.addInitScript(
      ({ session, deviceId }) => {
        localStorage.setItem("pinglass.onboarded", "1");
        if (!sessionStorage.getItem("seeded")) {
          sessionStorage.setItem("seeded", "1");
          localStorage.setItem("pinglass.session", JSON.stringify(session));
          localStorage.setItem("pinglass.deviceId", deviceId);
        }
      },
      { session: stale, deviceId },
    );
    const page = await context.newPage();
    await page.goto(e2e.server.url);
    await page.getByText("У вас пока нет аватаров").waitFor();
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("pinglass.session") ?? "null") as { token: string } | null);
    expect(stored?.token).toMatch(/^v1\.\d+\./);
    expect(stored?.token).not.toBe(stale.token);
    // The same account, and the device id it sent was replaced by the one the server handed back.
    expect(stored?.token.split(".")[1]).toBe(String(userId));
    const kept = await page.evaluate(() => localStorage.getItem("pinglass.deviceId"));
    expect(kept).toMatch(/^[0-9a-f-]{36}$/);
    expect(kept).not.toBe(deviceId);
    await page.getByTestId("create-avatar").click();
    await page.waitForURL(/\/avatars\/\d+\/selfies$/);
    await context.close();
  });
});
