import { driverProjects } from "../../vitest.drivers.ts";
import { defineConfig } from "vitest/config";

/**
 * `*.postgres.test.ts` need a database that several processes open at once (the worker crash
 * test), which in-memory PGlite cannot be: they run in the postgres project only.
 */
const projects = driverProjects().map((project) =>
  project.test?.name === "postgres" ? project : { ...project, test: { ...project.test, exclude: [...(project.test?.exclude ?? []), "**/*.postgres.test.ts"] } },
);

export default defineConfig({ test: { projects, testTimeout: 60_000, hookTimeout: 90_000 } });
