import { existsSync } from "node:fs";
import { join } from "node:path";
import sirv from "sirv";
import type { Handler } from "./router.ts";
import { sendText } from "./router.ts";

const immutable = "public, max-age=31536000, immutable";

/**
 * Serves the built web app with sirv: the .br/.gz files made at build time go to browsers that
 * accept them, ETags answer If-None-Match with 304, hashed files under assets/ are cached for a
 * year and everything else is revalidated (no-cache). A path without an extension that is not a
 * file gets index.html, so client-side routes survive a reload; a missing file with an extension
 * (or anything missing under assets/) is a 404.
 *
 * The file list is read once, when the first request finds index.html: rebuilding the app means
 * restarting the server (new hashed names).
 */
export function serveWebApp(distDir: string): Handler {
  let files: ReturnType<typeof sirv> | undefined;
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return sendText(res, 404, "Not found");
    files ??= existsSync(join(distDir, "index.html"))
      ? sirv(distDir, { etag: true, brotli: true, gzip: true, single: true, extensions: ["html"], ignores: ["^/assets/", String.raw`\.[^/]+$`] })
      : undefined;
    if (!files) return sendText(res, 503, "The web app is not built yet: run `pnpm build`.");

    const path = requestPath(req.url ?? "/");
    if (path === "malformed") return sendText(res, 400, "Bad request: malformed percent-encoding in the path");
    if (path === "refused") return sendText(res, 404, "Not found");
    // Set before sirv so a 304 carries them too; a 404 takes them back.
    res.setHeader("vary", "Accept-Encoding");
    res.setHeader("cache-control", path.startsWith("/assets/") ? immutable : "no-cache");
    res.setHeader("x-content-type-options", "nosniff");
    files(req, res, () => {
      res.removeHeader("cache-control");
      sendText(res, 404, "Not found");
    });
  };
}

/**
 * The decoded path of a request, checked the way sirv will read it (from the raw URL): malformed
 * percent-encoding, and paths that try to climb out or smuggle a separator (dot segments,
 * encoded slashes and backslashes, NUL) are refused before sirv sees them.
 */
function requestPath(rawUrl: string): string | "malformed" | "refused" {
  const raw = rawUrl.replace(/[?#].*$/s, "");
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return "malformed";
  }
  if (/%(2f|5c|00)/i.test(raw) || /[\\\0]/.test(path) || path.split("/").some((segment) => segment === ".." || segment === ".")) return "refused";
  return path;
}
