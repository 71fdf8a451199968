import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { createTestApi } from "@pinglass/api/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
let server: ReturnType<typeof createApp>;
let port: number;
let dist: string;

const indexHtml = `<!doctype html><html lang="ru"><head><script type="module" src="/assets/index-1a2b3c4d.js"></script></head><body><div id="root"></div></body></html>`;
const script = `export const greeting = ${JSON.stringify("Привет, PinGlass! ".repeat(200))};\n`;

beforeAll(async () => {
  // A web build as vite makes it: hashed assets with their .br and .gz, index.html, a public file.
  dist = mkdtempSync(join(tmpdir(), "pinglass-dist-"));
  mkdirSync(join(dist, "assets"));
  writeFileSync(join(dist, "index.html"), indexHtml);
  writeFileSync(join(dist, "favicon.svg"), `<svg xmlns="http://www.w3.org/2000/svg"/>`);
  writeFileSync(join(dist, "assets/index-1a2b3c4d.js"), script);
  writeFileSync(join(dist, "assets/index-1a2b3c4d.js.br"), brotliCompressSync(script));
  writeFileSync(join(dist, "assets/index-1a2b3c4d.js.gz"), gzipSync(script, { level: 9 }));
  api = await createTestApi();
  server = createApp({ deps: api.deps, logger: pino({ level: "silent" }), webDist: dist });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await api.testDb.close();
  rmSync(dist, { recursive: true, force: true });
});

/** A raw request: the path goes out exactly as written, and the body comes back as sent (not decoded). */
function get(path: string, headers: Record<string, string> = {}, method = "GET") {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the web app's files", () => {
  it("sends the brotli or gzip file made at build time to a browser that accepts it, the plain file otherwise", async () => {
    const br = await get("/assets/index-1a2b3c4d.js", { "accept-encoding": "gzip, deflate, br" });
    expect(br.status).toBe(200);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(br.headers.vary).toBe("Accept-Encoding");
    expect(brotliDecompressSync(br.body).toString()).toBe(script);
    expect(Number(br.headers["content-length"])).toBe(br.body.length);

    const gzip = await get("/assets/index-1a2b3c4d.js", { "accept-encoding": "gzip" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzip.body).toString()).toBe(script);

    const plain = await get("/assets/index-1a2b3c4d.js");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    expect(br.body.length).toBeLessThan(plain.body.length / 5);
  });

  it("caches hashed assets for a year and revalidates the rest; an ETag answers If-None-Match with 304", async () => {
    const asset = await get("/assets/index-1a2b3c4d.js", { "accept-encoding": "br" });
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.etag).toBeTruthy();
    const again = await get("/assets/index-1a2b3c4d.js", { "accept-encoding": "br", "if-none-match": asset.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(again.headers.vary).toBe("Accept-Encoding");
    // Each encoding is its own entity: the plain file's ETag differs from the brotli one's.
    expect((await get("/assets/index-1a2b3c4d.js")).headers.etag).not.toBe(asset.headers.etag);

    const index = await get("/");
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect((await get("/", { "if-none-match": index.headers.etag! })).status).toBe(304);
    expect((await get("/favicon.svg")).headers["cache-control"]).toBe("no-cache");
  });

  it("answers a client-side route with index.html, a missing file with an extension with 404", async () => {
    for (const path of ["/", "/avatars/12", "/payment/return?paymentId=1&result=success", "/account/"]) {
      const page = await get(path);
      expect(page.status, path).toBe(200);
      expect(page.headers["content-type"], path).toBe("text/html;charset=utf-8");
      expect(page.headers["cache-control"], path).toBe("no-cache");
      expect(page.body.toString(), path).toBe(indexHtml);
    }
    for (const path of ["/assets/index-0000.js", "/missing.png", "/assets/no-extension", "/%D1%84%D0%BE%D1%82%D0%BE.jpg"]) {
      const missing = await get(path);
      expect(missing.status, path).toBe(404);
      expect(missing.headers["cache-control"], path).toBeUndefined();
    }
  });

  it("answers HEAD with the headers and no body", async () => {
    const head = await get("/assets/index-1a2b3c4d.js", { "accept-encoding": "br" }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-encoding"]).toBe("br");
    expect(Number(head.headers["content-length"])).toBeGreaterThan(0);
    expect(head.body.length).toBe(0);
    expect((await get("/avatars/1", {}, "HEAD")).headers["content-type"]).toBe("text/html;charset=utf-8");
  });

  it("refuses malformed percent-encoding with 400, never 500", async () => {
    for (const path of ["/%E0%A4%A", "/avatars/%", "/assets/%ZZ.js"]) {
      expect((await get(path)).status, path).toBe(400);
    }
  });

  it("refuses paths that climb out of the build or smuggle a separator", async () => {
    // A file next to the build that must never be served.
    const secret = `${basename(dist)}-secret.txt`;
    writeFileSync(join(dist, "..", secret), "secret");
    try {
      for (const path of [`/../${secret}`, `/assets/../../${secret}`, `/%2e%2e/${secret}`, `/assets/%2E%2E/%2e%2e/${secret}`, `/..%2f${secret}`, "/assets%2findex-1a2b3c4d.js", `/..%5c${secret}`, "/index.html%00.js"]) {
        const answer = await get(path);
        expect(answer.status, path).toBe(404);
        expect(answer.body.toString(), path).not.toContain("secret");
      }
    } finally {
      rmSync(join(dist, "..", secret), { force: true });
    }
  });
});
