import { loadConfig } from "./config.ts";

/** The server's configuration in tests: the defaults, with a session secret and the test API's public URL. */
export const testConfig = loadConfig({ SESSION_SECRET: "x".repeat(32), PUBLIC_URL: "http://pinglass.test" });
