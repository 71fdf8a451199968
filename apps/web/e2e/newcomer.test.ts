/**
 * The web app as a newcomer meets it (issue #16): the browser's language from the first screen,
 * no dead ends (offline, a declined payment, a deleted account, a draft avatar), pixel bombs
 * kept out of the page, and the photoset's screens: one order, favourites, share pages.
 */
import { readFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { desktop, isSeen, makeSelfies, phone, screenshotBoth, zipEntryNames, serverAndBrowser } from "./harness.ts";

const e2e = serverAndBrowser();

/** A context that has seen the onboarding, on a phone, in Russian unless told otherwise. */
async function returningVisitor(locale = "ru-RU") {
  const context = await e2e.browser.newContext({ viewport: phone, locale });
  await context.addInitScript(() => localStorage.setItem("pinglass.onboarded", "1"));
  return context;
}

async function createAvatarWithSelfies(page: Page, count: number) {
  await page.getByTestId("create-avatar").click();
  await page.waitForURL(/\/avatars\/\d+\/selfies$/);
  await page.getByTestId("file-input").setInputFiles(await makeSelfies(count));
  await expect.poll(() => page.getByTestId("selfie").count(), { timeout: 60_000 }).toBe(count);
}

/** The ids of the photos in a grid, in order. */
const photoIds = (page: Page, grid = "photo-grid") => page.getByTestId(grid).locator("[data-photo-id]").evaluateAll((cells) => cells.map((cell) => Number(cell.getAttribute("data-photo-id"))));

/** A PNG that says it is width × height but holds a few bytes: all a page needs to decode 1.6 GB. */
function pixelBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, "ascii"), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.alloc(64 * 1024))), chunk("IEND", Buffer.alloc(0))]);
}

