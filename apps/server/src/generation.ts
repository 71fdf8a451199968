import type { ApiDeps } from "@pinglass/api";
import { createGenerationWorker, type GenerationWorker, type JobFinishHook, providerInfo } from "@pinglass/generation";
import { scheduleRefundForJob } from "@pinglass/payments";
import { scheduleDeliveryForJob } from "@pinglass/telegram";
import type { Logger } from "pino";
import type { BackgroundLoop } from "./background.ts";
import type { Config } from "./config.ts";
import { developerHooks } from "./developers.ts";
import type { Route } from "./http/router.ts";
import { createImageProvider, providerWebhookRoutes } from "./image-providers.ts";

/** Inside the transaction that ends a job: the refund of what failed, the Telegram delivery. */
export const finishHooks: JobFinishHook[] = [scheduleRefundForJob, scheduleDeliveryForJob];

/** What the API says about the provider: it depends on configuration only. */
export const generationInfo = (config: Config): ApiDeps["generation"] => ({ provider: providerInfo(config.imageProvider.kind), progressIntervalMs: 1000 });

/**
 * The generation worker of this process (the same code as `pnpm worker`), the provider webhooks
 * that hand callbacks to it, and its loop, which runs here unless GENERATION_WORKER=off leaves the
 * slots to standalone workers. Callbacks are handled here either way.
 */
export function generationParts(config: Config, deps: ApiDeps, logger: Logger): { worker: GenerationWorker; routes: Route[]; loops: BackgroundLoop[] } {
  const provider = createImageProvider(config.imageProvider, { storage: deps.media.storage, clock: deps.clock });
  // Developer webhooks hear of each stored photo and each finished job in the same transactions.
  const webhooks = developerHooks(deps.clock);
  const worker = createGenerationWorker(
    {
      db: deps.db,
      clock: deps.clock,
      storage: deps.media.storage,
      faces: deps.media.faces,
      provider,
      callbackUrl: `${config.publicUrl}/webhooks/${provider.name}`,
      hooks: [...finishHooks, webhooks.jobFinished],
      photoHooks: [webhooks.photosCreated],
      logger,
    },
    { perJobConcurrency: config.generation.perJobConcurrency, leaseMs: config.generation.leaseSeconds * 1000, likenessGate: config.generation.likenessGate, likenessRetries: config.generation.likenessRetries },
  );
  if (provider.name === "local") logger.warn("generation: no image provider key configured, using the local offline preview renderer");
  else logger.info({ provider: provider.name, maxConcurrency: provider.maxConcurrency }, "generation: remote image provider");
  if (!config.generation.likenessGate) logger.warn("generation: LIKENESS_GATE=off, photos are not checked for likeness");
  const routes = providerWebhookRoutes({ provider, completeTask: worker.completeTask, logger });
  return { worker, routes, loops: config.generation.inProcessWorker ? [worker] : [] };
}
