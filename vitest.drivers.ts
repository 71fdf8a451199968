import type { TestProjectInlineConfiguration } from "vitest/config";

/**
 * The same suites once per database driver: PGlite always; PostgreSQL (node-postgres) and the
 * Neon driver (through a loopback WebSocket relay) whenever TEST_POSTGRES_URL names a server.
 * Each run shows up in the output under its project name.
 */
export function driverProjects(): TestProjectInlineConfiguration[] {
  const drivers = process.env.TEST_POSTGRES_URL ? ["pglite", "postgres", "neon"] : ["pglite"];
  return drivers.map((driver) => ({ extends: true, test: { name: driver, env: { TEST_DB: driver } } }));
}
