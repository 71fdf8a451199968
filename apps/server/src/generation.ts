import type { ApiDeps } from "@pinglass/api";
import { createGenerationWorker, type GenerationWorker, type JobFinishHook, observedProvider, type ProviderCallObserver, providerInfo, pruneProviderCalls, recordProviderCall } from "@pinglass/generation";
import { scheduleRefundForJob } from "@pinglass/payments";
import { scheduleDeliveryForJob } from "@pinglass/telegram";
import type { Logger } from "pino";
import type { Area, AreaParts } from "./area.ts";
import type { BackgroundLoop } from "./background.ts";
import type { Config } from "./config.ts";
import type { DeveloperHooks } from "./developers.ts";
import { createImageProvider, providerWebhookRoutes } from "./image-providers.ts";
import type { Metrics } from "./metrics.ts";

/** Inside the transaction that ends a job: the refund of what failed, the Telegram delivery. */
export const finishHooks: JobFinishHook[] = [scheduleRefundForJob, scheduleDeliveryForJob];

/**
 * The generation area. To ApiDeps it hands what the API says about the provider and the hooks a
 * job's end sets going (the workers and the operators' console end jobs alike). Its parts: this
 * process's generation worker (the same code as `pnpm worker`), the provider webhooks that hand
 * callbacks to it, and its loop, which runs here unless GENERATION_WORKER=off leaves the slots to
 * standalone workers. Callbacks are handled here either way.
 */
export function generationArea(
  config: Config,
  logger: Logger,
  metrics: Metrics,
  webhooks: DeveloperHooks,
): Area<AreaParts & { worker: GenerationWorker }> & { info: ApiDeps["generation"]; jobFinishHooks: JobFinishHook[] } {
  const jobFinishHooks = [...finishHooks, webhooks.jobFinished];
  return {
    info: { provider: providerInfo(config.imageProvider.kind), progressIntervalMs: 1000 },
    jobFinishHooks,
    parts(deps) {
      // Every provider call is counted here and written to provider_calls, where the console sees those of every worker process.
      const observe: ProviderCallObserver = (call) => {
        metrics.observeProviderCall(call);
        recordProviderCall(deps.db, call).catch((error: unknown) => logger.warn({ err: error }, "generation: a provider call could not be written to provider_calls"));
      };
      const provider = observedProvider(createImageProvider(config.imageProvider, { storage: deps.media.storage, clock: deps.clock }), () => deps.clock.now(), observe);
      const worker = createGenerationWorker(
        {
          db: deps.db,
          clock: deps.clock,
          storage: deps.media.storage,
          faces: deps.media.faces,
          provider,
          callbackUrl: `${config.publicUrl}/webhooks/${provider.name}`,
          hooks: jobFinishHooks,
          // Developer webhooks hear of each stored photo and each finished job in the same transactions.
          photoHooks: [webhooks.photosCreated],
          logger,
        },
        { perJobConcurrency: config.generation.perJobConcurrency, leaseMs: config.generation.leaseSeconds * 1000, likenessGate: config.generation.likenessGate, likenessRetries: config.generation.likenessRetries },
      );
      if (provider.name === "local") logger.warn("generation: no image provider key configured, using the local offline preview renderer");
      else logger.info({ provider: provider.name, maxConcurrency: provider.maxConcurrency }, "generation: remote image provider");
      if (!config.generation.likenessGate) logger.warn("generation: LIKENESS_GATE=off, photos are not checked for likeness");
      const routes = providerWebhookRoutes({ provider, completeTask: worker.completeTask, logger });
      const pruneCalls: BackgroundLoop = {
        name: "generation.providerCalls.prune",
        intervalMs: 60 * 60_000,
        async tick() {
          await pruneProviderCalls(deps.db, deps.clock.now());
        },
      };
      return { worker, routes, loops: config.generation.inProcessWorker ? [worker, pruneCalls] : [pruneCalls] };
    },
  };
}
