#!/usr/bin/env node
// Runs a command with TEST_POSTGRES_URL pointing at a throwaway PostgreSQL server on a loopback
// port: initdb into a temporary folder, start, run the command, stop, delete. When
// TEST_POSTGRES_URL is already set, the command just runs against that server.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error("usage: with-postgres.mjs <command> [args...]");
  process.exit(2);
}

function findPgBin() {
  const candidates = [];
  if (existsSync("/usr/lib/postgresql")) {
    for (const v of readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a))) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  }
  const which = spawnSync("sh", ["-c", "dirname $(command -v initdb) 2>/dev/null"], { encoding: "utf8" }).stdout.trim();
  if (which) candidates.push(which);
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")));
}

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

function run(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: "inherit", env });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

if (process.env.TEST_POSTGRES_URL) process.exit(await run(command[0], command.slice(1), process.env));

const bin = findPgBin();
if (!bin && process.env.CI) {
  // On CI every driver must run: a missing server is a failure, not a quieter test run.
  console.error("\n!! PostgreSQL is not installed, and CI needs the PostgreSQL and Neon-driver suites: install it (apt-get install postgresql).\n");
  process.exit(1);
}
if (!bin) {
  console.warn("\n!! PostgreSQL is not installed: running on PGlite only. Install it (apt-get install postgresql) to run the PostgreSQL and Neon-driver suites too.\n");
  process.exit(await run(command[0], command.slice(1), process.env));
}

const isRoot = process.getuid?.() === 0;
const asPostgres = (args) => (isRoot ? ["runuser", ["-u", "postgres", "--", ...args]] : [args[0], args.slice(1)]);
const dir = mkdtempSync(join(tmpdir(), "pinglass-pg-"));
chmodSync(dir, 0o777);
const data = join(dir, "data");
const port = await freePort();
const pgSync = (args) => {
  const [cmd, rest] = asPostgres(args);
  execFileSync(cmd, rest, { stdio: ["ignore", "ignore", "inherit"] });
};

pgSync([join(bin, "initdb"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "-D", data]);
pgSync([join(bin, "pg_ctl"), "-D", data, "-l", join(dir, "server.log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`, "start"]);
const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
console.log(`PostgreSQL (${bin}) started for this run on ${url}`);

let code;
try {
  code = await run(command[0], command.slice(1), { ...process.env, TEST_POSTGRES_URL: url });
} finally {
  try {
    pgSync([join(bin, "pg_ctl"), "-D", data, "-m", "fast", "stop"]);
  } catch {}
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
