import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestApi } from "@pinglass/api/testing";
import { photoJpeg } from "@pinglass/media/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.ts";
import { mediaArea } from "../media.ts";
import { paymentsArea } from "../payments.ts";
import { testConfig } from "../testing.ts";
import type { HtmlSecurityOptions } from "./security-headers.ts";

const logger = pino({ level: "silent" });
let api: Awaited<ReturnType<typeof createTestApi>>;
let dist: string;
const servers: ReturnType<typeof createApp>[] = [];
/** PUBLIC_URL is plain http (as on a laptop) and https (as in production). */
let http: string;
let https: string;

async function start(security: HtmlSecurityOptions) {
  const payments = paymentsArea(testConfig, logger, api.clock);
  const deps = { ...api.deps, bank: payments.bank };
  const routes = [mediaArea(testConfig, logger, api.clock), payments].flatMap((area) => area.parts(deps).routes);
  const server = createApp({ deps, logger, webDist: dist, routes, security });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  payments.listening(server.address());
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), "pinglass-dist-"));
  mkdirSync(join(dist, "assets"));
  writeFileSync(join(dist, "index.html"), `<!doctype html><html><head><script type="module" src="/assets/index-1a2b3c4d.js"></script></head><body></body></html>`);
  writeFileSync(join(dist, "assets/index-1a2b3c4d.js"), "export {};\n");
  api = await createTestApi();
  http = await start({ https: false, origins: ["http://pinglass.test", "https://media.example.r2.cloudflarestorage.com"] });
  https = await start({ https: true, origins: ["https://pinglass.example"] });
});
afterAll(async () => {
  for (const server of servers) {
    // A response body a test did not read keeps its connection busy; close() alone would wait for its timeout.
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await api.testDb.close();
  rmSync(dist, { recursive: true, force: true });
});

/** The policy as directive → values. */
function policy(header: string | null): Record<string, string[]> {
  expect(header).toBeTruthy();
  return Object.fromEntries(
    header!
      .split(";")
      .map((directive) => directive.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
}

const telegramWebClients = ["https://web.telegram.org", "https://*.web.telegram.org", "https://webk.telegram.org", "https://webz.telegram.org"];

describe("security headers of HTML answers", () => {
  it("give the web app a policy that allows what it loads, lets only Telegram's web clients frame it, and no HSTS over http", async () => {
    for (const path of ["/", "/avatars/12"]) {
      const page = await fetch(`${http}${path}`);
      expect(page.status).toBe(200);
      const csp = policy(page.headers.get("content-security-policy"));
      expect(csp["default-src"]).toEqual(["'self'"]);
      expect(csp["script-src"]).toEqual(["'self'", "https://telegram.org", expect.stringMatching(/^'nonce-[A-Za-z0-9+/]{22}=='$/)]);
      expect(csp["script-src-attr"]).toEqual(["'none'"]);
      expect(csp["object-src"]).toEqual(["'none'"]);
      expect(csp["base-uri"]).toEqual(["'self'"]);
      expect(csp["style-src"]).toEqual(["'self'", "'unsafe-inline'"]);
      expect(csp["img-src"]).toEqual(["'self'", "data:", "blob:", "http://pinglass.test", "https://media.example.r2.cloudflarestorage.com"]);
      expect(csp["connect-src"]).toEqual(["'self'", "http://pinglass.test", "https://media.example.r2.cloudflarestorage.com"]);
      expect(csp["frame-src"]).toEqual(["https://oauth.telegram.org"]);
      expect(csp["form-action"]).toEqual(["'self'", "http://pinglass.test", "https://media.example.r2.cloudflarestorage.com"]);
      expect(csp["frame-ancestors"]).toEqual(telegramWebClients);
      expect(csp).not.toHaveProperty("upgrade-insecure-requests");
      expect(page.headers.get("x-content-type-options")).toBe("nosniff");
      expect(page.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      expect(page.headers.get("cross-origin-opener-policy")).toBe("same-origin-allow-popups");
      expect(page.headers.get("strict-transport-security")).toBeNull();
      // X-Frame-Options cannot name Telegram; frame-ancestors does.
      expect(page.headers.get("x-frame-options")).toBeNull();
      // The answer's own headers stay.
      expect(page.headers.get("cache-control")).toBe("no-cache");
    }
  });

  it("add HSTS and upgrade-insecure-requests when PUBLIC_URL is https", async () => {
    const page = await fetch(`${https}/`);
    expect(page.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    const csp = policy(page.headers.get("content-security-policy"));
    expect(csp["upgrade-insecure-requests"]).toEqual([]);
    expect(csp["img-src"]).toEqual(["'self'", "data:", "blob:", "https://pinglass.example"]);
  });

  it("give the test checkout page a fresh nonce for its inline script on every answer", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const page = await fetch(`${http}/checkout/test/1/no-such-token`);
      expect(page.status).toBe(404);
      expect(page.headers.get("content-type")).toContain("text/html");
      const csp = policy(page.headers.get("content-security-policy"));
      const nonce = /^'nonce-(.+)'$/.exec(csp["script-src"]!.at(-1)!)![1]!;
      const html = await page.text();
      expect([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual([`<script nonce="${nonce}">`]);
      expect(csp["frame-ancestors"]).toEqual(telegramWebClients);
      expect(page.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      expect(page.headers.get("cache-control")).toBe("no-store");
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(2);
  });

  it("leave other answers alone: media keep their strict policy, JSON and scripts get no page policy", async () => {
    await api.deps.media.storage.put("photos/1/security.jpg", await photoJpeg(64, 64), "image/jpeg");
    const link = new URL(await api.deps.media.storage.signedUrl("photos/1/security.jpg", { ttlSeconds: 600 }));
    const media = await fetch(`${http}${link.pathname}${link.search}`);
    expect(media.status).toBe(200);
    expect(media.headers.get("content-security-policy")).toBe("default-src 'none'");
    expect(media.headers.get("referrer-policy")).toBe("no-referrer");
    expect(media.headers.get("strict-transport-security")).toBeNull();

    const httpsMedia = await fetch(`${https}${link.pathname}${link.search}`);
    expect(httpsMedia.headers.get("content-security-policy")).toBe("default-src 'none'");

    const json = await fetch(`${http}/healthz`);
    expect(json.headers.get("content-type")).toContain("application/json");
    expect(json.headers.get("content-security-policy")).toBeNull();
    const asset = await fetch(`${http}/assets/index-1a2b3c4d.js`);
    expect(asset.headers.get("content-security-policy")).toBeNull();
    expect(asset.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
