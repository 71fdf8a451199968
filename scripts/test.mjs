#!/usr/bin/env node
// `pnpm test`: every suite (unit, database on PGlite, PostgreSQL and the Neon driver, the browser
// journey), then typecheck and lint. PostgreSQL comes from scripts/with-postgres.mjs.
import { spawnSync } from "node:child_process";

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", TURBO_NO_UPDATE_NOTIFIER: "1" };
const steps = [
  ["bash", ["scripts/install-system-deps.sh"]],
  ["pnpm", ["typecheck"]],
  ["pnpm", ["lint"]],
  ["pnpm", ["build"]],
  ["node", ["scripts/with-postgres.mjs", "pnpm", "exec", "turbo", "run", "test", "test:e2e", "--concurrency=2", "--continue"]],
];
for (const [cmd, args] of steps) {
  console.log(`\n▶ ${cmd} ${args.join(" ")}`);
  const result = spawnSync(cmd, args, { stdio: "inherit", env });
  if (result.status !== 0) {
    console.error(`\n✖ ${cmd} ${args.join(" ")} failed`);
    process.exit(result.status ?? 1);
  }
}
console.log("\n✔ all checks passed");
