import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import { openApiDocument } from "@pinglass/api";
import { type Locale, parseLocaleTag, requestLocale } from "@pinglass/core";
import type { Route } from "./router.ts";
import { sendJson } from "./router.ts";

/**
 * The developers' reference: GET /api/openapi.json (the OpenAPI 3.1 document) and /docs/api, a
 * page that renders it with Scalar's prebuilt browser bundle, served from our own origin (no CDN,
 * so the page's CSP needs nothing beyond 'self'). The bundle is not part of the web app: only this
 * page loads it. Both come in Russian and English: ?lang=ru|en, else the request's language.
 */
export function apiDocsRoutes(options: { publicUrl: string }): Route[] {
  const bundle = scalarBundle();
  return [
    {
      method: "GET",
      path: "/api/openapi.json",
      handler: (req, res, url) => sendJson(res, 200, openApiDocument(options.publicUrl, localeOf(req, url)), { "cache-control": "no-cache", "access-control-allow-origin": "*" }),
    },
    {
      method: "GET",
      path: "/docs/api",
      handler: (req, res, url) => {
        const html = referencePage(localeOf(req, url));
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(html), "cache-control": "no-cache" });
        res.end(html);
      },
    },
    { method: "GET", path: scalarPath, handler: (req, res) => bundle.send(req, res) },
  ];
}

const scalarPath = "/docs/api/scalar.js";

function localeOf(req: IncomingMessage, url: URL): Locale {
  return (
    parseLocaleTag(url.searchParams.get("lang")) ??
    requestLocale((name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    })
  );
}

const escapeAttribute = (value: string) => value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** The page: Scalar's configuration rides in data attributes, so there is no inline script to allow. */
function referencePage(locale: Locale): string {
  const configuration = {
    url: `/api/openapi.json?lang=${locale}`,
    // Nothing from other origins: no web fonts, no telemetry, no AI agent, no hosted API client.
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    mcp: { disabled: true },
    hideClientButton: true,
    showDeveloperTools: "never",
    documentDownloadType: "json",
    defaultHttpClient: { targetKey: "shell", clientKey: "curl" },
    localization: { locale },
  };
  const other = locale === "ru" ? { lang: "en", label: "English" } : { lang: "ru", label: "Русский" };
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${locale === "ru" ? "PinGlass API — справочник" : "PinGlass API reference"}</title>
<style>.pinglass-language{position:fixed;top:8px;right:16px;z-index:1000;font:14px system-ui,sans-serif;background:#fff;padding:4px 10px;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.2)}</style>
</head>
<body>
<a class="pinglass-language" href="/docs/api?lang=${other.lang}" hreflang="${other.lang}">${other.label}</a>
<script id="api-reference" data-url="${configuration.url}" data-configuration="${escapeAttribute(JSON.stringify(configuration))}"></script>
<script src="${scalarPath}"></script>
</body>
</html>
`;
}

/** Scalar's standalone bundle (about 5 MB, 1.2 MB with brotli), compressed once on first use. */
function scalarBundle() {
  const file = join(dirname(createRequire(import.meta.url).resolve("@scalar/api-reference")), "browser", "standalone.js");
  let encoded: Promise<{ identity: Buffer; br: Buffer; gzip: Buffer }> | null = null;
  const load = async () => {
    const identity = await readFile(file);
    const [br, gz] = await Promise.all([
      promisify(brotliCompress)(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
      promisify(gzip)(identity, { level: 9 }),
    ]);
    return { identity, br, gzip: gz };
  };
  return {
    async send(req: IncomingMessage, res: ServerResponse) {
      const versions = await (encoded ??= load().catch((error: unknown) => {
        encoded = null;
        throw error;
      }));
      const accepted = String(req.headers["accept-encoding"] ?? "");
      const encoding = /\bbr\b/.test(accepted) ? "br" : /\bgzip\b/.test(accepted) ? "gzip" : null;
      const body = encoding ? versions[encoding] : versions.identity;
      res.writeHead(200, {
        "content-type": "text/javascript; charset=utf-8",
        "content-length": body.length,
        "cache-control": "public, max-age=3600",
        vary: "Accept-Encoding",
        ...(encoding ? { "content-encoding": encoding } : {}),
      });
      res.end(body);
    },
  };
}
