import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { errorStatus } from "@pinglass/api";
import { type DomainError, type HttpRefusal, type MessageKey, requestLocale, translate } from "@pinglass/core";

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => unknown;

export interface Route {
  method: string | "*";
  /** An exact path, or a prefix when it ends with "/". */
  path: string;
  handler: Handler;
}

/**
 * A small route table: exact paths first, then the longest matching prefix. `templateOf` names the
 * route a path goes to (its exact path, or its prefix as `/media/*`; null for the fallback), for
 * metrics that must never be labelled with raw paths.
 */
export function createRouter(routes: Route[], fallback: Handler): Handler & { templateOf(pathname: string): string | null } {
  const exact = new Map<string, Route[]>();
  const prefixes = routes.filter((r) => r.path.endsWith("/")).sort((a, b) => b.path.length - a.path.length);
  for (const route of routes.filter((r) => !r.path.endsWith("/"))) exact.set(route.path, [...(exact.get(route.path) ?? []), route]);
  const candidatesOf = (pathname: string) => exact.get(pathname) ?? prefixes.filter((r) => pathname.startsWith(r.path));

  const handler: Handler = (req, res, url) => {
    const candidates = candidatesOf(url.pathname);
    const route = candidates.find((r) => r.method === "*" || r.method === req.method);
    if (route) return route.handler(req, res, url);
    if (candidates.length > 0) return sendRefusal(req, res, 405, "errors.methodNotAllowed", {}, { allow: [...new Set(candidates.map((r) => r.method))].join(", ") });
    return fallback(req, res, url);
  };
  return Object.assign(handler, {
    templateOf(pathname: string) {
      const [route] = candidatesOf(pathname);
      return route ? (route.path.endsWith("/") ? `${route.path}*` : route.path) : null;
    },
  });
}

/**
 * The URL of a request, or null when it cannot be one: a target the URL parser refuses, or a path
 * whose percent-encoding is broken ("/%E0%A4%A"), which every handler would otherwise trip over
 * when it decodes the path.
 */
export function parseRequestUrl(req: IncomingMessage): URL | null {
  try {
    const url = new URL(req.url ?? "/", "http://localhost");
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    return null;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}

/** The code each status has in the answers of procedures, for the plain routes' refusals. */
const codeOfStatus = new Map(Object.entries(errorStatus).map(([code, status]) => [status, code as keyof typeof errorStatus]));

/** A refusal in the caller's language, in the shape the areas' routes answer with: `{ error: { code, messageKey, message } }`. */
export function sendRefusal(req: IncomingMessage, res: ServerResponse, status: number, key: MessageKey, params: Record<string, string | number> = {}, headers: OutgoingHttpHeaders = {}) {
  const locale = requestLocale((name) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  });
  const body: HttpRefusal = { error: { code: codeOfStatus.get(status) ?? (status >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST"), messageKey: key, message: translate(key, locale, params) } };
  sendJson(res, status, body, headers);
}

/** An area's DomainError, answered with the HTTP status tRPC gives the same code, so both doors agree. */
export function sendDomainError(req: IncomingMessage, res: ServerResponse, error: DomainError, headers: OutgoingHttpHeaders = {}) {
  sendRefusal(req, res, errorStatus[error.code], error.key, error.params, headers);
}

export function sendText(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/**
 * A JSON body read with readBody's limits. Text with a NUL character is refused (status 400) like
 * broken JSON: PostgreSQL cannot store it, and no bank or Bot API ever sends it.
 */
export async function readJson(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const text = (await readBody(req, limitBytes)).toString("utf8");
  try {
    return JSON.parse(text, (_key, value: unknown) => {
      if (typeof value === "string" && value.includes("\u0000")) throw new Error("NUL in a JSON string");
      return value;
    });
  } catch {
    throw Object.assign(new Error("unreadable JSON body"), { status: 400 });
  }
}

/** How long a small body (JSON, a webhook) may take to arrive before it is refused with 408. */
export const bodyTimeoutMs = 30_000;

/**
 * Reads a request body up to a limit. A larger one is refused (status 413) as soon as its
 * Content-Length says so or its bytes pass the limit, and one that arrives too slowly with 408:
 * nothing past the limit is kept, and the rest of the body is drained, not read into memory, so
 * the caller can still answer (with `connection: close`).
 */
export function readBody(req: IncomingMessage, limitBytes: number, timeoutMs = bodyTimeoutMs): Promise<Buffer> {
  const tooLarge = () => Object.assign(new Error("body too large"), { status: 413 });
  if (Number(req.headers["content-length"]) > limitBytes) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | null) => {
      clearTimeout(timer);
      req.off("data", onData).off("end", onEnd).off("error", finish).off("close", onClose);
      if (error) {
        req.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) return finish(tooLarge());
      chunks.push(chunk);
    };
    const onEnd = () => finish(null);
    const onClose = () => finish(Object.assign(new Error("the client went away before its body arrived"), { status: 400 }));
    const timer = setTimeout(() => finish(Object.assign(new Error("body too slow"), { status: 408 })), timeoutMs);
    req.on("data", onData).once("end", onEnd).once("error", finish).once("close", onClose);
  });
}
