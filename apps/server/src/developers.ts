import { pruneIdempotencyKeys } from "@pinglass/accounts";
import type { ApiDeps } from "@pinglass/api";
import type { Clock } from "@pinglass/core";
import { deliverDueWebhooks, pruneWebhookDeliveries, webhookHooks } from "@pinglass/webhooks";
import type { Logger } from "pino";
import type { Area } from "./area.ts";
import type { BackgroundLoop } from "./background.ts";

/** The hooks developer webhooks come from: the domains run them inside the transactions of their changes. */
export type DeveloperHooks = ReturnType<typeof webhookHooks>;

/** The developers' door: the webhook hooks it hands to payments and generation, and its loops (no routes: its doors are /trpc and /api/v1). */
export function developersArea(logger: Logger, clock: Clock): Area & { hooks: DeveloperHooks } {
  return { hooks: webhookHooks(clock), parts: (deps) => ({ routes: [], loops: developerLoops(deps, logger) }) };
}

/**
 * Claims in one tick at most, twenty deliveries each: one job's events go one claim after another
 * (in order), so a tick keeps claiming while there is anything due, and the loop comes back a
 * second later for what is left.
 */
const maxRoundsPerTick = 50;

/**
 * The developers' door's background work, in-process or in the worker: delivering webhooks, and
 * forgetting what is past keeping (delivered webhooks after 30 days, idempotency keys after 24 hours).
 */
function developerLoops(deps: ApiDeps, logger: Logger): BackgroundLoop[] {
  const delivery = { db: deps.db, clock: deps.clock, policy: deps.webhookUrls ?? { allowPrivateAddresses: false }, logger: logger.child({ area: "webhooks" }) };
  return [
    {
      name: "webhooks.deliver",
      intervalMs: 1_000,
      async tick(signal) {
        for (let round = 0; round < maxRoundsPerTick && !signal.aborted; round++) {
          if ((await deliverDueWebhooks(delivery, 20)) === 0) return;
        }
      },
    },
    {
      name: "developers.prune",
      intervalMs: 10 * 60_000,
      async tick() {
        const now = deps.clock.now();
        const deliveries = await pruneWebhookDeliveries(deps.db, now);
        const keys = await pruneIdempotencyKeys(deps.db, now);
        if (deliveries + keys > 0) logger.info({ deliveries, idempotencyKeys: keys }, "developers: old webhook deliveries and idempotency keys deleted");
      },
    },
  ];
}
