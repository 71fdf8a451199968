/**
 * Who is calling: the user of a session token, or the user of an API key limited to its scopes.
 * Both /trpc (authedProcedure) and the plain routes that need a user (selfie uploads) ask here.
 */
import { findApiKey, requireLiveUser } from "@pinglass/accounts";
import { DomainError } from "@pinglass/core";
import { retryAfterSeconds, tooManyRequests } from "./rate-limit.ts";
import type { ProcedureAccess } from "./scopes.ts";
import type { Context } from "./trpc.ts";

export interface Caller {
  userId: number;
  /** The API key it calls with; null for a session. */
  apiKeyId: number | null;
}

/**
 * The caller of `procedure` (its name, for the refusal), which needs `access`. A session must
 * belong to a user who still exists; an API key must be neither revoked nor deleted with its
 * account (both are checked on every call, so they stop at once), hold the scope, and have
 * budget left in its own rate limit. `userRowReadLater`: the caller's procedure checks the session's
 * user itself (ProcedureMeta.readsCallerRow).
 */
export async function authenticate(
  ctx: Pick<Context, "deps" | "userId" | "apiKey" | "setHeader">,
  procedure: string,
  access: ProcedureAccess,
  userRowReadLater = false,
): Promise<Caller> {
  if (ctx.apiKey !== null) {
    const key = await findApiKey(ctx.deps.db, ctx.apiKey, ctx.deps.clock.now());
    if (!key) throw new DomainError("UNAUTHORIZED", "errors.apiKey.invalid");
    if (access === "session" || access === "open") throw new DomainError("FORBIDDEN", "errors.apiKey.sessionOnly", { procedure });
    if (!key.scopes.includes(access)) throw new DomainError("FORBIDDEN", "errors.apiKey.scope", { scope: access, procedure });
    const waitMs = (await ctx.deps.limits?.takeApiKeyCall(key.apiKeyId)) ?? null;
    if (waitMs !== null) {
      ctx.setHeader("retry-after", retryAfterSeconds(waitMs));
      throw tooManyRequests();
    }
    return { userId: key.userId, apiKeyId: key.apiKeyId };
  }
  if (ctx.userId === null) throw new DomainError("UNAUTHORIZED", "errors.unauthorized");
  if (!userRowReadLater) await requireLiveUser(ctx.deps.db, ctx.userId);
  return { userId: ctx.userId, apiKeyId: null };
}
