import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { MediaStorage } from "@pinglass/media";
import helmet from "helmet";

export interface HtmlSecurityOptions {
  /** PUBLIC_URL is https: browsers are told to stay on https (HSTS) and to upgrade http subresources. */
  https: boolean;
  /**
   * Where the app's own absolute links point besides the page's origin: PUBLIC_URL (media links,
   * the bank's return URL) and the media storage (S3/R2 signed links), when they differ from it.
   */
  origins?: string[];
}

/**
 * The origins the app's absolute links point to: PUBLIC_URL (the bank's return URL, local media
 * links) and wherever the media storage's signed links go (an S3/R2 host), found by signing one.
 */
export async function linkOrigins(publicUrl: string, storage: MediaStorage): Promise<string[]> {
  const media = new URL(await storage.signedUrl("csp-probe.jpg", { ttlSeconds: 60 })).origin;
  return [...new Set([new URL(publicUrl).origin, media])];
}

/** Telegram's web clients, the only pages allowed to frame the Mini App. */
export const telegramWebClients = ["https://web.telegram.org", "https://*.web.telegram.org", "https://webk.telegram.org", "https://webz.telegram.org"];

const nonces = new WeakMap<IncomingMessage, string>();

/** The CSP nonce of this request's HTML answer, for the inline <script> of a server-rendered page. */
export function cspNonce(req: IncomingMessage): string {
  let nonce = nonces.get(req);
  if (!nonce) {
    nonce = randomBytes(16).toString("base64");
    nonces.set(req, nonce);
  }
  return nonce;
}

/**
 * Security headers for every HTML answer, whoever writes it (the web app, the test checkout): a
 * hook on writeHead looks at the answer's Content-Type, so JSON, SSE, media and ZIP answers are
 * left as they are (media keep their own `no-referrer` and `default-src 'none'`). A header the
 * handler set itself wins over ours.
 *
 * The policy allows what the app loads: its own scripts, styles, images, /trpc and SSE; Telegram's
 * scripts (telegram-web-app.js, the Login Widget) and the widget's iframe; blob:/data: images
 * (upload previews); and the origins of its absolute links (media, PUBLIC_URL). Inline styles are
 * allowed because telegram-web-app.js writes Telegram Web's custom style into a <style> element;
 * inline scripts only with this answer's nonce. Only Telegram's web clients may frame it.
 */
export function htmlSecurityHeaders(options: HtmlSecurityOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const origins = [...new Set(options.origins ?? [])];
  const secure = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'", "https://telegram.org", (req) => `'nonce-${cspNonce(req)}'`],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "blob:", ...origins],
        connectSrc: ["'self'", ...origins],
        fontSrc: ["'self'", "data:"],
        frameSrc: ["https://oauth.telegram.org"],
        formAction: ["'self'", ...origins],
        frameAncestors: telegramWebClients,
        ...(options.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // Telegram's Login Widget signs in through a popup that reports back to its opener.
    crossOriginOpenerPolicy: { policy: "same-origin-allow-popups" },
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    strictTransportSecurity: options.https,
    // frame-ancestors says who may frame us; X-Frame-Options cannot name Telegram.
    xFrameOptions: false,
  });
  const fail = (error?: unknown) => {
    if (error) throw error;
  };

  return (req, res) => {
    const writeHead = res.writeHead;
    let seen = false;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      if (!seen) {
        seen = true;
        if (/^text\/html\b/i.test(declaredContentType(this, args))) {
          const own = this.getHeaders();
          secure(req, this, fail);
          for (const [name, value] of Object.entries(own)) if (value !== undefined) this.setHeader(name, value);
        }
      }
      return writeHead.apply(this, args as Parameters<ServerResponse["writeHead"]>);
    } as ServerResponse["writeHead"];
  };
}

/** The Content-Type passed to writeHead (an object or a flat [name, value, …] list), else the one set before. */
function declaredContentType(res: ServerResponse, args: unknown[]): string {
  const headers = args.slice(1).find((arg) => typeof arg === "object" && arg !== null);
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === "content-type") return String(headers[i + 1]);
  } else if (headers) {
    for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === "content-type") return String(value);
  }
  return String(res.getHeader("content-type") ?? "");
}
