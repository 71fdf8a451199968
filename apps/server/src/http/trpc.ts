import type { IncomingMessage, ServerResponse } from "node:http";
import type { AnyRouter } from "@trpc/server";
import { incomingMessageToRequest, internal_exceptionHandler } from "@trpc/server/adapters/node-http";
import { type CreateHTTPHandlerOptions, createHTTPHandler } from "@trpc/server/adapters/standalone";
import { resolveResponse } from "@trpc/server/http";
import {
  getErrorShape,
  getHTTPStatusCode,
  getRequestInfo,
  getTRPCErrorFromUnknown,
  type TRPCRequestInfo,
  type TRPCResponse,
  transformTRPCResponse,
} from "@trpc/server/unstable-core-do-not-import";

/**
 * tRPC over node:http, in three lanes measured by `pnpm bench`:
 * - GET queries (every read of the web app) are answered straight from node's request (answerQueries);
 * - other one-document answers (mutations, POST batches) go through resolveResponse and are sent
 *   in one write with a Content-Length, where the adapter would pipe a WebStream as chunked encoding;
 * - streamed answers (SSE subscriptions, JSONL batches) stay with tRPC's standalone adapter.
 */
export function createTrpcHandler<TRouter extends AnyRouter>(
  opts: CreateHTTPHandlerOptions<TRouter>,
): (req: IncomingMessage, res: ServerResponse, url?: URL) => void {
  const streamed = createHTTPHandler(opts);
  const basePath = opts.basePath ?? "/";
  const procedures = opts.router._def.procedures as Record<string, { _def: { type: string } } | undefined>;

  // The app's router has parsed the URL already and passes it on.
  return (req, res, url = new URL(req.url ?? "/", "http://localhost")) => {
    const path = url.pathname.slice(basePath.length);
    if (answersAsStream(req, path, procedures)) return streamed(req, res);
    const whole = () => sendWhole(opts, req, res, path);
    const answer = req.method === "GET" && !opts.responseMeta ? answerQueries(opts, req, res, path, url, whole) : whole();
    void answer.catch(internal_exceptionHandler({ ...opts, req, res, path }));
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

/**
 * GET queries (every read of the web app) are answered without the fetch-API detour of
 * resolveResponse (a Request, Headers, AbortSignals and a Response per call, measured by
 * `pnpm bench` as the largest cost tRPC adds): the request is read with tRPC's own getRequestInfo,
 * each procedure is called as resolveResponse calls it, and results and errors are shaped by
 * tRPC's getErrorShape / transformTRPCResponse / getHTTPStatusCode, so the wire format is the
 * adapter's (checked by a test that compares both). A request this path cannot read (a malformed
 * batch, a bad connectionParams) and a failing createContext fall back to the full path, which
 * answers with the canonical error. Queries get no abort signal: they are short reads.
 */
async function answerQueries<TRouter extends AnyRouter>(
  opts: CreateHTTPHandlerOptions<TRouter>,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  url: URL,
  fallback: () => Promise<void>,
): Promise<void> {
  const router = opts.router;
  const config = router._def._config;
  let info: TRPCRequestInfo;
  let ctx: unknown;
  try {
    const headers = headerReader(req);
    info = await getRequestInfo({ req: { method: "GET", headers } as Request, path: decodeURIComponent(path), router, searchParams: url.searchParams, headers, url, maxBatchSize: opts.maxBatchSize });
    if (info.type !== "query" || info.calls.some((call) => call.procedure?._def.type !== "query")) return await fallback();
    ctx = await opts.createContext?.({ req, res, info });
  } catch {
    return fallback();
  }

  const answers: TRPCResponse[] = await Promise.all(
    info.calls.map(async (call) => {
      try {
        const data = await call.procedure!({ path: call.path, getRawInput: call.getRawInput, ctx, type: "query", signal: undefined, batchIndex: call.batchIndex });
        return { result: { data } };
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        const input = call.result();
        opts.onError?.({ error, path: call.path, input, ctx: ctx as never, type: "query", req });
        return { error: getErrorShape({ config, ctx, error, input, path: call.path, type: "query" }) };
      }
    }),
  );
  const json = info.isBatchCall ? answers : answers[0]!;
  const body = JSON.stringify(transformTRPCResponse(config, json));
  res.writeHead(getHTTPStatusCode(json), { vary: "trpc-accept, accept", "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** The one part of a fetch Headers that getRequestInfo reads (get), over node's parsed headers. */
function headerReader(req: IncomingMessage): Headers {
  const get = (name: string) => {
    const value = req.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  };
  return { get, has: (name: string) => get(name) !== null } as Headers;
}