describe("the web app as a newcomer meets it", () => {
  it("speaks an English browser's language from the first screen, names the avatar 'My avatar', and a declined payment keeps its tier", async () => {
    const context = await e2e.browser.newContext({ viewport: desktop, locale: "en-US" });
    const page = await context.newPage();
    const missing: string[] = [];
    page.on("response", (response) => {
      if (response.status() === 404) missing.push(new URL(response.url()).pathname);
    });
    await page.goto(e2e.server.url);

    // The first screen is English, and the switch is right there.
    await page.getByTestId("onboarding").waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    expect(await page.textContent("h1")).toBe("A photoshoot without a photographer");
    expect(await isSeen(page.getByTestId("language-switch"))).toBe(true);
    await page.getByTestId("switch-ru").click();
    await expect.poll(() => page.textContent("h1")).toBe("Фотосессия без фотографа");
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("ru");
    await page.getByTestId("switch-en").click();
    await expect.poll(() => page.textContent("h1")).toBe("A photoshoot without a photographer");
    await page.getByRole("button", { name: "Skip" }).click();
    await page.getByRole("heading", { name: "My avatars" }).waitFor();
    expect(await isSeen(page.getByTestId("language-switch"))).toBe(true);

    // The server names the avatar in the same language.
    await createAvatarWithSelfies(page, 5);
    await page.getByRole("link", { name: "PinGlass" }).click();
    await expect.poll(() => page.getByTestId("avatar-card").locator(".avatar-name").textContent()).toBe("My avatar");

    // Tiers and the test card in English; the plan chosen is not the popular one.
    await page.getByTestId("avatar-card").locator(".avatar-name a").click();
    await page.getByTestId("upload-next").click();
    await page.getByTestId("style-lifestyle").click();
    await page.getByTestId("style-next").click();
    await page.getByTestId("tier-premium").click();
    expect(await page.getByTestId("tier-premium").textContent()).toContain("Premium");
    await page.getByTestId("email").fill("buyer@example.com");
    await page.getByTestId("pay").click();
    await page.waitForURL(/\/checkout\/test\//);
    expect(await page.getByText("TEST CARD").isVisible()).toBe(true);
    expect(await page.getByText("ТЕСТОВАЯ КАРТА").isVisible()).toBe(false);
    expect(await page.getByText(/^Order no\. [0-9A-F]+$/).isVisible()).toBe(true);

    // Declined: "Try again" comes back to the same plan, the email still there.
    await page.getByRole("button", { name: "Decline the payment" }).click();
    await page.getByTestId("payment-declined").waitFor({ timeout: 60_000 });
    await page.getByTestId("payment-retry").click();
    await page.waitForURL(/\/tier\?style=lifestyle&tier=premium$/);
    await expect.poll(() => page.getByTestId("tier-premium").getAttribute("class")).toContain("choice-selected");
    expect(await page.getByTestId("tier-standard").getAttribute("class")).not.toContain("choice-selected");
    expect(await page.getByTestId("email").inputValue()).toBe("buyer@example.com");

    // Nothing the pages asked for was missing (the test checkout's icon included).
    expect(missing).toEqual([]);
    await context.close();
  });

  it("says plainly that the device is offline instead of loading forever, and carries on once it is back", async () => {
    const context = await returningVisitor();
    const page = await context.newPage();
    await page.goto(`${e2e.server.url}/account`);
    await page.getByRole("heading", { name: "Аккаунт" }).waitFor();
    await context.setOffline(true);
    await page.getByRole("link", { name: "PinGlass" }).click();
    await page.getByTestId("offline").waitFor();
    expect(await page.getByTestId("offline").textContent()).toContain("Нет подключения к интернету");
    expect(await page.locator(".skeleton-card").count()).toBe(0);
    await context.setOffline(false);
    await page.getByText("У вас пока нет аватаров").waitFor();
    expect(await page.getByTestId("offline").count()).toBe(0);
    await context.close();
  });

  it("keeps the onboarding's button in place, shows what a draft avatar has and lacks, and confirms a deletion", async () => {
    const context = await e2e.browser.newContext({ viewport: phone, locale: "ru-RU" });
    const page = await context.newPage();
    await page.goto(e2e.server.url);
    await page.getByTestId("onboarding").waitFor();
    const places: number[] = [];
    for (let step = 0; step < 3; step++) {
      await page.waitForFunction(() => [...document.images].every((img) => img.complete));
      places.push((await page.getByTestId("onboarding-next").boundingBox())!.y);
      await page.getByTestId("onboarding-next").click();
    }
    expect(new Set(places).size).toBe(1);

    await createAvatarWithSelfies(page, 3);
    await page.getByRole("link", { name: "PinGlass" }).click();
    const card = page.getByTestId("avatar-card");
    await expect.poll(() => card.locator(".avatar-meta").textContent()).toContain("3 селфи");
    expect(await card.locator(".avatar-meta").textContent()).toContain("нужно ещё 2");
    expect(await card.locator(".avatar-thumb img").count()).toBe(1);

    await page.getByTestId("nav-account").click();
    await page.getByTestId("delete-all").click();
    await page.getByTestId("dialog-confirm").click();
    await page.getByTestId("account-deleted").waitFor();
    expect(await page.getByTestId("account-deleted").textContent()).toContain("Ваши данные удалены");
    await context.close();
  });

  it("never decodes a pixel bomb in the page: no preview, a clear \"!\" tile and the server's reason", async () => {
    const context = await returningVisitor();
    // Every preview the page makes goes through URL.createObjectURL: count them.
    await context.addInitScript(() => {
      const make = URL.createObjectURL.bind(URL);
      (window as unknown as { previews: number }).previews = 0;
      URL.createObjectURL = (blob: Blob | MediaSource) => {
        (window as unknown as { previews: number }).previews++;
        return make(blob);
      };
    });
    const page = await context.newPage();
    await page.goto(e2e.server.url);
    await page.getByTestId("create-avatar").click();
    await page.waitForURL(/\/avatars\/\d+\/selfies$/);
    await page.getByTestId("file-input").setInputFiles({ name: "bomb.png", mimeType: "image/png", buffer: pixelBomb(20_000, 20_000) });
    const refused = page.getByTestId("refused-file");
    await expect.poll(() => refused.getByTestId("refused-reason").textContent(), { timeout: 30_000 }).toContain("слишком большое");
    expect(await refused.locator(".refused-icon").textContent()).toBe("!");
    expect(await refused.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { previews: number }).previews)).toBe(0);

    // A file that only calls itself a JPEG gets the same tile, never a broken image.
    await page.getByTestId("file-input").setInputFiles({ name: "photo.jpg", mimeType: "image/jpeg", buffer: Buffer.from("это не фото") });
    await expect.poll(() => refused.count(), { timeout: 30_000 }).toBe(2);
    expect(await page.locator(".refused img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { previews: number }).previews)).toBe(0);

    // The page still answers, and a real selfie still gets its preview and goes up.
    await page.getByTestId("file-input").setInputFiles(await makeSelfies(1));
    await expect.poll(() => page.getByTestId("selfie").count(), { timeout: 60_000 }).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { previews: number }).previews)).toBe(1);
    await context.close();
  });
  it("shows a photoset in one order everywhere, names photos by their scenes, keeps favourites across a reload and devices, and shares a page a stranger can open", async () => {
    const context = await e2e.browser.newContext({ viewport: phone, locale: "ru-RU", acceptDownloads: true });
    await context.addInitScript(() => localStorage.setItem("pinglass.onboarded", "1"));
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: e2e.server.url });
    const page = await context.newPage();
    await page.goto(e2e.server.url);
    await createAvatarWithSelfies(page, 5);
    await page.getByTestId("upload-next").click();
    // The demo note is the first thing under the style screen's title, not below the fold.
    await page.getByTestId("style-professional").waitFor();
    expect(await isSeen(page.getByTestId("demo-note"))).toBe(true);
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await page.getByTestId("demo-note").evaluate((note) => note.getBoundingClientRect().bottom <= window.innerHeight)).toBe(true);
    await page.getByTestId("style-professional").click();
    await page.getByTestId("style-next").click();
    await page.getByTestId("tier-starter").click();
    await page.getByTestId("email").fill("buyer@example.com");
    await page.getByTestId("pay").click();
    await page.waitForURL(/\/checkout\/test\//);
    await page.getByRole("button", { name: /Оплатить/ }).click();
    await page.waitForURL(/\/avatars\/\d+\/generation$/, { timeout: 60_000 });

    // Generation: said to be previews, each photo named by its scene.
    expect(await page.getByTestId("demo-note").textContent()).toContain("Демо-режим");
    await expect.poll(() => page.getByTestId("progress-count").textContent(), { timeout: 180_000 }).toBe("7 из 7");
    await expect.poll(() => page.getByTestId("photo").count()).toBe(7);
    const made = await photoIds(page);
    const names = await page.locator("[data-testid=photo] img").evaluateAll((images) => images.map((image) => image.getAttribute("alt") ?? ""));
    expect(new Set(names).size).toBe(7);
    expect(names.every((name) => name.length > 0 && !/^Портрет \d+$/.test(name))).toBe(true);

    // The gallery: the same photos in the same order, the same note.
    await page.getByTestId("open-gallery").click();
    await page.waitForURL(/\/avatars\/\d+$/);
    await expect.poll(() => photoIds(page)).toEqual(made);
    expect(await page.getByTestId("demo-note").textContent()).toContain("Демо-режим");

    // The lightbox says so too, names the scene, and its arrows stand out on any photo.
    await page.getByTestId("photo").first().click();
    await page.getByTestId("lightbox").waitFor();
    expect(await page.getByTestId("lightbox-demo").textContent()).toBe("Демо-превью");
    expect(await page.locator(".lightbox-caption").textContent()).toBe(names[0]);
    const arrow = await page.locator(".lightbox-next").evaluate((button) => {
      const style = getComputedStyle(button);
      return { background: style.backgroundColor, border: style.borderTopWidth };
    });
    expect(arrow.border).toBe("1px");
    expect(Number(/[\d.]+\)$/.exec(arrow.background)?.[0].slice(0, -1))).toBeGreaterThanOrEqual(0.5);

    // Hearts: one in the lightbox, one on a thumbnail; the favourites come first.
    await page.getByTestId("lightbox").getByTestId("heart").click();
    await expect.poll(() => page.getByTestId("lightbox").getByTestId("heart").getAttribute("aria-pressed")).toBe("true");
    await page.keyboard.press("Escape");
    await page.getByTestId("photo-grid").locator(`[data-photo-id="${made[2]}"]`).getByTestId("heart").click();
    await expect.poll(() => photoIds(page, "favourites-grid"), { timeout: 30_000 }).toEqual([made[0], made[2]]);
    await page.reload();
    await expect.poll(() => photoIds(page, "favourites-grid"), { timeout: 30_000 }).toEqual([made[0], made[2]]);
    expect(await page.getByTestId("photo-grid").locator(`[data-photo-id="${made[2]}"]`).getByTestId("heart").getAttribute("aria-pressed")).toBe("true");
    await screenshotBoth(page, "24-favourites");

    // Another device of the same account sees the same hearts.
    const session = await page.evaluate(() => localStorage.getItem("pinglass.session"));
    const other = await e2e.browser.newContext({ viewport: desktop, locale: "ru-RU" });
    await other.addInitScript((stored: string) => {
      localStorage.setItem("pinglass.onboarded", "1");
      localStorage.setItem("pinglass.session", stored);
    }, session!);
    const elsewhere = await other.newPage();
    await elsewhere.goto(page.url());
    await expect.poll(() => photoIds(elsewhere, "favourites-grid"), { timeout: 30_000 }).toEqual([made[0], made[2]]);
    await other.close();

    // The favourites alone as a ZIP.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-favourites").click()]);
    expect(zipEntryNames(readFileSync((await download.path())!))).toHaveLength(2);

    // Share: a page that lasts, for someone who has no account here.
    await page.getByTestId("photo-grid").getByTestId("photo").first().click();
    await page.getByTestId("share").click();
    await expect.poll(() => page.getByTestId("share-note").textContent()).toContain("Ссылка скопирована");
    await expect.poll(() => page.getByTestId("share-note").textContent()).toMatch(/По ссылке фото видно до \d+ \S+ \d{4}/);
    const shareUrl = await page.evaluate(() => navigator.clipboard.readText());
    expect(shareUrl).toMatch(new RegExp(`^${e2e.server.url.replace("127.0.0.1", "(127\\.0\\.0\\.1|localhost)")}/s/[A-Za-z0-9_-]{43}$`));
    const stranger = await e2e.browser.newContext({ viewport: phone, locale: "en-US" });
    const shared = await stranger.newPage();
    const opened = await shared.goto(shareUrl);
    expect(opened?.status()).toBe(200);
    await shared.waitForFunction(() => ((document.querySelector("[data-testid=shared-photo]") as HTMLImageElement | null)?.naturalWidth ?? 0) > 0);
    expect(await shared.locator('meta[property="og:image"]').getAttribute("content")).toContain("/media/");
    expect(await shared.textContent("h1")).toBeTruthy();
    await screenshotBoth(shared, "25-share-page");

    // Stopping sharing ends the page at once.
    await page.getByTestId("stop-sharing").click();
    await expect.poll(() => page.getByTestId("share-note").textContent()).toContain("Доступ закрыт");
    expect((await shared.reload())?.status()).toBe(404);
    expect(await shared.textContent("h1")).toBe("This link does not work");
    await stranger.close();
    await context.close();
  });
});
