import { driverProjects } from "../../vitest.drivers.ts";
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { projects: driverProjects(), testTimeout: 30_000, hookTimeout: 60_000 } });
