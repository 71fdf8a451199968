#!/usr/bin/env node
// `pnpm test`: every check. Typecheck and build (turbo) run alongside lint; then every suite (unit,
// database on PGlite, PostgreSQL and the Neon driver, the browser journey) runs against a
// throwaway PostgreSQL from scripts/with-postgres.mjs. Ends with the time of each step and of
// each package's task, slowest first.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

process.chdir(fileURLToPath(new URL("..", import.meta.url)));
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", TURBO_NO_UPDATE_NOTIFIER: "1" };
const startedAt = Date.now();
const steps = [];

/** A turbo run that keeps going past a failure and writes a summary (.turbo/runs) with each task's times. */
const turbo = (args) => ["pnpm", ["exec", "turbo", "run", ...args, "--continue", "--summarize"]];

function step(name, [cmd, args]) {
  console.log(`\n▶ ${name}: ${cmd} ${args.join(" ")}`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: "inherit", env });
    child.on("error", (error) => console.error(error));
    child.on("close", (code) => {
      steps.push({ name, seconds: (Date.now() - started) / 1000, ok: code === 0 });
      resolve(code === 0);
    });
  });
}

const seconds = (s) => `${s.toFixed(1).padStart(6)} s`;

/** Each task of this run's turbo summaries, then the summaries go (they are only for this report). */
function turboTasks() {
  const runs = ".turbo/runs";
  if (!existsSync(runs)) return [];
  const tasks = [];
  for (const file of readdirSync(runs)) {
    const path = join(runs, file);
    if (!file.endsWith(".json") || statSync(path).mtimeMs < startedAt) continue;
    for (const task of JSON.parse(readFileSync(path, "utf8")).tasks ?? []) {
      const { startTime, endTime, exitCode } = task.execution ?? {};
      if (startTime === undefined) continue;
      tasks.push({ id: task.taskId, from: (startTime - startedAt) / 1000, seconds: (endTime - startTime) / 1000, ok: exitCode === 0, cached: task.cache?.status === "HIT" });
    }
    rmSync(path);
  }
  return tasks.sort((a, b) => b.seconds - a.seconds);
}

function report() {
  const ok = steps.every((s) => s.ok);
  console.log("\nTime per step:");
  for (const s of steps) console.log(`  ${seconds(s.seconds)}  ${s.ok ? "✔" : "✖"} ${s.name}`);
  console.log("Time per package task (and when it started):");
  for (const t of turboTasks()) console.log(`  ${seconds(t.seconds)}  ${t.ok ? "✔" : "✖"} ${t.id}${t.cached ? " (cached)" : ""}  from ${t.from.toFixed(0)} s`);
  console.log(`Total: ${seconds((Date.now() - startedAt) / 1000).trim()}`);
  console.log(ok ? "\n✔ all checks passed" : `\n✖ failed: ${steps.filter((s) => !s.ok).map((s) => s.name).join(", ")}`);
  process.exit(ok ? 0 : 1);
}

/** Every workspace package with a `test` script, with the bytes of its test files (a stand-in for how long they take). */
function testedPackages() {
  const testBytes = (dir) =>
    readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "node_modules" || entry.name === "dist" ? sum : sum + testBytes(path);
      return /\.test\.tsx?$/.test(entry.name) ? sum + statSync(path).size : sum;
    }, 0);
  return ["apps", "packages"]
    .flatMap((group) => readdirSync(group).map((name) => join(group, name)))
    .filter((dir) => existsSync(join(dir, "package.json")))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
    .filter(({ manifest }) => manifest.scripts?.test)
    .map(({ dir, manifest }) => ({ name: manifest.name, weight: testBytes(join(dir, "src")) }));
}

// Inside with-postgres (below): three lanes, about what two cores take (a suite waits on databases,
// servers and browsers for part of its time). The browser journeys start at once in the first,
// which then takes packages too; the packages' suites go biggest first, so no long suite starts
// last and runs alone. (One turbo run queued the journeys and the biggest suites behind small
// ones, in no set order.)
if (process.argv[2] === "--suites") {
  const queue = testedPackages().sort((a, b) => b.weight - a.weight);
  const lane = async () => {
    let passed = true;
    for (let next = queue.shift(); next; next = queue.shift()) passed = (await step(next.name, turbo(["test", `--filter=${next.name}`]))) && passed;
    return passed;
  };
  const journeysThenPackages = async () => [await step("browser journeys", turbo(["test:e2e"])), await lane()].every(Boolean);
  const passed = await Promise.all([journeysThenPackages(), lane(), lane()]);
  process.exit(passed.every(Boolean) ? 0 : 1);
}

await step("system packages", ["bash", ["scripts/install-system-deps.sh"]]);
// Independent of each other: typecheck and build through turbo (cached per package), lint over the whole tree.
await Promise.all([step("typecheck + build", turbo(["typecheck", "build", "--concurrency=3"])), step("lint", ["pnpm", ["lint"]])]);
// The suites run even when a check failed, so one run reports every failure. A vitest process
// keeps about two thirds of a core busy (much of a test is waiting on a database, a server or a
// browser), so three at a time fill both cores. Environment variables for the tests only (the
// PostgreSQL URL changes every run) pass through turbo without changing the builds' cache keys.
await step("tests", ["node", ["scripts/with-postgres.mjs", "node", "scripts/test.mjs", "--suites"]]);
report();
