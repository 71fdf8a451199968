import type { AddressInfo } from "node:net";
import { createSessionTokens } from "@pinglass/accounts";
import type { ApiDeps } from "@pinglass/api";
import { type GenerationWorker, startPaidPhotoset } from "@pinglass/generation";
import { systemClock } from "@pinglass/core";
import { createDb, type DbHandle, migrate } from "@pinglass/db";
import { checkFaceModels, createFaceAnalyzer } from "@pinglass/faces";
import { type BankClient, createTbankClient, type LocalTestBank } from "@pinglass/payments";
import type { Logger } from "pino";
import type { BackgroundLoop } from "./background.ts";
import type { Config } from "./config.ts";
import { developerHooks, developerLoops } from "./developers.ts";
import { generationInfo, generationParts, jobFinishHooks } from "./generation.ts";
import type { Route } from "./http/router.ts";
import { createMetrics, type Metrics, metricsRoute } from "./metrics.ts";
import { buildMedia, mediaLoops, mediaRoutes } from "./media.ts";
import { createLocalCheckoutBank, paymentLoops, paymentRoutes } from "./payments.ts";
import { sharePageRoutes } from "./share-page.ts";
import { buildLimits } from "./rate-limits.ts";
import { createTelegramBot, telegramLoops, telegramRoutes } from "./telegram.ts";

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
  let localBank: LocalTestBank | null = null;
  let listening: (address: AddressInfo | string | null) => void = () => undefined;
  let bank: BankClient;
  if (config.tbank) {
    bank = createTbankClient({ terminalKey: config.tbank.terminalKey, password: config.tbank.password, baseUrl: config.tbank.apiUrl });
    logger.info({ api: config.tbank.apiUrl }, "payments: T-Bank");
  } else {
    // Its notifications come over HTTP to our own POST /webhooks/tbank, like the bank's.
    ({ bank: localBank, listening } = createLocalCheckoutBank(config.publicUrl, logger, systemClock));
    bank = localBank;
    if (config.nodeEnv === "production") {
      logger.warn("payments: PAYMENTS_TEST_CHECKOUT=true in production: the local TEST checkout takes the place of the bank, anyone can \"pay\" without money");
    } else {
      logger.warn("payments: no TBANK_TERMINAL_KEY/TBANK_PASSWORD, using the local TEST checkout (no money is charged)");
    }
  }
  const botApi = createTelegramBot(config.telegram, config.publicUrl, logger);
  // Face checks of selfies and the likeness gate: a missing model stops the start here; the models
  // load on the first analysis, in worker threads.
  checkFaceModels();
  const faces = createFaceAnalyzer({ poolSize: config.faceWorkers });
  const deps: ApiDeps = {
    db: db.db,
    clock: systemClock,
    sessions: createSessionTokens({ secret: config.sessionSecret, ttlSeconds: config.sessionTtlSeconds, clock: systemClock }),
    media: { ...buildMedia(config, logger, systemClock), faces },
    bank,
    payments: { publicUrl: config.publicUrl, ...config.receipt, miniAppCardPayments: config.stars.miniAppCardPayments, logger: logger.child({ area: "payments" }) },
    // Telegram Stars go through the bot's Bot API client.
    stars: botApi ? { api: botApi, prices: config.stars.prices } : null,
    // A paid payment bound to a photoset starts it in the transaction that records it (payments never imports generation).
    onPaid: startPaidPhotoset(systemClock),
    // Developer webhooks hear of payments paid and refunded in the transactions that record them.
    onPaymentChange: developerHooks(systemClock).paymentChanged,
    webhookUrls: { allowPrivateAddresses: config.webhooks.allowPrivateUrls },
    generation: generationInfo(config),
    limits: buildLimits(config.limits, db),
    // The operators' console ends the jobs it cancels as the workers end theirs.
    operators: { telegramIds: config.admin.telegramIds, jobFinishHooks: jobFinishHooks(systemClock), leaseMs: config.generation.leaseSeconds * 1000 },
    ...(config.telegram ? { telegram: { botToken: config.telegram.botToken, botUsername: config.telegram.botUsername, initDataMaxAgeSeconds: config.telegram.initDataMaxAgeSeconds } } : {}),
  };
  const metrics = createMetrics(db.db);
  const generation = generationParts(config, deps, logger, metrics);
  const routes = [metricsRoute(metrics, config.metricsToken), ...generation.routes, ...mediaRoutes(deps, logger), ...sharePageRoutes(deps), ...paymentRoutes(deps, logger, localBank), ...telegramRoutes(deps, config.telegram, botApi, config.publicUrl, logger)];
  const loops = [...generation.loops, ...paymentLoops(deps, logger), ...telegramLoops(deps, botApi, config.publicUrl, logger), ...mediaLoops(deps, logger), ...developerLoops(deps, logger)];
  const close = async () => {
    await faces.close();
    await db.close();
  };
  return { deps, db, routes, loops, metrics, generationWorker: generation.worker, listening, close };
}
