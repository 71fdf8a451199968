import { defineConfig } from "vitest/config";

// Pure analysis: no database, so no driver projects. Human on wasm is CPU-heavy: generous timeouts.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
