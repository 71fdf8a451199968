import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Which request a piece of work belongs to, wherever in the process it runs: the server sets it
 * for each HTTP request and the worker for the job it works on, the logger adds it to every line,
 * and a job remembers the request that started it. So one request can be followed through the
 * server and the worker by one id.
 */
const current = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `work` as part of request `requestId` (or of none). */
export function withRequestId<T>(requestId: string | null, work: () => T): T {
  return requestId ? current.run({ requestId }, work) : current.exit(work);
}

/** The request the calling code is part of, or null outside any. */
export const currentRequestId = (): string | null => current.getStore()?.requestId ?? null;
