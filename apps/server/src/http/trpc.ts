import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { AnyRouter } from "@trpc/server";
import { incomingMessageToRequest, internal_exceptionHandler } from "@trpc/server/adapters/node-http";
import { type CreateHTTPHandlerOptions, createHTTPHandler } from "@trpc/server/adapters/standalone";
import { resolveResponse } from "@trpc/server/http";

/**
 * tRPC over node:http: the standalone adapter, except that an answer which is one JSON document
 * (queries, mutations, and batches that are not streamed: every call of the web app) is sent in
 * one write with a Content-Length. The adapter pipes each answer through a WebStream as chunked
 * encoding, two writes per answer, which costs about half the throughput under load (measured by
 * `pnpm bench`). Streamed answers (SSE subscriptions, JSONL batches) stay with the adapter.
 */
export function createTrpcHandler<TRouter extends AnyRouter>(opts: CreateHTTPHandlerOptions<TRouter>): RequestListener {
  const streamed = createHTTPHandler(opts);
  const basePath = opts.basePath ?? "/";
  const procedures = opts.router._def.procedures as Record<string, { _def: { type: string } } | undefined>;

  return (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname.slice(basePath.length);
    if (answersAsStream(req, path, procedures)) return streamed(req, res);
    void sendWhole(opts, req, res, path).catch(internal_exceptionHandler({ ...opts, req, res, path }));
  };
}

/** JSONL batches, subscriptions, and anything not known here (lazy routers) go to the adapter. */
function answersAsStream(req: IncomingMessage, path: string, procedures: Record<string, { _def: { type: string } } | undefined>): boolean {
  const accept = req.headers["trpc-accept"] ?? req.headers.accept;
  if (typeof accept === "string" && accept.includes("application/jsonl")) return true;
  let names: string[];
  try {
    names = decodeURIComponent(path).split(",");
  } catch {
    return true;
  }
  return names.some((name) => procedures[name]?._def.type !== "query" && procedures[name]?._def.type !== "mutation");
}

async function sendWhole<TRouter extends AnyRouter>(opts: CreateHTTPHandlerOptions<TRouter>, req: IncomingMessage, res: ServerResponse, path: string) {
  const request = incomingMessageToRequest(req, res, { maxBodySize: opts.maxBodySize ?? null });
  const response = await resolveResponse({
    ...opts,
    req: request,
    path,
    error: null,
    createContext: async (inner) => (await opts.createContext?.({ req, res, ...inner })) as never,
    onError: (o) => opts.onError?.({ ...o, req }),
  });
  const body = Buffer.from(await response.arrayBuffer());
  res.statusCode = response.status;
  for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  res.setHeader("content-length", body.length);
  res.end(body);
}
