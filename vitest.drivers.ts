import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { configDefaults, type TestProjectInlineConfiguration } from "vitest/config";

/**
 * The same suites once per database driver: PGlite always; PostgreSQL (node-postgres) and the
 * Neon driver (through a loopback WebSocket relay) whenever TEST_POSTGRES_URL names a server.
 * Each run shows up in the output under its project name.
 *
 * A test file whose imports never reach the driver choice (TEST_DB, TEST_POSTGRES_URL: read in
 * packages/db/src/testing) does the same thing on every driver, so it runs once, in the pglite
 * project, instead of three times.
 */
export function driverProjects(packageDir = process.cwd()): TestProjectInlineConfiguration[] {
  if (!process.env.TEST_POSTGRES_URL) return [project("pglite")];
  const sameOnEveryDriver = testFiles(packageDir)
    .filter((file) => !reachesDriverChoice(file))
    .map((file) => relative(packageDir, file));
  return [project("pglite"), project("postgres", sameOnEveryDriver), project("neon", sameOnEveryDriver)];
}

/**
 * `isolate: false`: a worker keeps its loaded modules from one test file to the next. Loading the
 * packages' module graph again for every file was half the suite's CPU time; every test file
 * makes its own database, servers and clocks, so nothing else carries over.
 */
const project = (driver: string, exclude: string[] = []): TestProjectInlineConfiguration => ({
  extends: true,
  test: { name: driver, env: { TEST_DB: driver }, isolate: false, exclude: [...configDefaults.exclude, ...exclude] },
});

const skippedDirs = new Set(["node_modules", "dist", ".turbo"]);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return skippedDirs.has(entry.name) ? [] : testFiles(path);
    return /\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

const repoDir = fileURLToPath(new URL(".", import.meta.url));
const driverChoice = /\b(TEST_DB|TEST_POSTGRES_URL)\b/;
const importSpecifier = /\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g;

/** Each workspace package's entry points (`@pinglass/<name>/<entry>` → file), to follow its imports. */
const workspaceEntries = new Map<string, string>(
  ["packages", "apps"].flatMap((group) =>
    readdirSync(join(repoDir, group))
      .map((name) => join(repoDir, group, name))
      .filter((dir) => existsSync(join(dir, "package.json")))
      .flatMap((dir) => {
        const { name, exports = {} } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; exports?: Record<string, unknown> };
        return Object.entries(exports).flatMap(([entry, file]) => (typeof file === "string" ? [[join(name, entry), join(dir, file)] as const] : []));
      }),
  ),
);

function resolveImport(from: string, specifier: string): string | undefined {
  const path = specifier.startsWith(".") ? resolve(dirname(from), specifier) : workspaceEntries.get(specifier);
  if (!path) return undefined;
  return [path, `${path}.ts`, join(path, "index.ts")].find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

const sources = new Map<string, string>();

/** Whether the file, or anything it imports from this repository, reads the driver choice. */
function reachesDriverChoice(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  const source = sources.get(file) ?? readFileSync(file, "utf8");
  sources.set(file, source);
  if (driverChoice.test(source)) return true;
  for (const [, specifier] of source.matchAll(importSpecifier)) {
    const target = resolveImport(file, specifier!);
    if (target && reachesDriverChoice(target, seen)) return true;
  }
  return false;
}
