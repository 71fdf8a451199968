import type { Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInitDataFields } from "../../../packages/telegram/src/sign-init-data.ts";
import { type FakeKie, startFakeKie } from "../../../packages/generation/src/providers/fake-kie-server.ts";
import { lowContrastTexts, makeSelfies, phone, desktop, serverAndBrowser } from "./harness.ts";

const botToken = "7000000002:AAE2e-operators-console-test-bot-token";
const operatorTelegramId = 424_243;
const kieKey = "kie-e2e-key";

let kie: FakeKie;
beforeAll(async () => {
  kie = await startFakeKie({ apiKey: kieKey });
});
afterAll(() => kie?.close());

const e2e = serverAndBrowser(() => ({
  TELEGRAM_BOT_TOKEN: botToken,
  TELEGRAM_BOT_USERNAME: "pinglass_ops_e2e_bot",
  TELEGRAM_WEBHOOK_SECRET: "e2e-webhook-secret-0123456789",
  // Nothing may leave the machine: the Bot API points at a closed loopback port.
  TELEGRAM_API_URL: "http://127.0.0.1:9",
  ADMIN_TELEGRAM_IDS: String(operatorTelegramId),
  // Photos are made by a fake Kie.ai on loopback, which the test can make refuse.
  KIE_API_KEY: kieKey,
  KIE_API_URL: kie.url,
  // The fake's renders have no face in them.
  LIKENESS_GATE: "off",
}));

/** A plain-JSON tRPC call of the customer, as the app makes them. */
async function call<T>(token: string, procedure: string, input?: unknown, method: "GET" | "POST" = "POST"): Promise<T> {
  const url = method === "GET" ? `${e2e.server.url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input ?? {}))}` : `${e2e.server.url}/trpc/${procedure}`;
  const response = await fetch(url, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, ...(method === "POST" ? { body: JSON.stringify(input ?? {}) } : {}) });
  const body = (await response.json()) as { result?: { data: T }; error?: unknown };
  if (!response.ok || !body.result) throw new Error(`${procedure}: ${response.status} ${JSON.stringify(body.error)}`);
  return body.result.data;
}

/** A card payment paid on the local test checkout (its Pay button posts back to the signed link). */
async function pay(token: string, input: Record<string, unknown>): Promise<number> {
  const created = await call<{ paymentId: number; paymentUrl: string }>(token, "payments.create", { email: "buyer-e2e@example.com", ...input });
  const paid = await fetch(`${created.paymentUrl}/pay`, { method: "POST", redirect: "manual" });
  expect(paid.status).toBeLessThan(400);
  await expect.poll(async () => (await call<{ status: string }>(token, "payments.status", { paymentId: created.paymentId }, "GET")).status, { timeout: 30_000 }).toBe("succeeded");
  return created.paymentId;
}

/** The Mini App of a Telegram user, as telegram-web-app.js would provide it. */
async function miniApp(telegramUserId: number) {
  const initData = signInitDataFields({
    auth_date: String(Math.floor(Date.now() / 1000)),
    user: JSON.stringify({ id: telegramUserId, first_name: "Olga", username: "ops_e2e", language_code: "en" }),
  }, botToken);
  const context = await e2e.browser.newContext({ viewport: desktop, locale: "en-US" });
  await context.addInitScript((data: string) => {
    localStorage.setItem("pinglass.onboarded", "1");
    const button = () => ({ show() {}, hide() {}, onClick() {}, offClick() {}, setText() {}, enable() {}, disable() {}, showProgress() {}, hideProgress() {} });
    Object.assign(window, {
      Telegram: { WebApp: { initData: data, colorScheme: "dark", themeParams: {}, BackButton: button(), MainButton: button(), ready() {}, expand() {}, onEvent() {} } },
    });
  }, initData);
  return context;
}

