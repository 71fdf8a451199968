import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { selfiesOf } from "@pinglass/faces/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The proof that @pinglass/client works outside the monorepo: the package is packed (pnpm pack)
 * and installed from its tarball into a copy of examples/node-client (a plain npm project: the
 * tarball and its npm dependencies, nothing else of ours), which is type-checked strictly and run
 * against a started server: a session, an avatar, five selfies (real faces), its photos.
 */
const serverDir = fileURLToPath(new URL("..", import.meta.url));
const repoDir = resolve(serverDir, "../..");
const clientDir = join(repoDir, "packages/client");

const work = mkdtempSync(join(tmpdir(), "pinglass-client-"));
const example = join(work, "example");
let server: ChildProcess | undefined;
let baseUrl: string;

const run = (command: string, args: string[], cwd: string, env: Record<string, string> = {}) => {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 240_000 });
  return { status: result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
};
const must = (command: string, args: string[], cwd: string, env?: Record<string, string>) => {
  const result = run(command, args, cwd, env);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.output}`);
  return result.output;
};

/** The newest change under the sources the client's types come from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

beforeAll(async () => {
  // `pnpm build` built it already (turbo, before the tests); a run of this file alone builds it when stale.
  const built = join(clientDir, "dist/index.d.ts");
  if (!existsSync(built) || statSync(built).mtimeMs < Math.max(newestSource(join(repoDir, "packages")), statSync(join(clientDir, "build.mjs")).mtimeMs)) {
    must(process.execPath, ["build.mjs"], clientDir);
  }
  must("pnpm", ["pack", "--pack-destination", work], clientDir);
  const tarball = join(work, readdirSync(work).find((name) => name.endsWith(".tgz"))!);

  cpSync(join(repoDir, "examples/node-client"), example, { recursive: true, filter: (path) => !/node_modules|dist|package-lock/.test(path) });
  must("npm", ["install", tarball, "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], example);

  const selfies = join(work, "selfies");
  mkdirSync(selfies);
  (await selfiesOf("man", 5)).forEach((jpeg, i) => writeFileSync(join(selfies, `selfie-${i + 1}.jpg`), jpeg));

  server = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, PORT: "0", HOST: "127.0.0.1", DATABASE_URL: "memory://", MEDIA_DIR: join(work, "media"), SESSION_SECRET: "client-package-test-secret-0123456789", LOG_LEVEL: "info" },
  });
  let output = "";
  server.stdout!.on("data", (d) => (output += d));
  server.stderr!.on("data", (d) => (output += d));
  baseUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setInterval(() => {
      const match = /running at (http:\/\/localhost:\d+)/.exec(output);
      if (!match) return;
      clearInterval(timer);
      resolveUrl(match[1]!.replace("localhost", "127.0.0.1"));
    }, 50);
    server!.once("exit", () => {
      clearInterval(timer);
      reject(new Error(`the server exited: ${output}`));
    });
  });
}, 300_000);

afterAll(() => {
  server?.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
});

describe("@pinglass/client, installed from its tarball into a plain npm project", () => {
  it("ships built JavaScript and one .d.ts that imports nothing of the server", () => {
    const installed = join(example, "node_modules/@pinglass/client");
    expect(readdirSync(installed).sort()).toEqual(["dist", "package.json"]);
    expect(readdirSync(join(installed, "dist")).sort()).toEqual(["index.d.ts", "index.js"]);
    const declarations = readFileSync(join(installed, "dist/index.d.ts"), "utf8");
    expect(new Set([...declarations.matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1]))).toEqual(new Set(["@trpc/client", "@trpc/server"]));
    // Nothing else of ours came with it.
    expect(readdirSync(join(example, "node_modules/@pinglass"))).toEqual(["client"]);
  });

  it("type-checks strictly, and a wrong input does not compile", () => {
    must("npx", ["--no-install", "tsc", "-p", "."], example);
    // Without its @ts-expect-error, the line that passes a string for a number is an error.
    const source = readFileSync(join(example, "src/index.ts"), "utf8");
    const wrong = join(work, "wrong");
    cpSync(example, wrong, { recursive: true, filter: (path) => !path.includes(`${example}/dist`) });
    writeFileSync(join(wrong, "src/index.ts"), source.replace(/^\s*\/\/ @ts-expect-error.*$/m, ""));
    const check = run("npx", ["--no-install", "tsc", "-p", ".", "--noEmit"], wrong);
    expect(check.status).not.toBe(0);
    expect(check.output).toMatch(/src\/index\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number/);
  });

  it("runs against a started server: a session, an avatar, five selfies, the photos, and a refusal that names the field", () => {
    const output = must(process.execPath, ["dist/index.js", join(work, "selfies")], example, { PINGLASS_URL: baseUrl });
    const result = JSON.parse(output.trim().split("\n").at(-1)!) as Record<string, unknown>;
    expect(result).toEqual({ avatarId: expect.any(Number), selfies: 5, refused: 0, photos: 0, newest: null, refusal: { avatarId: "The field “avatarId” has an invalid value." } });
  });
});
