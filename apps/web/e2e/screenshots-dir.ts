import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    screenshotsDir: string;
  }
}

const repoDir = fileURLToPath(new URL("../../..", import.meta.url));

/**
 * Where the browser tests save their screenshots (vitest globalSetup). `pnpm screenshots` sets
 * SCREENSHOTS_DIR=docs/screenshots (a folder from the repository root) to refresh the README's
 * pictures; without it they go to a temporary folder removed after the run, so `pnpm test` takes
 * every screenshot and still changes no tracked file.
 */
export default function setup(project: TestProject) {
  const wanted = process.env.SCREENSHOTS_DIR;
  const dir = wanted ? resolve(repoDir, wanted) : mkdtempSync(join(tmpdir(), "pinglass-screenshots-"));
  mkdirSync(dir, { recursive: true });
  project.provide("screenshotsDir", dir);
  return () => {
    if (!wanted) rmSync(dir, { recursive: true, force: true });
  };
}