describe("the operators' console", () => {
  it("lets an operator find a payment and refund two photos, retry a failed photoset, and see both in the audit log", async () => {
    // A customer with an avatar of five selfies, a paid Standard photoset not used yet, and a Starter
    // photoset that starts on payment and fails: the image service refuses all seven photos.
    const customer = await call<{ token: string }>("", "session.start", { deviceId: crypto.randomUUID() });
    const avatar = await call<{ id: number }>(customer.token, "avatars.create", { name: "E2E" });
    const form = new FormData();
    for (const selfie of await makeSelfies(5)) form.append("files", new Blob([new Uint8Array(selfie.buffer)], { type: selfie.mimeType }), selfie.name);
    const uploaded = await fetch(`${e2e.server.url}/uploads/avatars/${avatar.id}/references`, { method: "POST", headers: { authorization: `Bearer ${customer.token}` }, body: form });
    expect(((await uploaded.json()) as { accepted: unknown[] }).accepted).toHaveLength(5);
    const standard = await pay(customer.token, { tierId: "standard" });
    for (let i = 0; i < 7; i++) kie.planNextTask({ fail: { code: "400", message: "prompt refused by content policy" } });
    await pay(customer.token, { tierId: "starter", avatarId: avatar.id, styleId: "professional" });
    const jobOf = async () => (await call<{ latestJob: { id: number; status: string } | null }>(customer.token, "avatars.get", { avatarId: avatar.id }, "GET")).latestJob;
    await expect.poll(async () => (await jobOf())?.status, { timeout: 120_000, interval: 1000 }).toBe("failed");
    const jobId = (await jobOf())!.id;

    // The operator opens the console in the Mini App, signed in by Telegram.
    const context = await miniApp(operatorTelegramId);
    const page = await context.newPage();
    await page.goto(`${e2e.server.url}/admin`);
    await page.getByTestId("admin-overview").waitFor();
    await expect.poll(() => page.getByRole("heading", { name: "Operators' console" }).count()).toBe(1);
    expect(await lowContrastTexts(page)).toEqual([]);

    // Finds the Standard payment by the buyer's e-mail and refunds two of its fifteen photos.
    await page.getByTestId("admin-tab-payments").click();
    await page.getByTestId("admin-payment-search-query").fill("Buyer-E2E@example.com");
    await page.getByTestId("admin-payment-search-submit").click();
    await expect.poll(() => page.getByTestId("admin-payment-row").count()).toBe(2);
    await page.getByTestId("admin-payment-row").filter({ hasText: `Payment ${standard}` }).getByTestId("admin-payment-open").click();
    await page.getByTestId("admin-payment-detail").waitFor();
    expect(await page.getByTestId("admin-payment-events").textContent()).toContain("CONFIRMED");
    await page.getByTestId("admin-refund-photos").fill("2");
    await page.getByTestId("admin-refund-photos-submit").click();
    await page.getByTestId("dialog-confirm").click();
    await expect.poll(() => page.getByTestId("admin-outcome").textContent()).toMatch(/The refund of 133\.20\s₽ is queued\./);
    await expect.poll(() => page.getByTestId("admin-refund-row").first().textContent()).toMatch(/133\.20\s₽.*2 · asked for by an operator/);
    expect(await lowContrastTexts(page)).toEqual([]);

    // Retries the failed photoset: the image service makes its photos this time.
    await page.getByTestId("admin-tab-jobs").click();
    await page.getByTestId("admin-jobs-failed").click();
    await page.getByTestId("admin-job-row").filter({ hasText: `Job ${jobId}` }).getByTestId("admin-job-open").click();
    expect(await page.getByTestId("admin-job-slots").textContent()).toContain("prompt refused by content policy");
    await page.getByTestId("admin-job-retry").click();
    await expect.poll(() => page.getByTestId("admin-outcome").textContent()).toBe("7 photos are queued again.");
    await expect.poll(async () => (await jobOf())?.status, { timeout: 120_000, interval: 1000 }).toBe("completed");

    // Both changes are in the audit log, with who made them.
    await page.getByTestId("admin-tab-audit").click();
    const rows = page.getByTestId("admin-audit-row");
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(new RegExp(`Telegram ${operatorTelegramId}.*Retry failed photos.*job ${jobId}`));
    expect(await rows.nth(1).textContent()).toMatch(new RegExp(`Telegram ${operatorTelegramId}.*Refund.*payment ${standard}.*refundingAmount: 0\\.00 → 133\\.20`));
    await page.setViewportSize(phone);
    expect(await lowContrastTexts(page)).toEqual([]);
    await context.close();
  });

  it("shows an ordinary user who opens /admin nothing but the app's 'no such page', and no admin data reaches them", async () => {
    const context = await e2e.browser.newContext({ viewport: phone, locale: "en-US" });
    await context.addInitScript(() => localStorage.setItem("pinglass.onboarded", "1"));
    const page = await context.newPage();
    const adminAnswers: Response[] = [];
    page.on("response", (response) => {
      if (new URL(response.url()).pathname.startsWith("/trpc/admin.")) adminAnswers.push(response);
    });
    await page.goto(`${e2e.server.url}/admin/payments`);
    await page.getByTestId("not-found").waitFor();
    expect(await page.getByRole("heading", { name: "No such page" }).count()).toBe(1);
    expect(await page.getByTestId("admin-console").count()).toBe(0);
    expect(await page.locator("body").textContent()).not.toMatch(/console|Payment|Refund/i);
    expect(adminAnswers.length).toBeGreaterThan(0);
    expect(adminAnswers.map((answer) => answer.status())).toEqual(adminAnswers.map(() => 403));

    // A Telegram user who is not in ADMIN_TELEGRAM_IDS is no operator either.
    const stranger = await miniApp(999_001);
    const strangerPage = await stranger.newPage();
    await strangerPage.goto(`${e2e.server.url}/admin`);
    await strangerPage.getByTestId("not-found").waitFor();
    expect(await strangerPage.getByTestId("admin-console").count()).toBe(0);
    await stranger.close();
    await context.close();
  });
});
