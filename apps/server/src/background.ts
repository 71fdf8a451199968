import { sleep } from "@pinglass/core";
import type { Logger } from "pino";

/**
 * Periodic work that runs beside the HTTP server (in-process by default) or in `pnpm worker`:
 * the generation worker, payment reconciliation and refunds, Telegram deliveries. Each loop's
 * tick does a bounded amount of work; correctness across processes comes from the database
 * (leases, FOR UPDATE SKIP LOCKED, unique keys), never from this runner.
 */
export interface BackgroundLoop {
  name: string;
  intervalMs: number;
  tick(signal: AbortSignal): Promise<void>;
}

export function startLoops(loops: BackgroundLoop[], logger: Logger): { stop(): Promise<void> } {
  const controller = new AbortController();
  const running = loops.map(async (loop) => {
    while (!controller.signal.aborted) {
      try {
        await loop.tick(controller.signal);
      } catch (error) {
        logger.error({ err: error, loop: loop.name }, "background loop failed; retrying after its interval");
      }
      await sleep(loop.intervalMs, controller.signal);
    }
  });
  return {
    async stop() {
      controller.abort();
      await Promise.all(running);
    },
  };
}
