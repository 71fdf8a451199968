import { readFileSync } from "node:fs";
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desktop, isSeen, launchChromium, makeSelfies, phone, type RunningServer, screenshotBoth, screenshotsDir, startServer, zipEntryNames } from "./harness.ts";

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(screenshotsDir, { recursive: true });
  // One photo at a time, so a reload can land in the middle of the photoset.
  [server, browser] = await Promise.all([startServer({ GENERATION_CONCURRENCY_PER_JOB: "1" }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openApp(viewport: { width: number; height: number }, locale = "ru-RU") {
  const context = await browser.newContext({ viewport, locale, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(server.url);
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

describe("the web app in Chromium against the real server", () => {
  it("takes a new user from selfies to a paid, generated and downloaded photoset (phone, Russian)", async () => {
    const page = await openApp(phone);

    // Onboarding: three steps, once.
    await page.getByTestId("onboarding").waitFor();
    await expect.poll(() => page.textContent("h1")).toContain("Фотосессия без фотографа");
    await screenshotBoth(page, "01-onboarding");
    for (let i = 0; i < 3; i++) await page.getByTestId("onboarding-next").click();
    await page.getByText("У вас пока нет аватаров").waitFor();
    await screenshotBoth(page, "02-avatars-empty");

    // Upload: a text file is refused with the server's reason; six selfies go in.
    await page.getByTestId("create-avatar").click();
    await page.waitForURL(/\/avatars\/\d+\/selfies$/);
    await page.getByTestId("file-input").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("это не фото") });
    await expect.poll(() => page.getByTestId("refused-reason").textContent(), { timeout: 30_000 }).toContain("Это не фото");
    expect(await isSeen(page.getByTestId("refused-reason"))).toBe(true);
    await page.getByTestId("file-input").setInputFiles(await makeSelfies(6));
    await expect.poll(() => page.getByTestId("selfie").count(), { timeout: 60_000 }).toBe(6);
    await expect.poll(() => page.getByTestId("selfie-count").textContent()).toContain("Загружено 6");
    await screenshotBoth(page, "03-upload");

    // Style and tier: the four styles with previews, Standard, a receipt email.
    await page.getByTestId("upload-next").click();
    await page.getByTestId("style-professional").waitFor();
    expect(await page.locator("[data-testid^=style-] img").count()).toBe(4);
    await screenshotBoth(page, "04-style");
    await page.getByTestId("style-professional").click();
    await page.getByTestId("style-next").click();
    await page.getByTestId("tier-standard").waitFor();
    expect(await page.getByTestId("tier-standard").textContent()).toMatch(/999\s₽/);
    await page.getByTestId("tier-standard").click();
    await page.getByTestId("email").fill("buyer@example.com");
    await screenshotBoth(page, "05-tier");

    // The local test checkout, then back to the app, which starts the photoset.
    await page.getByTestId("pay").click();
    await page.waitForURL(/\/checkout\/test\//);
    await screenshotBoth(page, "06-test-checkout");
    await page.getByRole("button", { name: /Оплатить 999\s₽/ }).click();
    await page.waitForURL(/\/avatars\/\d+\/generation$/, { timeout: 60_000 });

    // Progress with the first photos in; a reload in the middle picks it up again; it reaches 15 of 15.
    const done = async () => Number(/^(\d+)/.exec((await page.getByTestId("progress-count").textContent()) ?? "")?.[1] ?? -1);
    await expect.poll(done, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    await screenshotBoth(page, "07-generation");
    const beforeReload = await done();
    await page.reload();
    await page.getByTestId("progress-count").waitFor();
    expect(await done()).toBeGreaterThanOrEqual(beforeReload);
    await expect.poll(() => page.getByTestId("progress-count").textContent(), { timeout: 180_000 }).toBe("15 из 15");
    await expect.poll(() => page.getByTestId("photo").count()).toBe(15);

    // Gallery and lightbox.
    await page.getByTestId("open-gallery").click();
    await page.waitForURL(/\/avatars\/\d+$/);
    await page.getByTestId("download-zip").waitFor();
    await expect.poll(() => page.getByTestId("photo").count()).toBe(15);
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=photo] img")].every((img) => (img as HTMLImageElement).complete));
    await screenshotBoth(page, "08-gallery");
    await page.getByTestId("photo").first().click();
    await page.getByTestId("lightbox").waitFor();
    await expect.poll(() => page.getByTestId("lightbox-counter").textContent()).toBe("1 / 15");
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => page.getByTestId("lightbox-counter").textContent()).toBe("2 / 15");
    await page.waitForFunction(() => (document.querySelector(".lightbox-figure img") as HTMLImageElement | null)?.complete === true);
    await screenshotBoth(page, "09-lightbox");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByTestId("lightbox").count()).toBe(0);

    // The ZIP holds all 15 photos.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-zip").click()]);
    const zip = readFileSync((await download.path())!);
    const names = zipEntryNames(zip);
    expect(names).toHaveLength(15);
    expect(names.every((name) => name.endsWith(".jpg"))).toBe(true);

    // Back on the dashboard the avatar is ready with 15 photos; then it is deleted.
    await page.getByRole("link", { name: "PinGlass" }).click();
    await expect.poll(() => page.getByTestId("avatar-status").textContent()).toBe("Готово");
    expect(await page.getByTestId("avatar-card").textContent()).toContain("15 фото");
    await screenshotBoth(page, "10-avatars");
    await page.getByTestId("avatar-card").getByRole("button", { name: "Удалить" }).click();
    await page.getByTestId("dialog-confirm").click();
    await page.getByText("У вас пока нет аватаров").waitFor();
    await page.context().close();
  });

  it("says clearly when the bank declines, in English, on a desktop", async () => {
    const page = await openApp(desktop, "en-US");
    await skipOnboarding(page);
    await page.getByTestId("nav-account").click();
    await page.getByTestId("lang-en").click();
    await page.getByRole("heading", { name: "Account" }).waitFor();
    await screenshotBoth(page, "11-account");
    await page.getByRole("link", { name: "PinGlass" }).click();
    await page.getByRole("heading", { name: "My avatars" }).waitFor();

    await createAvatarWithSelfies(page, 5);
    // Server messages follow the language too.
    await page.getByTestId("file-input").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a photo") });
    await expect.poll(() => page.getByTestId("refused-reason").textContent(), { timeout: 30_000 }).toContain("This is not a photo");
    expect(await isSeen(page.getByTestId("refused-reason"))).toBe(true);
    await chooseStyleAndTier(page, "creative", "starter");
    await page.getByTestId("pay").click();
    await page.waitForURL(/\/checkout\/test\//);
    // The test checkout speaks the app's language, one language at a time.
    expect(await page.getByText("TEST PAYMENT").isVisible()).toBe(true);
    expect(await page.getByText("ТЕСТОВАЯ ОПЛАТА").isVisible()).toBe(false);
    await page.getByRole("button", { name: /Decline/ }).click();
    await page.getByTestId("payment-declined").waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("payment-declined").textContent()).toContain("The payment did not go through");
    // Our words, not the bank's raw text (which is in Russian).
    expect(await page.getByTestId("payment-declined").textContent()).toContain("nothing was charged");
    expect(await page.getByTestId("payment-declined").textContent()).not.toMatch(/[а-яё]/i);
    await screenshotBoth(page, "12-payment-declined");
    await page.getByTestId("payment-retry").click();
    await page.waitForURL(/\/tier\?style=creative$/);
    await page.context().close();
  });
});
