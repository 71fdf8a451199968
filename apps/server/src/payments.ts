import type { AddressInfo } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiDeps } from "@pinglass/api";
import { type Clock, pickLocale } from "@pinglass/core";
import {
  type BankClient,
  createLocalTestBank,
  createTbankClient,
  handleTbankNotification,
  type LocalTestBank,
  postNotification,
  sweepPendingPayments,
  sweepRefunds,
} from "@pinglass/payments";
import type { Logger } from "pino";
import type { Area } from "./area.ts";
import type { BackgroundLoop } from "./background.ts";
import type { Config } from "./config.ts";
import { requestIdFor, requestLogger } from "./http/request-id.ts";
import { readJson, type Route, sendText } from "./http/router.ts";
import { cspNonce } from "./http/security-headers.ts";
import { type CheckoutLanguage, renderTestCheckout } from "./http/test-checkout.ts";

/** Where T-Bank (and the local test bank) POST their notifications. */
export const tbankWebhookPath = "/webhooks/tbank";

/** The origin to reach a server listening on `address` from the same machine. */
function loopbackOrigin(address: AddressInfo): string {
  const host = address.address === "0.0.0.0" ? "127.0.0.1" : address.address === "::" ? "::1" : address.address;
  return `http://${address.family === "IPv6" || host.includes(":") ? `[${host}]` : host}:${address.port}`;
}

/**
 * The payments area. Its bank is T-Bank with credentials, else the local test checkout; `listening`
 * tells the server's address to the latter (see localCheckoutBank).
 */
export function paymentsArea(
  config: Pick<Config, "tbank" | "publicUrl" | "nodeEnv">,
  logger: Logger,
  clock: Clock,
): Area & { bank: BankClient; listening(address: AddressInfo | string | null): void } {
  if (config.tbank) {
    const bank = createTbankClient({ terminalKey: config.tbank.terminalKey, password: config.tbank.password, baseUrl: config.tbank.apiUrl });
    logger.info({ api: config.tbank.apiUrl }, "payments: T-Bank");
    return { bank, listening: () => undefined, parts: (deps) => ({ routes: paymentRoutes(deps, logger, null), loops: paymentLoops(deps, logger) }) };
  }
  // Its notifications come over HTTP to our own POST /webhooks/tbank, like the bank's.
  const { bank, listening } = localCheckoutBank(config.publicUrl, logger, clock);
  if (config.nodeEnv === "production") {
    logger.warn("payments: PAYMENTS_TEST_CHECKOUT=true in production: the local TEST checkout takes the place of the bank, anyone can \"pay\" without money");
  } else {
    logger.warn("payments: no TBANK_TERMINAL_KEY/TBANK_PASSWORD, using the local TEST checkout (no money is charged)");
  }
  return { bank, listening, parts: (deps) => ({ routes: paymentRoutes(deps, logger, bank), loops: paymentLoops(deps, logger) }) };
}

/**
 * The embedded default's bank (no T-Bank credentials). Its Pay and Decline send the signed
 * notification over HTTP to this server's own POST /webhooks/tbank, exactly as T-Bank would, so
 * it passes the same parsing, verification and answer. It goes to the address the server listens
 * on (known once `listening` is called; the NotificationURL's PUBLIC_URL until then), because the
 * public URL may not be reachable from inside (a proxy, a container, PORT=0). An answer other than
 * 200 "OK" is logged as an error; the test bank keeps its word, and GetState settles the payment.
 */
function localCheckoutBank(publicUrl: string, logger: Logger, clock: Clock): { bank: LocalTestBank; listening(address: AddressInfo | string | null): void } {
  let origin: string | null = null;
  const bank = createLocalTestBank({
    publicUrl,
    clock,
    deliver: (notification, notificationUrl) => postNotification(origin ? `${origin}${tbankWebhookPath}` : notificationUrl, notification),
    onUndelivered: ({ paymentId, orderId, status, error }) =>
      logger.error({ paymentId, orderId, bankStatus: status, err: error }, "test checkout: POST /webhooks/tbank did not answer 200 OK; the payment waits for GetState"),
  });
  return {
    bank,
    listening(address) {
      if (address && typeof address === "object") origin = loopbackOrigin(address);
    },
  };
}

/**
 * The payments area's HTTP surface: T-Bank notifications, and — only with the local test bank —
 * the test checkout page. Thin: parsing and answering here, every decision in @pinglass/payments.
 */
function paymentRoutes(deps: ApiDeps, logger: Logger, localBank: LocalTestBank | null): Route[] {
  const routes: Route[] = [
    {
      method: "POST",
      path: tbankWebhookPath,
      handler: async (req, res) => {
        let body: unknown;
        try {
          body = await readJson(req, 64 * 1024);
        } catch (error) {
          return sendText(res, (error as { status?: number }).status ?? 400, "bad request");
        }
        const answer = await handleTbankNotification(deps, body, requestIdFor(req));
        if (answer.httpStatus !== 200) requestLogger(logger, req).warn({ status: answer.httpStatus, reason: answer.body }, "T-Bank notification refused");
        sendText(res, answer.httpStatus, answer.body);
      },
    },
  ];
  if (!localBank) return routes;

  const sendPage = (req: IncomingMessage, res: ServerResponse, url: URL, checkout: Parameters<typeof renderTestCheckout>[0]) => {
    const asked = url.searchParams.get("lang");
    const lang: CheckoutLanguage = asked === "ru" || asked === "en" ? asked : pickLocale(req.headers["accept-language"]);
    const html = renderTestCheckout(checkout, lang, cspNonce(req));
    res.writeHead(checkout ? 200 : 404, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-length": Buffer.byteLength(html) });
    res.end(html);
  };
  // The page is /checkout/test/<paymentId>/<token>, as the bank's PaymentURL gives it; a wrong,
  // expired or missing token gets the same 404 as an unknown payment, so nothing is learned.
  routes.push(
    {
      method: "GET",
      path: "/checkout/test/",
      handler: (req, res, url) => {
        const match = /^\/checkout\/test\/(\d{1,20})\/([^/]+)$/.exec(url.pathname);
        const session = match ? localBank.checkout(match[1]!, match[2]!) : undefined;
        sendPage(req, res, url, session ? { session, path: url.pathname } : undefined);
      },
    },
    {
      method: "POST",
      path: "/checkout/test/",
      handler: async (req, res, url) => {
        const match = /^\/checkout\/test\/(\d{1,20})\/([^/]+)\/(pay|decline)$/.exec(url.pathname);
        if (!match || !localBank.checkout(match[1]!, match[2]!)) return sendPage(req, res, url, undefined);
        const { redirectUrl } = await localBank.complete(match[1]!, match[3] as "pay" | "decline");
        res.writeHead(303, { location: redirectUrl, "content-length": 0 });
        res.end();
      },
    },
  );
  return routes;
}

/** Lost notifications and pending refunds are handled by these, in-process or in the worker. */
function paymentLoops(deps: ApiDeps, logger: Logger): BackgroundLoop[] {
  return [
    {
      name: "payments.reconcile",
      intervalMs: 30_000,
      async tick() {
        const changed = await sweepPendingPayments(deps);
        if (changed > 0) logger.info({ changed }, "payments: states recovered with GetState");
      },
    },
    {
      name: "payments.refunds",
      intervalMs: 30_000,
      async tick() {
        const refunded = await sweepRefunds(deps);
        if (refunded > 0) logger.info({ refunded }, "payments: refunds returned");
      },
    },
  ];
}
