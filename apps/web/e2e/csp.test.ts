/**
 * The security headers as a browser obeys them: the built app, its upload previews, the test
 * checkout and Telegram's web client framing the Mini App run without a single CSP violation,
 * and a stranger's page cannot frame it.
 */
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { makeSelfies, phone, serverAndBrowser } from "./harness.ts";

const e2e = serverAndBrowser();

/** A context that records every CSP violation its pages report, and every console line that names the policy. */
async function watchedContext(): Promise<{ context: BrowserContext; violations: string[] }> {
  const context = await e2e.browser.newContext({ viewport: phone, locale: "ru-RU" });
  const violations: string[] = [];
  await context.exposeBinding("__reportViolation", (_source, text: string) => void violations.push(text));
  await context.addInitScript(() => {
    try {
      localStorage.setItem("pinglass.onboarded", "1");
    } catch {
      // A cross-site frame in this (incognito-like) context gets no storage.
    }
    const report = (window as unknown as { __reportViolation: (text: string) => void }).__reportViolation;
    document.addEventListener("securitypolicyviolation", (event) => void report(`${event.violatedDirective} blocked ${event.blockedURI} on ${location.href}`));
  });
  context.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return { context, violations };
}

/**
 * The app as if deployed at https://pinglass.example: every request is answered by the real server
 * (headers included, uncompressed for simplicity). Chromium would not let a public page frame a
 * loopback address at all, whatever the policy says.
 */
async function deployedAt(context: BrowserContext, origin: string) {
  await context.route(`${origin}/**`, async (route) => {
    const url = new URL(route.request().url());
    const response = await route.fetch({ url: `${e2e.server.url}${url.pathname}${url.search}`, headers: { ...route.request().headers(), "accept-encoding": "identity" } });
    await route.fulfill({ response });
  });
}

describe("the Content-Security-Policy in Chromium", () => {
  it("lets the app, its upload previews and media, the account screen and the test checkout run without a violation", async () => {
    const { context, violations } = await watchedContext();
    const page = await context.newPage();
    await page.goto(e2e.server.url);
    await page.getByTestId("create-avatar").click();
    await page.waitForURL(/\/avatars\/\d+\/selfies$/);
    await page.getByTestId("file-input").setInputFiles(await makeSelfies(1));
    await expect.poll(() => page.getByTestId("selfie").count(), { timeout: 60_000 }).toBe(1);
    // The server's thumbnail (a signed /media link) has replaced the blob: preview by now.
    await expect.poll(() => page.locator("[data-testid=selfie] img").evaluateAll((images) => images.every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0))).toBe(true);
    await page.goto(`${e2e.server.url}/account`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    // The test checkout's page for an unknown link: its inline script runs under the answer's nonce.
    await page.goto(`${e2e.server.url}/checkout/test/1/not-a-token?lang=en`);
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe("en");
    expect(violations).toEqual([]);
    await context.close();
  });

  it("lets the API reference page (/docs/api) render with Scalar from our own origin, in both languages, with nothing it needs blocked", async () => {
    const { context, violations } = await watchedContext();
    const page = await context.newPage();
    const requested: string[] = [];
    page.on("request", (request) => void requested.push(request.url()));
    await page.goto(`${e2e.server.url}/docs/api?lang=en`);
    await page.getByText("PinGlass makes a photoset of AI portraits").first().waitFor({ timeout: 60_000 });
    await page.goto(`${e2e.server.url}/docs/api?lang=ru`);
    await page.getByText("PinGlass делает фотосет ИИ-портретов").first().waitFor({ timeout: 60_000 });
    // No CDN, fonts, telemetry or anything else from another origin.
    expect(requested.filter((url) => !url.startsWith(e2e.server.url) && !url.startsWith("data:") && !url.startsWith("blob:"))).toEqual([]);
    // The bundle's zod may probe whether eval is allowed (inside a try) and does without it; nothing else is reported.
    expect(violations.filter((text) => !/\beval\b/.test(text))).toEqual([]);
    await context.close();
  });

  it("lets Telegram's web client frame the Mini App, and nobody else", async () => {
    const { context, violations } = await watchedContext();
    await deployedAt(context, "https://pinglass.example");
    for (const origin of ["https://web.telegram.org", "https://stranger.example"]) {
      await context.route(`${origin}/k/`, (route) => route.fulfill({ contentType: "text/html", body: `<!doctype html><iframe src="https://pinglass.example/" width="390" height="700"></iframe>` }));
    }
    const framedDocument = (page: Page) =>
      page.frames()[1]?.evaluate(() => `${location.href} ${document.title}`).catch(() => "blocked") ?? "none";

    const telegram = await context.newPage();
    await telegram.goto("https://web.telegram.org/k/");
    await expect.poll(() => framedDocument(telegram)).toMatch(/^https:\/\/pinglass\.example\/ PinGlass/);
    expect(violations).toEqual([]);

    const stranger = await context.newPage();
    await stranger.goto("https://stranger.example/k/");
    await expect.poll(() => violations.join("\n")).toMatch(/Framing 'https:\/\/pinglass\.example\/' violates the following Content Security Policy directive: "frame-ancestors /);
    expect(await framedDocument(stranger)).toMatch(/^chrome-error:/);
    await context.close();
  });
});
