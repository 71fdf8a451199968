import { sleep } from "@pinglass/core";
import { type BankClient, BankError, type CancelRequest, type CancelResult, type InitRequest, type InitResult, type PaymentState } from "./bank.ts";
import { signed } from "./token.ts";

export const tbankProductionUrl = "https://securepay.tinkoff.ru/v2";

export interface TbankClientOptions {
  terminalKey: string;
  password: string;
  /** The API base, without the method name; T-Bank's production v2 by default. */
  baseUrl?: string;
  /** Per attempt. */
  timeoutMs?: number;
  /** Extra attempts for the calls that are safe to repeat. */
  retries?: number;
  retryDelayMs?: number;
}

/** An amount field of an answer, or undefined when the bank did not send it. */
const kopecksOrUndefined = (value: unknown): number | undefined => (value === undefined || value === null || value === "" ? undefined : Number(value));

type Retry = "never-reached-the-bank" | "any-transient";

const connectionNeverMade = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * The real T-Bank client: JSON POSTs to `<base>/<Method>` signed with the terminal password.
 *
 * Retries follow what repeating a call means at the bank. GetState only reads. Cancel carries our
 * ExternalRequestId, and the bank answers a repeated one with the current state instead of
 * refunding again. Init is repeated only when the connection was never made: an Init that may
 * have reached the bank is not sent again, because a second Init for one OrderId is refused or
 * creates a second session depending on the terminal's settings.
 */
export function createTbankClient(options: TbankClientOptions): BankClient {
  const baseUrl = (options.baseUrl ?? tbankProductionUrl).replace(/\/$/, "");
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 300;
  const credentials = { terminalKey: options.terminalKey, password: options.password };

  async function attempt(method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(signed({ TerminalKey: credentials.terminalKey, ...body }, credentials.password)),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code ?? "";
      const timedOut = (error as Error).name === "TimeoutError";
      throw Object.assign(new BankError("unavailable", timedOut ? "timeout" : code || "network", timedOut ? `no answer in ${timeoutMs} ms` : (error as Error).message), {
        neverReachedTheBank: connectionNeverMade.has(code),
      });
    }
    const text = await response.text().catch(() => "");
    if (response.status >= 500 || response.status === 429) throw new BankError("unavailable", `http-${response.status}`, text.slice(0, 200));
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new BankError("unavailable", `http-${response.status}`, "the answer is not JSON");
    }
    if (json.Success !== true) {
      throw new BankError("refused", String(json.ErrorCode ?? `http-${response.status}`), String(json.Message ?? ""), String(json.Details ?? ""));
    }
    return json;
  }

  async function call(method: string, body: Record<string, unknown>, retry: Retry): Promise<Record<string, unknown>> {
    for (let attemptNo = 0; ; attemptNo++) {
      try {
        return await attempt(method, body);
      } catch (error) {
        const repeatable =
          error instanceof BankError &&
          error.kind === "unavailable" &&
          (retry === "any-transient" || (error as BankError & { neverReachedTheBank?: boolean }).neverReachedTheBank === true);
        if (!repeatable || attemptNo >= retries) throw error;
        await sleep(retryDelayMs * 2 ** attemptNo);
      }
    }
  }

  return {
    provider: "tbank",
    credentials,
    async init(request: InitRequest): Promise<InitResult> {
      const json = await call("Init", { ...request }, "never-reached-the-bank");
      if (typeof json.PaymentURL !== "string" || json.PaymentId === undefined) throw new BankError("unavailable", "bad-answer", "Init answered without PaymentId or PaymentURL");
      return { paymentId: String(json.PaymentId), paymentUrl: json.PaymentURL, status: String(json.Status ?? "NEW") };
    },
    async getState(paymentId: string): Promise<PaymentState> {
      const json = await call("GetState", { PaymentId: paymentId }, "any-transient");
      return { paymentId: String(json.PaymentId), orderId: String(json.OrderId ?? ""), status: String(json.Status), amount: Number(json.Amount) };
    },
    async cancel(request: CancelRequest): Promise<CancelResult> {
      const json = await call(
        "Cancel",
        { PaymentId: request.paymentId, Amount: request.amount, Receipt: request.receipt, ExternalRequestId: request.externalRequestId },
        "any-transient",
      );
      return { status: String(json.Status), originalAmount: kopecksOrUndefined(json.OriginalAmount), newAmount: kopecksOrUndefined(json.NewAmount) };
    },
  };
}
