/**
 * What the browser tests stand on: the real server process (tsx apps/server/src/main.ts) on a
 * loopback port with an in-memory database and a temporary media folder, and Debian's Chromium.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import sharp from "sharp";
import { groupPhoto, selfieOf } from "@pinglass/faces/testing";
import { afterAll, beforeAll, inject } from "vitest";

export const webDir = fileURLToPath(new URL("..", import.meta.url));
export const repoDir = join(webDir, "../..");

export const phone = { width: 390, height: 844 };
export const desktop = { width: 1440, height: 900 };

export interface RunningServer {
  url: string;
  log: () => string;
  stop(): Promise<void>;
}

/** A free loopback port: the app's public URL (bank return links) must name the real port. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const mediaDir = mkdtempSync(join(tmpdir(), "pinglass-e2e-media-"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "test",
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: "memory://",
    MEDIA_DIR: mediaDir,
    WEB_DIST: join(webDir, "dist"),
    SESSION_SECRET: "e2e-session-secret-0123456789abcdef0123456789",
    LOG_LEVEL: "info",
    ...extraEnv,
  };
  const child: ChildProcess = spawn(join(webDir, "node_modules/.bin/tsx"), [join(repoDir, "apps/server/src/main.ts")], { cwd: repoDir, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in time:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!.replace("localhost", "127.0.0.1"));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(mediaDir, { recursive: true, force: true });
    },
  };
}

/**
 * The real server and Chromium for the tests of one file: both start before them (the server with
 * `env`, made then, so it may name what an earlier beforeAll started) and stop after.
 */
