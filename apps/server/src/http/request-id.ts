import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";

/**
 * A caller's (or a proxy's) X-Request-Id is kept when it looks like an id: 8–64 letters, digits
 * and `._:-`. Anything else (too long, spaces, control characters, several values) gets a new
 * UUID, so a client cannot write into our logs or the audit log through this header.
 */
const saneRequestId = /^[A-Za-z0-9._:-]{8,64}$/;

/** The id of one request: the one it came with if it is sane, else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && saneRequestId.test(given) ? given : randomUUID();
}

/** Where a request keeps its id: a property of its own (a WeakMap beside it costs more per request). */
const idOfRequest = Symbol("requestId");
type WithId = IncomingMessage & { [idOfRequest]?: string };

/** Gives a request its id (requestIdOf) and answers with it in x-request-id. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): void {
  const id = requestIdOf(req);
  (req as WithId)[idOfRequest] = id;
  res.setHeader("x-request-id", id);
}

/** The id the server gave this request; null for one it did not take in (a test's own request). */
export const requestIdFor = (req: IncomingMessage): string | null => (req as WithId)[idOfRequest] ?? null;

/**
 * The logger for the lines about one request: each carries its requestId. It is passed, not found
 * in an AsyncLocalStorage: on Node 20 that store's promise hooks cost every promise of every
 * request, a fifth of the server's throughput in `pnpm bench`.
 */
export function requestLogger(logger: Logger, req: IncomingMessage): Logger {
  const requestId = requestIdFor(req);
  return requestId ? logger.child({ requestId }) : logger;
}
