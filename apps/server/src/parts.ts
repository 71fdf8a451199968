import type { AddressInfo } from "node:net";
import { createSessionTokens } from "@pinglass/accounts";
import type { ApiDeps } from "@pinglass/api";
import { type GenerationWorker, startPaidPhotoset } from "@pinglass/generation";
import { systemClock } from "@pinglass/core";
import { createDb, type DbHandle, migrate } from "@pinglass/db";
import { checkFaceModels, createFaceAnalyzer } from "@pinglass/faces";
import type { Logger } from "pino";
import type { BackgroundLoop } from "./background.ts";
import type { Config } from "./config.ts";
import { developersArea } from "./developers.ts";
import { generationArea } from "./generation.ts";
import type { Route } from "./http/router.ts";
import { createMetrics, type Metrics, metricsRoute } from "./metrics.ts";
import { mediaArea } from "./media.ts";
import { paymentsArea } from "./payments.ts";
import { sharePageArea } from "./share-page.ts";
import { buildLimits } from "./rate-limits.ts";
import { telegramArea } from "./telegram.ts";

/**
 * Builds the real parts from configuration: the database (migrated), and each external service's
 * real client, or its embedded default when it is not configured.
 */
export async function buildParts(
  config: Config,
  logger: Logger,
): Promise<{
  deps: ApiDeps;
  db: DbHandle;
  routes: Route[];
  loops: BackgroundLoop[];
  generationWorker: GenerationWorker;
  /** This process's metrics (GET /metrics), also fed by the HTTP server. */
  metrics: Metrics;
  /** Tells the parts where the HTTP server listens (the local test bank notifies it there). */
  listening(address: AddressInfo | string | null): void;
  close(): Promise<void>;
}> {
  const db = await createDb(config.databaseUrl, { driver: config.databaseDriver });
  logger.info({ database: db.location, driver: db.driver }, db.driver === "pglite" ? "database: embedded PGlite" : "database connected");
  await migrate(db);
  const metrics = createMetrics(db.db);

  // Each area's clients, which ApiDeps carry.
  const payments = paymentsArea(config, logger, systemClock);
  const telegram = telegramArea(config, logger);
  // Face checks of selfies and the likeness gate: a missing model stops the start here; the models
  // load on the first analysis, in worker threads.
  checkFaceModels();
  const faces = createFaceAnalyzer({ poolSize: config.faceWorkers });
  const media = mediaArea(config, logger, systemClock);
  const developers = developersArea(logger, systemClock);
  const generation = generationArea(config, logger, metrics, developers.hooks);
  const sharePage = sharePageArea();

  const deps: ApiDeps = {
    db: db.db,
    clock: systemClock,
    sessions: createSessionTokens({ secret: config.sessionSecret, ttlSeconds: config.sessionTtlSeconds, clock: systemClock }),
    media: { ...media.media, faces },
    bank: payments.bank,
    payments: { publicUrl: config.publicUrl, ...config.receipt, miniAppCardPayments: config.stars.miniAppCardPayments, logger: logger.child({ area: "payments" }) },
    // Telegram Stars go through the bot's Bot API client.
    stars: telegram.botApi ? { api: telegram.botApi, prices: config.stars.prices } : null,
    // A paid payment bound to a photoset starts it in the transaction that records it (payments never imports generation).
    onPaid: startPaidPhotoset(systemClock),
    // Developer webhooks hear of payments paid and refunded in the transactions that record them.
    onPaymentChange: developers.hooks.paymentChanged,
    webhookUrls: { allowPrivateAddresses: config.webhooks.allowPrivateUrls },
    generation: generation.info,
    limits: buildLimits(config.limits, db),
    // The operators' console ends the jobs it cancels as the workers end theirs.
    operators: { telegramIds: config.admin.telegramIds, jobFinishHooks: generation.jobFinishHooks, leaseMs: config.generation.leaseSeconds * 1000 },
    ...(config.telegram ? { telegram: { botToken: config.telegram.botToken, botUsername: config.telegram.botUsername, initDataMaxAgeSeconds: config.telegram.initDataMaxAgeSeconds } } : {}),
  };

  // The areas in route precedence order; generation's parts are kept by name for its worker (`pnpm worker`).
  const generationParts = generation.parts(deps);
  const areas = [generationParts, ...[media, sharePage, payments, telegram, developers].map((area) => area.parts(deps))];
  const routes = [metricsRoute(metrics, config.metricsToken), ...areas.flatMap((area) => area.routes)];
  const loops = areas.flatMap((area) => area.loops);
  const close = async () => {
    await faces.close();
    await db.close();
  };
  return { deps, db, routes, loops, metrics, generationWorker: generationParts.worker, listening: payments.listening, close };
}