export function serverAndBrowser(env: () => Record<string, string> = () => ({})): { server: RunningServer; browser: Browser } {
  const running = {} as { server: RunningServer; browser: Browser };
  beforeAll(async () => {
    [running.server, running.browser] = await Promise.all([startServer(env()), launchChromium()]);
  });
  afterAll(async () => {
    await running.browser?.close();
    await running.server?.stop();
  });
  return running;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

export interface ShotOptions {
  /** The whole scrollable page, for screens longer than a phone (the upload list with its tips). */
  fullPage?: boolean;
}

/** Waits until the images a person would see now (those in the viewport, or all for a full page) have loaded. */
async function imagesSettled(page: Page, fullPage: boolean) {
  await page
    .waitForFunction(
      (all) =>
        [...document.images].every((img) => {
          const box = img.getBoundingClientRect();
          const seen = box.width > 0 && (all || (box.bottom > 0 && box.top < window.innerHeight));
          return !seen || img.complete;
        }),
      fullPage,
      { timeout: 5000 },
    )
    .catch(() => undefined);
}

/** Saves a screenshot as a small palette PNG, so the docs stay light (where: e2e/screenshots-dir.ts). */
export async function screenshot(page: Page, name: string, options: ShotOptions = {}) {
  await page.evaluate(() => document.fonts.ready);
  // A full page is shot as one tall viewport, so bars fixed to the bottom stay at the bottom.
  const viewport = page.viewportSize();
  if (options.fullPage && viewport) {
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    if (height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
  }
  await imagesSettled(page, options.fullPage ?? false);
  const png = await page.screenshot({ animations: "disabled", caret: "hide" });
  if (viewport) await page.setViewportSize(viewport);
  await sharp(png).png({ palette: true, colors: 128, dither: 0, effort: 10, compressionLevel: 9 }).toFile(join(inject("screenshotsDir"), `${name}.png`));
}

/** The screen in both viewports: phone first (the journey's size), then desktop, then back. */
export async function screenshotBoth(page: Page, name: string, options: ShotOptions = {}) {
  const original = page.viewportSize();
  await page.setViewportSize(phone);
  await screenshot(page, `phone-${name}`, options);
  await page.setViewportSize(desktop);
  await screenshot(page, `desktop-${name}`, options);
  if (original) await page.setViewportSize(original);
}

/**
 * A gate for one kind of request: requests matching `pattern` wait until `open()` is called, so a
 * test can look at a state that is normally gone in a blink (the payment page waiting for the bank).
 */
export async function holdRequests(page: Page, pattern: string | RegExp) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let held = 0;
  await page.route(pattern, async (route) => {
    held++;
    await opened;
    await route.continue().catch(() => undefined);
  });
  return {
    held: () => held,
    async open() {
      open();
      await page.unroute(pattern);
    },
  };
}

/**
 * Text a person may not be able to read: every visible element with its own text whose colour,
 * against the backgrounds behind it (composited, images ignored), is below WCAG AA — 4.5:1, or
 * 3:1 for large text. Disabled controls are exempt, as in WCAG.
 */
export function lowContrastTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    // Colours as they settle, not halfway through a transition.
    const still = document.createElement("style");
    still.textContent = "*, *::before, *::after { transition: none !important; animation: none !important; }";
    document.head.append(still);
    void document.body.offsetHeight;
    type RGBA = [number, number, number, number];
    const probe = document.createElement("canvas").getContext("2d")!;
    const parse = (css: string): RGBA => {
      const srgb = /color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.e-]+))?\)/.exec(css);
      if (srgb) return [Number(srgb[1]) * 255, Number(srgb[2]) * 255, Number(srgb[3]) * 255, srgb[4] === undefined ? 1 : Number(srgb[4])];
      const rgb = /rgba?\(([\d.]+),? ([\d.]+),? ([\d.]+)(?:,? \/? ?([\d.]+))?\)/.exec(css);
      if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), rgb[4] === undefined ? 1 : Number(rgb[4])];
      // Anything else (oklab, named): let the canvas convert it.
      probe.clearRect(0, 0, 1, 1);
      probe.fillStyle = css;
      probe.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = probe.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!, a! / 255];
    };
    const over = (top: RGBA, bottom: RGBA): RGBA => {
      const a = top[3] + bottom[3] * (1 - top[3]);
      if (a === 0) return [0, 0, 0, 0];
      const mix = (i: number) => (top[i]! * top[3] + bottom[i]! * bottom[3] * (1 - top[3])) / a;
      return [mix(0), mix(1), mix(2), a];
    };
    const luminance = ([r, g, b]: RGBA) => {
      const channel = (v: number) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const problems: string[] = [];
    for (const element of document.querySelectorAll<HTMLElement>("body *")) {
      const ownText = [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent!.trim().length > 0);
      if (!ownText || element.closest("[disabled], [aria-hidden=true], .visually-hidden, dialog:not([open])")) continue;
      const box = element.getBoundingClientRect();
      if (box.right <= 0 || box.left >= window.innerWidth) continue;
      if (box.width < 2 || box.height < 2 || element.checkVisibility?.({ opacityProperty: true, visibilityProperty: true }) === false) continue;
      const style = getComputedStyle(element);
      // Backgrounds from the root down to the element, composited over white.
      const chain: HTMLElement[] = [];
      for (let node: HTMLElement | null = element; node; node = node.parentElement) chain.unshift(node);
      let background: RGBA = [255, 255, 255, 1];
      for (const node of chain) background = over(parse(getComputedStyle(node).backgroundColor), background);
      const text = over(parse(style.color), background);
      const [l1, l2] = [luminance(text), luminance(background)].sort((a, b) => b - a) as [number, number];
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) problems.push(`${element.tagName.toLowerCase()}.${element.className} "${element.textContent!.trim().slice(0, 40)}" ${ratio.toFixed(2)}:1`);
    }
    still.remove();
    return problems;
  });
}

/**
 * Selfies of one person, real faces (the face package's test set, made from the photos inside
 * @vladmandic/human): the server's face checks take them as they would a person's own.
 */
export async function makeSelfies(count: number): Promise<{ name: string; mimeType: string; buffer: Buffer }[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => ({ name: `selfie-${i + 1}.jpg`, mimeType: "image/jpeg", buffer: await selfieOf("man", i) })));
}

/** Pictures the face checks refuse: a party photo with many people, and someone else's selfie. */
export const groupPhotoFile = async () => ({ name: "party.jpg", mimeType: "image/jpeg", buffer: await groupPhoto() });
export const strangerSelfieFile = async () => ({ name: "friend.jpg", mimeType: "image/jpeg", buffer: await selfieOf("blonde") });

/** The file names inside a ZIP archive, read from its central directory. */
export function zipEntryNames(zip: Buffer): string[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error("not a ZIP archive: no end of central directory");
  const entries = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error("broken ZIP central directory");
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.subarray(offset + 46, offset + 46 + nameLength).toString("utf8"));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/**
 * True when a person would see the element: it has a size and, scrolled into the middle of the
 * viewport, it is what the browser hits at its centre (not clipped by an overflow, not covered).
 */
export function isSeen(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    element.scrollIntoView({ block: "center" });
    const box = element.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) return false;
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return hit !== null && (element === hit || element.contains(hit));
  });
}
