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
const turbo = (...args) => ["pnpm", ["exec", "turbo", "run", ...args, "--continue", "--summarize"]];

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
      tasks.push({ id: task.taskId, seconds: (endTime - startTime) / 1000, ok: exitCode === 0, cached: task.cache?.status === "HIT" });
    }
    rmSync(path);
  }
  return tasks.sort((a, b) => b.seconds - a.seconds);
}

function report() {
  const ok = steps.every((s) => s.ok);
  console.log("\nTime per step:");
  for (const s of steps) console.log(`  ${seconds(s.seconds)}  ${s.ok ? "✔" : "✖"} ${s.name}`);
  console.log("Time per package task:");
  for (const t of turboTasks()) console.log(`  ${seconds(t.seconds)}  ${t.ok ? "✔" : "✖"} ${t.id}${t.cached ? " (cached)" : ""}`);
  console.log(`Total: ${seconds((Date.now() - startedAt) / 1000).trim()}`);
  console.log(ok ? "\n✔ all checks passed" : `\n✖ failed: ${steps.filter((s) => !s.ok).map((s) => s.name).join(", ")}`);
  process.exit(ok ? 0 : 1);
}

await step("system packages", ["bash", ["scripts/install-system-deps.sh"]]);
// Independent of each other: typecheck and build through turbo (cached per package), lint over the whole tree.
await Promise.all([step("typecheck + build", turbo("typecheck", "build", "--concurrency=3")), step("lint", ["pnpm", ["lint"]])]);
// The suites run even when a check failed, so one run reports every failure. A vitest process
// keeps about half a core busy (much of a test is waiting on a database, a server or a browser),
// so three packages at a time fill both cores.
await step("tests", ["node", ["scripts/with-postgres.mjs", ...turbo("test", "test:e2e", "--concurrency=3").flat()]]);
report();
