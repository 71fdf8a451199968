import { startLoops } from "./background.ts";
import { loadConfigOrExit } from "./config.ts";
import { createLogger } from "./logger.ts";
import { buildParts } from "./parts.ts";

/**
 * `pnpm worker`: a standalone generation worker on the same database and storage as the server.
 * Run as many as you like, on any machines; they share the slots through Postgres. With --once
 * it works until nothing is due and exits (for cron or a one-off catch-up).
 */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, service: "pinglass-worker" });
  const parts = await buildParts(config, logger);
  const worker = parts.generationWorker;

  if (process.argv.includes("--once")) {
    await worker.tick(new AbortController().signal);
    await parts.close();
    logger.info("nothing left to do");
    return;
  }

  const loops = startLoops([worker], logger);
  logger.info({ pid: process.pid }, "generation worker running");
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "worker stopping: finishing the slots in hand");
    await loops.stop();
    await parts.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
