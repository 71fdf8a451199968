import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** Starts the real server process and resolves with its URL once it prints it. */
function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, PORT: "0", HOST: "127.0.0.1", DATABASE_URL: "memory://", LOG_LEVEL: "info", ...env },
  });
  children.push(child);
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /running at (http:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearInterval(timer);
        resolve(match[1]!.replace("localhost", "127.0.0.1"));
      }
    }, 50);
    child.on("exit", () => {
      clearInterval(timer);
      reject(new Error(`server exited: ${output}`));
    });
  });
  // A server that exits before the test awaits its URL must not count as an unhandled rejection.
  url.catch(() => {});
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, url, exit, output: () => output };
}

/**
 * Runs a package.json script as `pnpm start` does (sh -c) in a process group of its own, and once
 * the server is up sends SIGINT to the whole group, as Ctrl-C in a terminal does: every shell, pnpm
 * and node process gets it at once.
 */
async function ctrlC(script: string, cwd: string, env: Record<string, string>) {
  const child = spawn("sh", ["-c", script], { cwd, detached: true, env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: "0", HOST: "127.0.0.1", DATABASE_URL: "memory://", LOG_LEVEL: "info", ...env } });
  children.push(child);
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (!/running at/.test(output) && child.exitCode === null) return;
      clearInterval(timer);
      resolve();
    }, 50);
  });
  process.kill(-child.pid!, "SIGINT");
  return { ...(await exit), output };
}

describe("the server process", () => {
  it("migrates, serves the built web app and /healthz, hides stack traces in production, and stops cleanly on SIGTERM", async () => {
    const dist = mkdtempSync(join(tmpdir(), "pinglass-dist-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>PinGlass</title>");
    writeFileSync(join(dist, "assets", "app-123.js"), "console.log(1)");
    const server = startServer({ NODE_ENV: "production", SESSION_SECRET: "x".repeat(40), WEB_DIST: dist, PAYMENTS_TEST_CHECKOUT: "true" });
    const base = await server.url;

    expect(await (await fetch(`${base}/`)).text()).toContain("<title>PinGlass</title>");
    expect(await (await fetch(`${base}/avatars/12`)).text()).toContain("<title>PinGlass</title>");
    const asset = await fetch(`${base}/assets/app-123.js`);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok", database: "up" });

    const failed = (await (await fetch(`${base}/trpc/session.me`)).json()) as { error: { message: string; data: { code: string } } };
    expect(failed.error.data.code).toBe("UNAUTHORIZED");
    expect(failed.error.message).toBe("Сессия истекла. Обновите страницу, чтобы войти снова.");
    expect(JSON.stringify(failed)).not.toContain("stack");

    server.child.kill("SIGTERM");
    expect(await server.exit).toBe(0);
    expect(server.output()).toContain("stopped");
  });

  it("refuses to start with a bad configuration and says which variable is wrong", async () => {
    const server = startServer({ PORT: "http", DATABASE_URL: "mysql://x" });
    await expect(server.url).rejects.toThrow(/PORT: must be a port number/);
    const production = startServer({ NODE_ENV: "production" });
    await expect(production.url).rejects.toThrow(/SESSION_SECRET: is required in production/);
  });

  it("refuses to run the public test checkout in production unless PAYMENTS_TEST_CHECKOUT=true says so", async () => {
    const secret = { NODE_ENV: "production", SESSION_SECRET: "x".repeat(40) };
    const withoutBank = startServer(secret);
    const misspelled = startServer({ ...secret, PAYMENTS_TEST_CHECKOUT: "yes" });
    const optedIn = startServer({ ...secret, PAYMENTS_TEST_CHECKOUT: "true" });
    await expect(withoutBank.url).rejects.toThrow(/TBANK_TERMINAL_KEY, TBANK_PASSWORD: are required in production.*set PAYMENTS_TEST_CHECKOUT=true/);
    expect(await withoutBank.exit).toBe(1);
    await expect(misspelled.url).rejects.toThrow(/PAYMENTS_TEST_CHECKOUT: must be true or false/);
    const base = await optedIn.url;
    expect(optedIn.output()).toContain("PAYMENTS_TEST_CHECKOUT=true in production");
    const unknown = await fetch(`${base}/checkout/test/1`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("TEST PAYMENT");
  }, 60_000);

  it("the test checkout's Pay reaches POST /webhooks/tbank over HTTP on the port the server got", async () => {
    // PORT=0 and no PUBLIC_URL: the NotificationURL (http://localhost:0/…) cannot be reached; the listening address can.
    const server = startServer({});
    const base = await server.url;
    const trpc = async (path: string, input: unknown, token?: string) => {
      const response = await fetch(`${base}/trpc/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(input),
      });
      return ((await response.json()) as { result: { data: Record<string, unknown> } }).result.data;
    };
    const { token } = (await trpc("session.start", { deviceId: crypto.randomUUID() })) as { token: string };
    const created = (await trpc("payments.create", { tierId: "starter", email: "a@b.ru" }, token)) as { paymentId: number; paymentUrl: string };
    const paid = await fetch(`${base}${new URL(created.paymentUrl).pathname}/pay`, { method: "POST", redirect: "manual" });
    expect(paid.status).toBe(303);
    // payments.list never asks the bank: succeeded here means the notifications arrived.
    const list = await fetch(`${base}/trpc/payments.list`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await list.json()) as { result: { data: { paymentId: number; status: string }[] } }).result.data).toMatchObject([{ paymentId: created.paymentId, status: "succeeded" }]);
    expect(server.output()).not.toContain("did not answer 200 OK");
  }, 60_000);

  it("Ctrl-C on pnpm start stops the server cleanly and quietly, with exit code 0", async () => {
    const repoDir = join(serverDir, "../..");
    const scripts = (dir: string) => (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    // The build step before it is not what this is about: a turbo that does nothing stands in.
    const bin = mkdtempSync(join(tmpdir(), "pinglass-bin-"));
    writeFileSync(join(bin, "turbo"), "#!/bin/sh\nexit 0\n");
    chmodSync(join(bin, "turbo"), 0o755);
    const env = { SESSION_SECRET: "x".repeat(40), MEDIA_DIR: mkdtempSync(join(tmpdir(), "pinglass-media-")) };
    const root = await ctrlC(scripts(repoDir).start!, repoDir, { ...env, PATH: `${bin}:${process.env.PATH}` });
    expect(root.output).toContain("stopped");
    expect(root.output).not.toMatch(/ERR_PNPM|ELIFECYCLE/);
    expect(root).toMatchObject({ code: 0, signal: null });
    rmSync(bin, { recursive: true, force: true });
    rmSync(env.MEDIA_DIR, { recursive: true, force: true });
  }, 120_000);
});
