import { defineConfig } from "vitest/config";
import { driverProjects } from "../../vitest.drivers.ts";

export default defineConfig({ test: { projects: driverProjects(), testTimeout: 30_000, hookTimeout: 60_000 } });
