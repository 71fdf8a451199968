/**
 * The log of image-provider calls (provider_calls): every worker process writes each call it
 * makes, so the operators' console sees latency and errors across all of them.
 */
import { type DbOrTx, type ProviderCallOperation, type ProviderCallOutcome, providerCalls, rowsOf } from "@pinglass/db";
import { lt, sql } from "drizzle-orm";
import type { ImageProvider, ProviderOutcome, SubmitResult } from "./providers/types.ts";

export interface ProviderCall {
  provider: string;
  operation: ProviderCallOperation;
  outcome: ProviderCallOutcome;
  durationMs: number;
  at: Date;
  error?: string | null;
}

/** Called once per provider call as it ends; the caller decides where it goes (the log table, metrics). */
export type ProviderCallObserver = (call: ProviderCall) => void;

/** `failed` when the provider answered that the render failed; a call that threw is an `error`. */
const outcomeOf = (answer: SubmitResult | ProviderOutcome): ProviderCallOutcome => (answer.kind === "failed" ? "failed" : "ok");

/**
 * The provider with each submit and check timed and reported to `observe`, whatever its answer;
 * what it answers or throws is passed on unchanged.
 */
export function observedProvider(provider: ImageProvider, now: () => Date, observe: ProviderCallObserver): ImageProvider {
  async function timed<T extends SubmitResult | ProviderOutcome>(operation: ProviderCallOperation, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const report = (outcome: ProviderCallOutcome, error: string | null = null) =>
      observe({ provider: provider.name, operation, outcome, durationMs: Math.round(performance.now() - started), at: now(), error });
    try {
      const answer = await call();
      report(outcomeOf(answer), answer.kind === "failed" ? answer.reason : null);
      return answer;
    } catch (error) {
      report("error", error instanceof Error ? error.message : String(error));
      throw error;
    }
  }
  return {
    name: provider.name,
    maxConcurrency: provider.maxConcurrency,
    submit: (request, signal) => timed("submit", () => provider.submit(request, signal)),
    check: (taskId, signal) => timed("check", () => provider.check(taskId, signal)),
    ...(provider.verifyCallback ? { verifyCallback: provider.verifyCallback.bind(provider) } : {}),
  };
}

export async function recordProviderCall(db: DbOrTx, call: ProviderCall): Promise<void> {
  await db.insert(providerCalls).values({ ...call, error: call.error?.slice(0, 500) ?? null });
}

/** Calls older than this are deleted by pruneProviderCalls. */
export const providerCallRetentionMs = 7 * 86_400_000;

export async function pruneProviderCalls(db: DbOrTx, now: Date): Promise<number> {
  const gone = await db.delete(providerCalls).where(lt(providerCalls.at, new Date(now.getTime() - providerCallRetentionMs))).returning({ id: providerCalls.id });
  return gone.length;
}

/** One provider's calls in a window: how many, how many went wrong, and their latency. */
export interface ProviderCallStats {
  provider: string;
  window: "hour" | "day";
  calls: number;
  /** Calls that threw or whose render the provider reported failed. */
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

/** Latency percentiles and error counts per provider over the last hour and the last day. */
export async function providerCallStats(db: DbOrTx, now: Date): Promise<ProviderCallStats[]> {
  const windows = [
    ["hour", 3_600_000],
    ["day", 86_400_000],
  ] as const;
  const stats: ProviderCallStats[] = [];
  for (const [window, ms] of windows) {
    const rows = rowsOf<{ provider: string; calls: number; errors: number; p50: number | null; p95: number | null }>(
      await db.execute(sql`
        SELECT provider, count(*)::int AS calls, count(*) FILTER (WHERE outcome <> 'ok')::int AS errors,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
        FROM provider_calls WHERE at >= ${new Date(now.getTime() - ms).toISOString()}::timestamp
        GROUP BY provider ORDER BY provider`),
    );
    for (const r of rows) {
      stats.push({ provider: r.provider, window, calls: Number(r.calls), errors: Number(r.errors), p50Ms: r.p50 === null ? null : Math.round(Number(r.p50)), p95Ms: r.p95 === null ? null : Math.round(Number(r.p95)) });
    }
  }
  return stats;
}
