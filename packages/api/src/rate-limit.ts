/**
 * Abuse limits: how often a client may do the costly or account-making things (per IP and per
 * user, counted in a store every server process shares), how many progress streams one user may
 * hold open, and how many avatars one account may have. The server builds them from
 * configuration; the tRPC procedures and the plain HTTP routes take from the same object.
 */
import { isIPv6 } from "node:net";
import { DomainError } from "@pinglass/core";
import type { Context } from "./trpc.ts";

export const rateLimitedActions = ["sessionStart", "upload", "paymentCreate", "zipDownload", "progressStream"] as const;
export type RateLimitedAction = (typeof rateLimitedActions)[number];

/**
 * Points per key in a window. rate-limiter-flexible's limiters are this: consume rejects with a
 * RateLimiterRes (msBeforeNext) when the points are spent, or with an Error when the store fails.
 */
export interface PointsLimiter {
  consume(key: string, points?: number): Promise<unknown>;
}

export interface LimitsOptions {
  /** Per action, its limiter by client IP and by user; an action or side left out is not limited. */
  rates: Partial<Record<RateLimitedAction, { perIp?: PointsLimiter; perUser?: PointsLimiter }>>;
  /** Every call made with an API key, counted per key (a developer's program has its own budget, apart from the app's). */
  perApiKey?: PointsLimiter;
  avatarsPerUser: number;
  /** Progress streams one user may hold open at once, in this server process. */
  openStreamsPerUser: number;
  /** Take the client's address from X-Forwarded-For (set by the proxy in front), not the socket. */
  trustProxy: boolean;
}

export interface Limits {
  readonly avatarsPerUser: number;
  readonly trustProxy: boolean;
  /** Takes one point of the action by the caller's IP and by its user; the milliseconds to wait when either is spent, else null. */
  take(action: RateLimitedAction, caller: { ip: string | null; userId: number | null }): Promise<number | null>;
  /** Takes one point of the API key's own budget; the milliseconds to wait when it is spent, else null. */
  takeApiKeyCall(apiKeyId: number): Promise<number | null>;
  /** One more open progress stream of the user, with its release (safe to call twice); null at the cap. */
  holdStream(userId: number): (() => void) | null;
}

/** One point of `key`; the milliseconds to wait when its points are spent, else null. */
async function consumed(limiter: PointsLimiter, key: string): Promise<number | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (refusal) {
    if (refusal instanceof Error) throw refusal;
    return (refusal as { msBeforeNext: number }).msBeforeNext;
  }
}

export function createLimits(options: LimitsOptions): Limits {
  const openStreams = new Map<number, number>();
  return {
    avatarsPerUser: options.avatarsPerUser,
    trustProxy: options.trustProxy,
    async take(action, caller) {
      const rate = options.rates[action];
      const sides: [PointsLimiter | undefined, string | null][] = [
        [rate?.perIp, caller.ip],
        [rate?.perUser, caller.userId === null ? null : String(caller.userId)],
      ];
      for (const [limiter, key] of sides) {
        if (!limiter || key === null) continue;
        const waitMs = await consumed(limiter, key);
        if (waitMs !== null) return waitMs;
      }
      return null;
    },
    takeApiKeyCall: (apiKeyId) => (options.perApiKey ? consumed(options.perApiKey, String(apiKeyId)) : Promise.resolve(null)),
    holdStream(userId) {
      const open = openStreams.get(userId) ?? 0;
      if (open >= options.openStreamsPerUser) return null;
      openStreams.set(userId, open + 1);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        const left = (openStreams.get(userId) ?? 1) - 1;
        if (left > 0) openStreams.set(userId, left);
        else openStreams.delete(userId);
      };
    },
  };
}

/** Whole seconds, at least one: what Retry-After says. */
export const retryAfterSeconds = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)));

export const tooManyRequests = () => new DomainError("TOO_MANY_REQUESTS", "errors.tooManyRequests");

/**
 * A tRPC middleware that takes one point of the action before the procedure does anything; over
 * the limit the answer is 429 with Retry-After and errors.tooManyRequests in the caller's language.
 */
export function rateLimited(action: RateLimitedAction) {
  return async <Result>({ ctx, next }: { ctx: Context; next: () => Promise<Result> }): Promise<Result> => {
    const waitMs = await ctx.deps.limits?.take(action, ctx);
    if (waitMs != null) {
      ctx.setHeader("retry-after", retryAfterSeconds(waitMs));
      throw tooManyRequests();
    }
    return next();
  };
}

/**
 * The client's address: the socket's, or behind a trusted proxy the last X-Forwarded-For entry
 * (the one that proxy added; earlier ones are whatever the client sent). IPv6 clients are counted
 * by their /64, which one subscriber usually holds whole.
 */
export function clientIp(remoteAddress: string | null | undefined, forwardedFor: string | null | undefined, trustProxy: boolean): string | null {
  const forwarded = trustProxy ? forwardedFor?.split(",").at(-1)?.trim() : undefined;
  const address = (forwarded || remoteAddress)?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "").replace(/%.*$/, "");
  if (!address) return null;
  // An IPv4 address has no colon; node's IPv6 check is a long regular expression, run on every call otherwise.
  return address.includes(":") && isIPv6(address) ? ipv6Slash64(address) : address;
}

function ipv6Slash64(address: string): string {
  const [head = "", tail] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}
