/**
 * `pnpm bench:web`: builds the web app, serves it through the real server on loopback, and
 * measures in Chromium what a first-time visitor gets: the initial JavaScript (gzipped), the bytes
 * the server actually sends for the first visit, the time to a usable dashboard, the largest
 * contentful paint and the cumulative layout shift.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Response } from "playwright-core";
import { desktop, launchChromium, phone, startServer, webDir } from "../e2e/harness.ts";

const runs = 7;

function build() {
  const result = spawnSync("pnpm", ["exec", "vite", "build", "--logLevel", "warn"], { cwd: webDir, stdio: "inherit" });
  if (result.status !== 0) throw new Error("vite build failed");
}

/** The scripts index.html makes the browser fetch before anything renders: entry + modulepreloads. */
function initialJavaScript() {
  const dist = join(webDir, "dist");
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  const sizes = files.map((file) => {
    const bytes = readFileSync(join(dist, file));
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { files: sizes, gzip: sizes.reduce((sum, f) => sum + f.gzip, 0), raw: sizes.reduce((sum, f) => sum + f.raw, 0) };
}

/**
 * One first visit up to the dashboard, every response counted: the body bytes as they came over
 * the wire (compressed or not, as the server chose for the browser's Accept-Encoding) and the same
 * bodies decoded.
 */
async function firstVisitBytes(browser: Browser, url: string) {
  const context = await browser.newContext({ viewport: phone, locale: "ru-RU" });
  await context.addInitScript(() => localStorage.setItem("pinglass.onboarded", "1"));
  const page = await context.newPage();
  const responses: Response[] = [];
  page.on("response", (response) => responses.push(response));
  await page.goto(url);
  await page.locator(".empty, [data-testid=avatar-card]").first().waitFor();
  await page.waitForLoadState("networkidle");
  const rows = await Promise.all(
    responses.map(async (response) => ({
      path: new URL(response.url()).pathname,
      encoding: response.headers()["content-encoding"] ?? "identity",
      wire: (await response.request().sizes()).responseBodySize,
      decoded: (await response.body().catch(() => Buffer.alloc(0))).length,
    })),
  );
  const acceptEncoding = (await responses[0]?.request().headerValue("accept-encoding")) ?? "";
  await context.close();
  return { rows, acceptEncoding, wire: rows.reduce((sum, r) => sum + r.wire, 0), decoded: rows.reduce((sum, r) => sum + r.decoded, 0) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function main() {
  build();
  const js = initialJavaScript();
  const server = await startServer();
  const browser = await launchChromium();
  try {
    const visit = await firstVisitBytes(browser, server.url);
    const results: Record<string, { dashboard: number[]; lcp: number[]; cls: number[] }> = {};
    for (const [label, viewport] of [["phone 390×844", phone], ["desktop 1440×900", desktop]] as const) {
      const samples = { dashboard: [] as number[], lcp: [] as number[], cls: [] as number[] };
      for (let i = 0; i < runs; i++) {
        // A first visit each time: fresh storage, so the session is created too; onboarding already seen.
        const context = await browser.newContext({ viewport, locale: "ru-RU" });
        await context.addInitScript(() => {
          localStorage.setItem("pinglass.onboarded", "1");
          const w = window as unknown as { __lcp: number; __cls: number };
          w.__lcp = 0;
          w.__cls = 0;
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) w.__lcp = entry.startTime;
          }).observe({ type: "largest-contentful-paint", buffered: true });
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
              if (!entry.hadRecentInput) w.__cls += entry.value;
            }
          }).observe({ type: "layout-shift", buffered: true });
        });
        const page = await context.newPage();
        await page.goto(server.url);
        await page.locator(".empty, [data-testid=avatar-card]").first().waitFor();
        samples.dashboard.push(await page.evaluate(() => performance.now()));
        await page.waitForTimeout(500);
        const { lcp, cls } = await page.evaluate(() => {
          const w = window as unknown as { __lcp: number; __cls: number };
          return { lcp: w.__lcp, cls: w.__cls };
        });
        samples.lcp.push(lcp);
        samples.cls.push(cls);
        await context.close();
      }
      results[label] = samples;
    }

    console.log("\nPinGlass web: Chromium on loopback, real server, embedded database");
    console.log(`initial JavaScript: ${kb(js.gzip)} gzipped (${kb(js.raw)} raw) in ${js.files.length} files; budget 150 KB gzipped: ${js.gzip <= 150 * 1024 ? "within" : "OVER"}`);
    for (const file of js.files) console.log(`  ${file.file}  ${kb(file.gzip)} gzipped`);
    console.log(`first visit over the wire: ${kb(visit.wire)} sent for ${kb(visit.decoded)} of content in ${visit.rows.length} responses (browser's Accept-Encoding: ${visit.acceptEncoding})`);
    for (const row of visit.rows) console.log(`  ${row.path.length > 60 ? `${row.path.slice(0, 57)}...` : row.path}  ${kb(row.wire)} sent (${row.encoding}), ${kb(row.decoded)} decoded`);
    for (const [label, s] of Object.entries(results)) {
      console.log(`${label} (median of ${runs} first visits):`);
      console.log(`  time to the dashboard  ${median(s.dashboard).toFixed(0)} ms  (min ${Math.min(...s.dashboard).toFixed(0)}, max ${Math.max(...s.dashboard).toFixed(0)})`);
      console.log(`  largest contentful paint  ${median(s.lcp).toFixed(0)} ms`);
      console.log(`  cumulative layout shift  ${median(s.cls).toFixed(3)}  (max ${Math.max(...s.cls).toFixed(3)})`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
