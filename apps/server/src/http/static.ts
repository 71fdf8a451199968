import { createReadStream, existsSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import type { Handler } from "./router.ts";
import { sendText } from "./router.ts";

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/**
 * Serves the built web app. Hashed files under assets/ are cached for a year; any other path
 * that is not a file gets index.html, so client-side routes survive a reload.
 */
export function serveWebApp(distDir: string): Handler {
  const index = join(distDir, "index.html");
  return (req, res, url) => {
    if (req.method !== "GET" && req.method !== "HEAD") return sendText(res, 404, "Not found");
    if (!existsSync(index)) return sendText(res, 503, "The web app is not built yet: run `pnpm build`.");
    let file = normalize(join(distDir, decodeURIComponent(url.pathname)));
    if (!file.startsWith(distDir + sep) && file !== distDir) return sendText(res, 404, "Not found");
    const isFile = existsSync(file) && statSync(file).isFile();
    if (!isFile) {
      if (extname(url.pathname)) return sendText(res, 404, "Not found");
      file = index;
    }
    const immutable = file.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      "content-type": contentTypes[extname(file)] ?? "application/octet-stream",
      "content-length": statSync(file).size,
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") return res.end();
    createReadStream(file).pipe(res);
  };
}
