import type { IncomingMessage, ServerResponse } from "node:http";

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => unknown;

export interface Route {
  method: string | "*";
  /** An exact path, or a prefix when it ends with "/". */
  path: string;
  handler: Handler;
}

/** A small route table: exact paths first, then the longest matching prefix. */
export function createRouter(routes: Route[], fallback: Handler): Handler {
  const exact = new Map<string, Route[]>();
  const prefixes = routes.filter((r) => r.path.endsWith("/")).sort((a, b) => b.path.length - a.path.length);
  for (const route of routes.filter((r) => !r.path.endsWith("/"))) exact.set(route.path, [...(exact.get(route.path) ?? []), route]);

  return (req, res, url) => {
    const candidates = exact.get(url.pathname) ?? prefixes.filter((r) => url.pathname.startsWith(r.path));
    const route = candidates.find((r) => r.method === "*" || r.method === req.method);
    if (route) return route.handler(req, res, url);
    if (candidates.length > 0) return sendJson(res, 405, { error: "method not allowed" });
    return fallback(req, res, url);
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}

export function sendText(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Reads a request body up to a limit; larger bodies are refused rather than buffered. */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw Object.assign(new Error("body too large"), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
