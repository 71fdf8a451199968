import type { AddressInfo } from "node:net";
import type { AppRouter } from "@pinglass/api";
import { createTestApi } from "@pinglass/api/testing";
import { Writable } from "node:stream";
import { paymentEvents, payments } from "@pinglass/db";
import { type LocalTestBank, paymentSessionLifetimeMs } from "@pinglass/payments";
import { type FakeTbank, startFakeTbank } from "@pinglass/payments/testing";
import { createTRPCClient, httpLink } from "@trpc/client";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { eq } from "drizzle-orm";
import { maskEmail } from "./http/test-checkout.ts";
import { paymentsArea } from "./payments.ts";
import { testConfig } from "./testing.ts";

const logger = pino({ level: "silent" });
/** What the local server logged, one parsed pino line each. */
const logged: { level: number; msg: string; err?: { message: string } }[] = [];
const localLogger = pino({ level: "info" }, new Writable({ write: (line, _encoding, done) => done(void logged.push(JSON.parse(String(line)))) }));
/** The paths of the requests the local server received. */
const received: string[] = [];
let api: Awaited<ReturnType<typeof createTestApi>>;
let fake: FakeTbank;
/** The embedded default: the local test bank and its checkout. */
let local: { server: ReturnType<typeof createApp>; base: string };
let localBank: LocalTestBank;
/** Real credentials (the fake T-Bank): no test checkout. */
let real: { server: ReturnType<typeof createApp>; base: string };

