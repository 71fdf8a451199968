import type { AddressInfo } from "node:net";
import { createTestApi } from "@pinglass/api/testing";
import { pino } from "pino";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { mediaArea } from "./media.ts";

/** The server's configuration in tests: the defaults, with a session secret and the test API's public URL. */
export const testConfig = loadConfig({ SESSION_SECRET: "x".repeat(32), PUBLIC_URL: "http://pinglass.test" });

export type TestApi = Awaited<ReturnType<typeof createTestApi>>;

/**
 * The app over a fresh test API, on a free loopback port, with the media area's routes (uploads,
 * signed reads) beside /trpc and /api/v1. close() ends the server, open connections too, and the test database.
 */
export async function startTestServer(): Promise<{ api: TestApi; base: string; close(): Promise<void> }> {
  const api = await createTestApi();
  const logger = pino({ level: "silent" });
  const server = createApp({ deps: api.deps, logger, routes: mediaArea(testConfig, logger, api.clock).parts(api.deps).routes });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    api,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await api.testDb.close();
    },
  };
}
