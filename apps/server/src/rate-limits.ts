import type { IncomingMessage, ServerResponse } from "node:http";
import { type ApiDeps, createContext, createLimits, type Limits, type RateLimitedAction, retryAfterSeconds } from "@pinglass/api";
import type { DbHandle } from "@pinglass/db";
import { RateLimiterMemory, RateLimiterPostgres } from "rate-limiter-flexible";
import type { Config, Rate } from "./config.ts";
import { sendRefusal } from "./http/router.ts";

/**
 * The abuse limits from configuration. On PostgreSQL and Neon the counts live in the rate_limits
 * table, so every server process sharing the database shares them (a store that fails falls back
 * to this process's memory rather than refusing everyone); on PGlite, one process by design, they
 * live in memory.
 */
export function buildLimits(config: Config["limits"], db: Pick<DbHandle, "pool">): Limits {
  let sweeper = true;
  const limiter = (action: RateLimitedAction | "apiKey", side: "ip" | "user" | "key", rate: Rate) => {
    if (!rate) return undefined;
    const options = { keyPrefix: `${action}:${side}`, points: rate.points, duration: rate.seconds };
    if (!db.pool) return new RateLimiterMemory(options);
    // One limiter deletes the expired rows of the shared table (every five minutes); one is enough.
    const clearExpiredByTimeout = sweeper;
    sweeper = false;
    return new RateLimiterPostgres({
      ...options,
      storeClient: db.pool,
      storeType: "pool",
      tableName: "rate_limits",
      tableCreated: true,
      clearExpiredByTimeout,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  };
  const { rates } = config;
  return createLimits({
    rates: Object.fromEntries(
      Object.entries(rates).map(([action, rate]) => [
        action,
        { perIp: limiter(action as RateLimitedAction, "ip", rate.perIp), perUser: limiter(action as RateLimitedAction, "user", rate.perUser) },
      ]),
    ),
    perApiKey: limiter("apiKey", "key", config.perApiKey),
    avatarsPerUser: config.avatarsPerUser,
    openStreamsPerUser: config.openStreamsPerUser,
    trustProxy: config.trustProxy,
  });
}

/**
 * The guard of a plain HTTP route: takes one point of the action by the caller's IP and user (the
 * session's, or `userId` when the route knows it otherwise). Over the limit it answers 429 with
 * Retry-After and the reason in the caller's language, and returns true: the handler stops there.
 */
export async function refusedOverLimit(deps: ApiDeps, req: IncomingMessage, res: ServerResponse, action: RateLimitedAction, userId?: number): Promise<boolean> {
  if (!deps.limits) return false;
  const caller = createContext(deps, req.headers, null, { remoteAddress: req.socket.remoteAddress });
  const waitMs = await deps.limits.take(action, { ip: caller.ip, userId: userId ?? caller.userId });
  if (waitMs === null) return false;
  sendRefusal(req, res, 429, "errors.tooManyRequests", {}, { "retry-after": retryAfterSeconds(waitMs) });
  return true;
}
