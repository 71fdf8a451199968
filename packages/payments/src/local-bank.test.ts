import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { manualClock } from "@pinglass/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bankDueDate, paymentSessionLifetimeMs } from "./bank.ts";
import { createLocalTestBank, localTestCredentials } from "./local-bank.ts";
import { hasValidToken } from "./token.ts";

/** A stand-in for the app's POST /webhooks/tbank that answers what the test says. */
let app: Server;
let appUrl: string;
let answer = { status: 200, body: "OK" };
const received: { path: string; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  app = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ path: req.url ?? "", body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> });
    res.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.body);
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});
afterAll(async () => {
  app.closeAllConnections();
  await new Promise((resolve) => app.close(resolve));
});
beforeEach(() => {
  received.length = 0;
  answer = { status: 200, body: "OK" };
});

const init = (orderId: string, due = new Date(Date.now() + paymentSessionLifetimeMs)) => ({
  Amount: 49_900,
  OrderId: orderId,
  Description: "PinGlass",
  PayType: "O" as const,
  SuccessURL: `${appUrl}/ok`,
  FailURL: `${appUrl}/fail`,
  NotificationURL: `${appUrl}/webhooks/tbank`,
  RedirectDueDate: bankDueDate(due),
  Receipt: { Email: "a@b.ru", Taxation: "usn_income" as const, Items: [{ Name: "x", Price: 49_900, Quantity: 1, Amount: 49_900, Tax: "none" as const, PaymentObject: "service" as const, PaymentMethod: "full_payment" as const }] },
});

describe("the local test bank", () => {
  it("POSTs its signed notifications to NotificationURL over HTTP, as T-Bank does", async () => {
    const problems: unknown[] = [];
    const bank = createLocalTestBank({ publicUrl: appUrl, onUndelivered: (problem) => problems.push(problem) });
    const { paymentId } = await bank.init(init("order-pay"));
    expect(await bank.complete(paymentId, "pay")).toEqual({ redirectUrl: `${appUrl}/ok` });
    expect(received.map((r) => [r.path, r.body.Status])).toEqual([
      ["/webhooks/tbank", "AUTHORIZED"],
      ["/webhooks/tbank", "CONFIRMED"],
    ]);
    for (const { body } of received) expect(hasValidToken(body, localTestCredentials.password)).toBe(true);
    expect(received[1]!.body).toMatchObject({ TerminalKey: localTestCredentials.terminalKey, OrderId: "order-pay", PaymentId: Number(paymentId), Amount: 49_900, Success: true });
    expect(problems).toEqual([]);
  });

  it("reports every answer other than 200 OK, and keeps its word for GetState", async () => {
    const problems: { paymentId: string; status: string; error: unknown }[] = [];
    const bank = createLocalTestBank({ publicUrl: appUrl, onUndelivered: (problem) => problems.push(problem) });
    const declined = await bank.init(init("order-decline"));
    answer = { status: 409, body: "amount mismatch" };
    expect(await bank.complete(declined.paymentId, "decline")).toEqual({ redirectUrl: `${appUrl}/fail` });
    const paid = await bank.init(init("order-not-ok"));
    answer = { status: 200, body: "not OK" };
    await bank.complete(paid.paymentId, "pay");

    expect(problems.map((p) => [p.paymentId, p.status, String(p.error)])).toEqual([
      [declined.paymentId, "REJECTED", expect.stringContaining("answered 409 amount mismatch")],
      [paid.paymentId, "AUTHORIZED", expect.stringContaining("answered 200 not OK")],
      [paid.paymentId, "CONFIRMED", expect.stringContaining("answered 200 not OK")],
    ]);
    expect(await bank.getState(declined.paymentId)).toMatchObject({ status: "REJECTED", orderId: "order-decline", amount: 49_900 });
    expect(await bank.getState(paid.paymentId)).toMatchObject({ status: "CONFIRMED" });
  });

  it("opens a checkout only with the token of that payment's PaymentURL, until Init's RedirectDueDate", async () => {
    const clock = manualClock();
    const bank = createLocalTestBank({ publicUrl: appUrl, clock });
    const due = new Date(clock.now().getTime() + paymentSessionLifetimeMs);
    const mine = await bank.init(init("order-mine", due));
    const theirs = await bank.init(init("order-theirs", due));
    expect(Number(theirs.paymentId)).toBe(Number(mine.paymentId) + 1);
    const tokenOf = ({ paymentId, paymentUrl }: { paymentId: string; paymentUrl: string }) => {
      expect(paymentUrl).toMatch(new RegExp(`^${appUrl}/checkout/test/${paymentId}/\\d+\\.[\\w-]{43}$`));
      return paymentUrl.slice(paymentUrl.lastIndexOf("/") + 1);
    };
    const token = tokenOf(mine);
    expect(bank.checkout(mine.paymentId, token)).toMatchObject({ orderId: "order-mine" });

    const [expiry, signature] = token.split(".") as [string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === "A" ? "B" : "A"}${signature.slice(11)}`;
    for (const [paymentId, forged] of [
      [mine.paymentId, ""],
      [mine.paymentId, tokenOf(theirs)],
      [theirs.paymentId, token],
      [mine.paymentId, `${expiry}.${flipped}`],
      [mine.paymentId, `${Number(expiry) + 86_400}.${signature}`],
      [mine.paymentId, signature],
      [mine.paymentId, `${token}x`],
    ] as const) {
      expect(bank.checkout(paymentId, forged)).toBeUndefined();
    }

    clock.advance(paymentSessionLifetimeMs - 1000);
    expect(bank.checkout(mine.paymentId, token)).toBeDefined();
    clock.advance(1000);
    expect(bank.checkout(mine.paymentId, token)).toBeUndefined();
  });
});