async function listen(server: ReturnType<typeof createApp>) {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  api = await createTestApi();
  fake = await startFakeTbank({ terminalKey: "RealTerminal", password: "real-password" });
  // As parts.ts builds it: the test bank notifies the server it runs in, over HTTP.
  const checkout = paymentsArea(testConfig, localLogger, api.clock);
  // Without T-Bank credentials the area's bank is the local test bank.
  localBank = checkout.bank as LocalTestBank;
  const localDeps = { ...api.deps, bank: checkout.bank };
  local = await listen(createApp({ deps: localDeps, logger: localLogger, routes: checkout.parts(localDeps).routes }));
  checkout.listening(local.server.address());
  local.server.on("request", (req) => received.push(`${req.method} ${req.url}`));
  const tbank = paymentsArea({ ...testConfig, tbank: { terminalKey: "RealTerminal", password: "real-password", apiUrl: fake.baseUrl } }, logger, api.clock);
  const realDeps = { ...api.deps, bank: tbank.bank };
  real = await listen(createApp({ deps: realDeps, logger, routes: tbank.parts(realDeps).routes }));
  realDeps.payments = { ...realDeps.payments, publicUrl: real.base };
});
afterAll(async () => {
  for (const { server } of [local, real]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await fake.close();
  await api.testDb.close();
});
beforeEach(async () => {
  await api.testDb.reset();
  logged.length = 0;
  received.length = 0;
});

/** A card payment's answer (payments.create answers Stars with an invoice link instead). */
function card<T extends { method: string }>(created: T): Extract<T, { method: "card" }> {
  if (created.method !== "card") throw new Error(`expected a card payment, got ${created.method}`);
  return created as Extract<T, { method: "card" }>;
}

const client = (base: string, token: string) =>
  createTRPCClient<AppRouter>({ links: [httpLink({ url: `${base}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) })] });

describe("the local test checkout (no T-Bank credentials)", () => {
  it("shows a bank-like form that says it is a test, and Pay sends the signed notification and returns to the app", async () => {
    const { token } = await api.signIn();
    const trpc = client(local.base, token);
    const created = card(await trpc.payments.create.mutate({ tierId: "standard", email: "buyer@example.com" }));
    const path = new URL(created.paymentUrl).pathname;
    expect(path).toMatch(/^\/checkout\/test\/\d+\/\d+\.[\w-]{43}$/);

    const page = await fetch(`${local.base}${path}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    for (const text of ["ТЕСТОВАЯ ОПЛАТА", "TEST PAYMENT", "Деньги не списываются", "No money is charged", "Оплатить", "Отклонить", "bu***@example.com", `"${path}/pay"`, `"${path}/decline"`, '<link rel="icon" href="/favicon.svg" type="image/svg+xml">'])
      expect(html).toContain(text);
    // Even the buyer's own link shows the receipt address masked.
    expect(html).not.toContain("buyer@");
    expect(html).toMatch(/999\s₽/);

    const paid = await fetch(`${local.base}${path}/pay`, { method: "POST", redirect: "manual" });
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(`http://pinglass.test/payment/return?paymentId=${created.paymentId}&result=success`);
    // AUTHORIZED then CONFIRMED came over HTTP to the webhook, were verified and recorded (payments.list never asks the bank).
    expect(received.filter((r) => r === "POST /webhooks/tbank")).toHaveLength(2);
    expect((await api.testDb.db.select().from(paymentEvents).where(eq(paymentEvents.paymentId, created.paymentId))).map((e) => [e.bankStatus, e.dedupeKey.split(":")[0]])).toEqual([
      ["AUTHORIZED", "notification"],
      ["CONFIRMED", "notification"],
    ]);
    expect(await trpc.payments.list.query()).toMatchObject([{ paymentId: created.paymentId, status: "succeeded" }]);
    expect(await trpc.payments.status.query({ paymentId: created.paymentId })).toMatchObject({ status: "succeeded" });
    expect(logged.filter((l) => l.level >= 50)).toEqual([]);
    expect((await trpc.session.me.query()).paidPhotosets).toEqual([{ paymentId: created.paymentId, tierId: "standard", photoCount: 15 }]);
    // Pressing again changes nothing and just goes back.
    expect((await fetch(`${local.base}${path}/pay`, { method: "POST", redirect: "manual" })).status).toBe(303);
    expect(await (await fetch(`${local.base}${path}`)).text()).toMatch(/<html lang="ru">.*>Оплачено<.*>Paid</s);
    // The page opens in the buyer's language: the app's ?lang= first, then the browser's.
    expect(await (await fetch(`${local.base}${path}`, { headers: { "accept-language": "en-GB,en;q=0.9" } })).text()).toContain('<html lang="en">');
    expect(await (await fetch(`${local.base}${path}?lang=ru`, { headers: { "accept-language": "en" } })).text()).toContain('<html lang="ru">');
  });

  it("Decline returns to the fail URL and cancels the payment; unknown sessions are 404", async () => {
    const { token } = await api.signIn();
    const trpc = client(local.base, token);
    const created = card(await trpc.payments.create.mutate({ tierId: "starter", email: "a@b.ru" }));
    const path = new URL(created.paymentUrl).pathname;
    const declined = await fetch(`${local.base}${path}/decline`, { method: "POST", redirect: "manual" });
    expect(declined.headers.get("location")).toContain("result=fail");
    expect(received.filter((r) => r === "POST /webhooks/tbank")).toHaveLength(1);
    expect(await trpc.payments.list.query()).toMatchObject([{ paymentId: created.paymentId, status: "canceled" }]);
    expect((await fetch(`${local.base}/checkout/test/123`)).status).toBe(404);
    expect((await fetch(`${local.base}/checkout/test/123/pay`, { method: "POST" })).status).toBe(404);
  });
});

describe("the local test checkout is the buyer's alone", () => {
  it("refuses a guessed id, another payment's token, a tampered or expired token with the same page that reveals nothing, and changes nothing", async () => {
    const buyer = client(local.base, (await api.signIn()).token);
    const other = client(local.base, (await api.signIn()).token);
    const mine = card(await buyer.payments.create.mutate({ tierId: "standard", email: "ivan.petrov@mail.ru" }));
    const theirs = card(await other.payments.create.mutate({ tierId: "starter", email: "someone@example.com" }));
    const [, id, expiry, signature] = /^\/checkout\/test\/(\d+)\/(\d+)\.([\w-]+)$/.exec(new URL(mine.paymentUrl).pathname)!;
    const theirToken = new URL(theirs.paymentUrl).pathname.split("/").pop()!;
    // Payment ids are sequential: the neighbour's id is one guess away.
    expect(new URL(theirs.paymentUrl).pathname).toContain(`/checkout/test/${Number(id) + 1}/`);
    const flipped = `${signature!.slice(0, 5)}${signature![5] === "A" ? "B" : "A"}${signature!.slice(6)}`;
    const refusedPaths = [
      `/checkout/test/${id}`,
      `/checkout/test/${id}/${theirToken}`,
      `/checkout/test/${id}/${expiry}.${flipped}`,
      `/checkout/test/${id}/${Number(expiry) + 3600}.${signature}`,
      `/checkout/test/${id}/${expiry}`,
    ];
    const expectRefused = async (path: string) => {
      const page = await fetch(`${local.base}${path}`);
      const pressed = await fetch(`${local.base}${path}/pay`, { method: "POST", redirect: "manual" });
      const declined = await fetch(`${local.base}${path}/decline`, { method: "POST", redirect: "manual" });
      for (const answer of [page, pressed, declined]) {
        expect(answer.status, path).toBe(404);
        const html = await answer.text();
        expect(html).toContain("Платёж не найден");
        for (const secret of ["ivan", "iv***", "mail.ru", "999", "₽", "/pay", "/decline"]) expect(html, `${path} shows ${secret}`).not.toContain(secret);
      }
    };
    for (const path of refusedPaths) await expectRefused(path);
    // The token is for one payment: the neighbour's page does not open with it either.
    await expectRefused(`/checkout/test/${Number(id) + 1}/${expiry}.${signature}`);

    // The link lives as long as the payment can be paid; then even its owner gets nothing.
    const ownersPath = new URL(mine.paymentUrl).pathname;
    expect(await (await fetch(`${local.base}${ownersPath}`)).text()).toContain("iv***@mail.ru");
    api.clock.advance(paymentSessionLifetimeMs);
    await expectRefused(ownersPath);

    expect(received.filter((r) => r === "POST /webhooks/tbank")).toEqual([]);
    expect((await api.testDb.db.select().from(payments)).map((p) => p.status)).toEqual(["pending", "pending"]);
    expect([id!, String(Number(id) + 1)].map((paymentId) => localBank.session(paymentId)?.status)).toEqual(["NEW", "NEW"]);
  });

  it("masks the receipt address: its owner recognises it, nobody else learns it", () => {
    expect(maskEmail("ivan@mail.ru")).toBe("iv***@mail.ru");
    expect(maskEmail("ab@x.ru")).toBe("a***@x.ru");
    expect(maskEmail("a@b.ru")).toBe("***@b.ru");
  });
});

describe("the local test checkout when /webhooks/tbank does not answer OK", () => {
  it("logs the answer as an error, still sends the buyer back, and leaves the payment to GetState", async () => {
    const { token } = await api.signIn();
    const trpc = client(local.base, token);
    const created = card(await trpc.payments.create.mutate({ tierId: "starter", email: "a@b.ru" }));
    // Our row no longer matches what the bank was asked for: the webhook refuses with 409.
    await api.testDb.db.update(payments).set({ amount: "1.00" }).where(eq(payments.id, created.paymentId));
    const paid = await fetch(`${local.base}${new URL(created.paymentUrl).pathname}/pay`, { method: "POST", redirect: "manual" });
    expect(paid.status).toBe(303);
    expect(received.filter((r) => r === "POST /webhooks/tbank")).toHaveLength(2);
    const errors = logged.filter((l) => l.level >= 50);
    expect(errors.map((l) => l.msg)).toEqual([expect.stringContaining("did not answer 200 OK"), expect.stringContaining("did not answer 200 OK")]);
    expect(errors[0]!.err!.message).toContain("answered 409 amount mismatch");
    expect((await api.testDb.db.select().from(payments).where(eq(payments.id, created.paymentId)))[0]).toMatchObject({ status: "pending" });
  });
});

describe("POST /webhooks/tbank with T-Bank credentials", () => {
  it("has no test checkout, takes the bank's notifications over HTTP and answers OK", async () => {
    expect((await fetch(`${real.base}/checkout/test/1`)).status).toBe(404);
    const { token } = await api.signIn();
    const trpc = client(real.base, token);
    const created = card(await trpc.payments.create.mutate({ tierId: "premium", email: "a@b.ru" }));
    const [row] = await api.testDb.db.select().from(payments);
    const answers = await fake.buyerPays(row!.tbankPaymentId!);
    expect(answers).toEqual([{ status: 200, text: "OK" }, { status: 200, text: "OK" }]);
    expect(await trpc.payments.status.query({ paymentId: created.paymentId })).toMatchObject({ status: "succeeded" });
  });

  it("refuses forged and malformed notifications with 4xx and changes nothing", async () => {
    const { token } = await api.signIn();
    await client(real.base, token).payments.create.mutate({ tierId: "starter", email: "a@b.ru" });
    const [row] = await api.testDb.db.select().from(payments);
    const forged = { ...fake.notificationFor(row!.tbankPaymentId!, "CONFIRMED"), Token: "f".repeat(64) };
    expect(await fake.send(row!.tbankPaymentId!, forged)).toEqual({ status: 403, text: "bad token" });
    const notJson = await fetch(`${real.base}/webhooks/tbank`, { method: "POST", body: "TerminalKey=x" });
    expect(notJson.status).toBe(400);
    // Signed, but with a NUL character PostgreSQL cannot store: refused as unreadable, never a 500.
    const nul = String.fromCharCode(0);
    expect(await fake.send(row!.tbankPaymentId!, fake.notificationFor(row!.tbankPaymentId!, "REJECTED", { Message: `a${nul}b` }))).toMatchObject({ status: 400 });
    expect(await fake.send(row!.tbankPaymentId!, fake.notificationFor(row!.tbankPaymentId!, "CONFIRMED", { OrderId: `a${nul}b` }))).toMatchObject({ status: 400 });
    // The local test terminal's signature is not T-Bank's.
    expect((await fetch(`${local.base}/webhooks/tbank`, { method: "POST", body: JSON.stringify(fake.notificationFor(row!.tbankPaymentId!, "CONFIRMED")) })).status).toBe(403);
    expect((await api.testDb.db.select().from(payments))[0]).toMatchObject({ status: "pending" });
  });
});

describe("payment configuration", () => {
  it("in production wants T-Bank credentials, or PAYMENTS_TEST_CHECKOUT=true to run the test checkout anyway", () => {
    const production = { NODE_ENV: "production", SESSION_SECRET: "s".repeat(40) };
    expect(() => loadConfig(production)).toThrow(/TBANK_TERMINAL_KEY, TBANK_PASSWORD: are required in production.*PAYMENTS_TEST_CHECKOUT=true/);
    expect(() => loadConfig({ ...production, PAYMENTS_TEST_CHECKOUT: "false" })).toThrow(/TBANK_TERMINAL_KEY, TBANK_PASSWORD: are required in production/);
    expect(() => loadConfig({ ...production, PAYMENTS_TEST_CHECKOUT: "TRUE" })).toThrow(/PAYMENTS_TEST_CHECKOUT: must be true or false/);
    expect(loadConfig({ ...production, PAYMENTS_TEST_CHECKOUT: "true" })).toMatchObject({ tbank: null });
    expect(loadConfig({ ...production, TBANK_TERMINAL_KEY: "T", TBANK_PASSWORD: "p" })).toMatchObject({ tbank: { terminalKey: "T" } });
    // Both missing in production are named together.
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/SESSION_SECRET: is required in production.*\n {2}TBANK_TERMINAL_KEY, TBANK_PASSWORD: are required/);
    expect(() => loadConfig({ TBANK_TERMINAL_KEY: "T", TBANK_PASSWORD: "p", PAYMENTS_TEST_CHECKOUT: "true" })).toThrow(/PAYMENTS_TEST_CHECKOUT: cannot be true with TBANK_TERMINAL_KEY/);
  });

  it("uses the local test checkout without credentials, T-Bank's production API with them, and wants both or neither", () => {
    expect(loadConfig({})).toMatchObject({ tbank: null, receipt: { taxation: "usn_income", vat: "none" } });
    expect(loadConfig({ NODE_ENV: "test" })).toMatchObject({ tbank: null });
    expect(loadConfig({ TBANK_TERMINAL_KEY: "T", TBANK_PASSWORD: "p", TBANK_TAXATION: "osn", TBANK_VAT: "vat20" })).toMatchObject({
      tbank: { terminalKey: "T", password: "p", apiUrl: "https://securepay.tinkoff.ru/v2" },
      receipt: { taxation: "osn", vat: "vat20" },
    });
    expect(() => loadConfig({ TBANK_TERMINAL_KEY: "T" })).toThrow(ConfigError);
    expect(() => loadConfig({ TBANK_TAXATION: "none" })).toThrow(/TBANK_TAXATION/);
  });
});
