import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

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
