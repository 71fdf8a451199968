import { fileURLToPath } from "node:url";
import { createApp } from "./app.ts";
import { startLoops } from "./background.ts";
import { loadConfigOrExit } from "./config.ts";
import { createLogger } from "./logger.ts";
import { linkOrigins } from "./http/security-headers.ts";
import { buildParts } from "./parts.ts";

const defaultWebDist = fileURLToPath(new URL("../../web/dist", import.meta.url));

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, service: "pinglass" });
  const parts = await buildParts(config, logger);
  const security = { https: config.publicUrl.startsWith("https:"), origins: await linkOrigins(config.publicUrl, parts.deps.media.storage) };
  const server = createApp({ deps: parts.deps, logger, webDist: config.webDist ?? defaultWebDist, routes: parts.routes, security, metrics: parts.metrics });

  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const address = server.address();
  parts.listening(address);
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info({ port }, `PinGlass is running at http://localhost:${port}`);
  const loops = startLoops(parts.loops, logger);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: no new connections, finishing requests in flight");
    server.closeIdleConnections();
    // In-flight requests finish; long-lived streams get a few seconds before they are cut.
    const force = setTimeout(() => server.closeAllConnections(), 5000).unref();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(force);
    await loops.stop();
    await parts.close();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
