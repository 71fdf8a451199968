import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { BankError } from "./bank.ts";
import { createTbankClient } from "./tbank-client.ts";
import { startFakeTbank } from "./testing/fake-tbank.ts";

const terminal = { terminalKey: "ClientTerminal", password: "client-password" };
const init = {
  Amount: 49_900,
  OrderId: "order-1",
  Description: "PinGlass",
  PayType: "O" as const,
  SuccessURL: "http://app/ok",
  FailURL: "http://app/fail",
  NotificationURL: "http://app/webhooks/tbank",
  RedirectDueDate: "2026-11-26T10:00:00+00:00",
  Receipt: { Email: "a@b.ru", Taxation: "usn_income" as const, Items: [{ Name: "x", Price: 49_900, Quantity: 1, Amount: 49_900, Tax: "none" as const, PaymentObject: "service" as const, PaymentMethod: "full_payment" as const }] },
};

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("the T-Bank client", () => {
  it("repeats Init when the connection was never made, so the bank saw it once", async () => {
    const port = await freePort();
    const client = createTbankClient({ ...terminal, baseUrl: `http://127.0.0.1:${port}/v2`, retries: 3, retryDelayMs: 300 });
    const pending = client.init(init);
    // The first attempt is refused at once; the bank comes up before the retry.
    const fake = await startFakeTbank({ ...terminal, port });
    try {
      await expect(pending).resolves.toMatchObject({ status: "NEW", paymentUrl: expect.stringContaining("/new/") });
      expect(fake.calls.filter((c) => c.method === "Init")).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });

  it("reports an unreachable bank as unavailable after its retries", async () => {
    const client = createTbankClient({ ...terminal, baseUrl: `http://127.0.0.1:${await freePort()}/v2`, retries: 1, retryDelayMs: 5 });
    const error = await client.getState("1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BankError);
    expect(error).toMatchObject({ kind: "unavailable", errorCode: "ECONNREFUSED" });
  });

  it("turns ErrorCode answers into refusals with the bank's message and details, and retries GetState through 5xx", async () => {
    const fake = await startFakeTbank(terminal);
    try {
      const client = createTbankClient({ ...terminal, baseUrl: fake.baseUrl, retries: 2, retryDelayMs: 5 });
      fake.failNext("Init", { kind: "error", errorCode: "1126", message: "Несопоставимые значения.", details: "Проверьте OperationInitiatorType." });
      await expect(client.init(init)).rejects.toMatchObject({ kind: "refused", errorCode: "1126", reason: "Несопоставимые значения. Проверьте OperationInitiatorType." });
      const { paymentId } = await client.init(init);
      fake.failNext("GetState", { kind: "http", status: 503 }, { kind: "http", status: 502 });
      const before = fake.calls.length;
      await expect(client.getState(paymentId)).resolves.toEqual({ paymentId, orderId: "order-1", status: "NEW", amount: 49_900 });
      expect(fake.calls.length - before).toBe(3);
      await expect(client.getState("404")).rejects.toMatchObject({ kind: "refused", errorCode: "7" });
      // An unpaid session is canceled whole; a canceled one cannot be canceled again.
      await expect(client.cancel({ paymentId, amount: 49_900, externalRequestId: "r-1" })).resolves.toMatchObject({ status: "CANCELED" });
      await expect(client.cancel({ paymentId, amount: 100, receipt: init.Receipt, externalRequestId: "r-2" })).rejects.toMatchObject({ kind: "refused", errorCode: "8" });
    } finally {
      await fake.close();
    }
  });
});
