import type { IncomingMessage, ServerResponse } from "node:http";
import type { AnyRouter } from "@trpc/server";
import { incomingMessageToRequest, internal_exceptionHandler } from "@trpc/server/adapters/node-http";
import { type CreateHTTPHandlerOptions, createHTTPHandler } from "@trpc/server/adapters/standalone";
import { resolveResponse } from "@trpc/server/http";
import { DomainError, type ErrorCode, type MessageKey } from "@pinglass/core";
import { TRPCError } from "@trpc/server";
import {
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  type TRPCRequestInfo,
  type TRPCResponse,
  transformTRPCResponse,
} from "@trpc/server/unstable-core-do-not-import";
import { readBody } from "./router.ts";

export type TrpcHandlerOptions<TRouter extends AnyRouter> = CreateHTTPHandlerOptions<TRouter> & {
  /** The largest JSON body a request may send (bytes), by the procedures it names; `maxBodySize` (1 MB by default) otherwise. */
  maxBodySizeFor?: (procedureNames: string[]) => number;
  /** How long a request body may take to arrive. */
  bodyTimeoutMs?: number;
};

const defaultMaxBodySize = 1024 * 1024;
/** What /trpc answers; anything else (PUT, OPTIONS, TRACE…) is a 405, before tRPC sees it. */
const allowedMethods = new Set(["GET", "HEAD", "POST"]);

/**
 * tRPC over node:http, in three lanes measured by `pnpm bench`:
 * - GET queries (every read of the web app) are answered straight from node's request (answerQueries);
 * - other one-document answers (mutations, POST batches) go through resolveResponse and are sent
 *   in one write with a Content-Length, where the adapter would pipe a WebStream as chunked encoding;
 * - streamed answers (SSE subscriptions, JSONL batches) stay with tRPC's standalone adapter.
 */
export function createTrpcHandler<TRouter extends AnyRouter>(
  opts: TrpcHandlerOptions<TRouter>,
): (req: IncomingMessage, res: ServerResponse, url?: URL) => void {
  const streamed = createHTTPHandler(opts);
  const basePath = opts.basePath ?? "/";
  const procedures = opts.router._def.procedures as Procedures;

  // The app's router has parsed the URL already and passes it on. Nothing is made per request
  // beyond what answering needs: each closure and await on this path shows in `pnpm bench`.
  return (req, res, url = new URL(req.url ?? "/", "http://localhost")) => {
    const path = url.pathname.slice(basePath.length);
    answer(opts, streamed, procedures, req, res, url, path).catch((cause: unknown) => internal_exceptionHandler({ ...opts, req, res, path })(cause));
  };
}

type Procedures = Record<string, { _def: { type: string } } | undefined>;

async function answer<TRouter extends AnyRouter>(
  opts: TrpcHandlerOptions<TRouter>,
  streamed: (req: IncomingMessage, res: ServerResponse) => unknown,
  procedures: Procedures,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: string,
): Promise<unknown> {
  const names = procedureNames(path);
  const refusal = edgeRefusal(opts, req, url, names);
  if (refusal) return sendEdgeError(opts, req, res, url, refusal.error, refusal.headers);
  if (req.method === "POST" && !(await bodyWithinLimit(opts, req, res, url, names))) return;
  if (answersAsStream(req, names, procedures)) return streamed(req, res);
  // Awaited, not returned: an async function that returns a promise adopts it with two more ticks.
  if (req.method === "GET" && !opts.responseMeta && (await answerQueries(opts, req, res, url, names!))) return;
  await sendWhole(opts, req, res, path, procedures);
}

/**
 * The edge's own refusals, before tRPC reads anything: a method /trpc does not answer (405 with
 * Allow) and a batch over `maxBatchSize` (400). Null when there is none.
 */
function edgeRefusal<TRouter extends AnyRouter>(opts: TrpcHandlerOptions<TRouter>, req: IncomingMessage, url: URL, names: string[] | null): { error: TRPCError; headers: Record<string, string> } | null {
  if (!allowedMethods.has(req.method ?? "")) {
    return { error: edgeError("METHOD_NOT_SUPPORTED", `Unsupported ${req.method}-request`, "errors.methodNotAllowed"), headers: { allow: [...allowedMethods].join(", ") } };
  }
  const maxBatchSize = opts.maxBatchSize;
  if (names && maxBatchSize !== undefined && names.length > maxBatchSize && url.searchParams.get("batch") === "1") {
    return { error: edgeError("BAD_REQUEST", "Batch call exceeds maximum size", "errors.batchTooLarge", { max: maxBatchSize }), headers: {} };
  }
  return null;
}

/**
 * A POST body over its limit is refused (413, checked on Content-Length first and then while the
 * bytes arrive, never buffered past it), and so is one too slow (408). A body within the limits is
 * handed to tRPC already read. False when the request was answered.
 */
async function bodyWithinLimit<TRouter extends AnyRouter>(opts: TrpcHandlerOptions<TRouter>, req: IncomingMessage, res: ServerResponse, url: URL, names: string[] | null): Promise<boolean> {
  const limit = (names && opts.maxBodySizeFor?.(names)) || opts.maxBodySize || defaultMaxBodySize;
  try {
    (req as IncomingMessage & { body?: string }).body = (await readBody(req, limit, opts.bodyTimeoutMs)).toString("utf8");
    return true;
  } catch (error) {
    const status = (error as { status?: number }).status;
    // The connection closes after these: the rest of the body is not worth reading.
    if (status === 413) await sendEdgeError(opts, req, res, url, edgeError("PAYLOAD_TOO_LARGE", "Request body too large", "errors.requestTooLarge", { maxKb: Math.floor(limit / 1024) }), { connection: "close" });
    else if (status === 408) await sendEdgeError(opts, req, res, url, edgeError("TIMEOUT", "Request body too slow", "errors.requestTimeout"), { connection: "close" });
    else res.destroy();
    return false;
  }
}

/** The procedures a request path names ("a.b,c.d" in a batch), or null when it cannot be decoded (tRPC refuses it then). */
function procedureNames(path: string): string[] | null {
  try {
    return decodeURIComponent(path).split(",");
  } catch {
    return null;
  }
}

/** A refusal of the edge: tRPC's code and wording, and the catalogue key the app's error formatter translates. */
const edgeError = (code: ErrorCode, message: string, key: MessageKey, params: Record<string, number> = {}) =>
  new TRPCError({ code, message, cause: new DomainError(code, key, params) });

/** An error answered as tRPC answers one, shaped by the router's error formatter with the request's context (its language). */
async function sendEdgeError<TRouter extends AnyRouter>(
  opts: TrpcHandlerOptions<TRouter>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  error: TRPCError,
  headers: Record<string, string>,
) {
  const info: TRPCRequestInfo = { isBatchCall: false, calls: [], type: "unknown", accept: null, connectionParams: null, signal: new AbortController().signal, url };
  const ctx = await Promise.resolve(opts.createContext?.({ req, res, info })).catch(() => undefined);
  const json = { error: getErrorShape({ config: opts.router._def._config, ctx, error, input: undefined, path: undefined, type: "unknown" }) };
  const body = JSON.stringify(transformTRPCResponse(opts.router._def._config, json));
  res.writeHead(getHTTPStatusCode(json), { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** JSONL batches, subscriptions, and anything not known here (lazy routers, a path that cannot be decoded) go to the adapter. */
function answersAsStream(req: IncomingMessage, names: string[] | null, procedures: Procedures): boolean {
  const accept = req.headers["trpc-accept"] ?? req.headers.accept;
  if (typeof accept === "string" && accept.includes("application/jsonl")) return true;
  if (!names) return true;
  for (const name of names) {
    const type = procedures[name]?._def.type;
    if (type !== "query" && type !== "mutation") return true;
  }
  return false;
}

async function sendWhole<TRouter extends AnyRouter>(
  opts: TrpcHandlerOptions<TRouter>,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  procedures: Procedures,
) {
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
  // A procedure asked for with the wrong method: say which one it takes.
  if (response.status === 405) res.setHeader("allow", procedureNames(path)?.every((name) => procedures[name]?._def.type === "mutation") ? "POST" : "GET, HEAD");
  res.setHeader("content-length", body.length);
  res.end(body);
}

/**
 * GET queries (every read of the web app) are answered without the fetch-API detour of
 * resolveResponse (a Request, Headers, AbortSignals and a Response per call, measured by
 * `pnpm bench` as the largest cost tRPC adds): the request is read as tRPC's getRequestInfo reads
 * it (queryCalls), each procedure is called as resolveResponse calls it, and results and errors
 * are shaped by tRPC's getErrorShape / transformTRPCResponse / getHTTPStatusCode, so the wire
 * format is the adapter's (checked by a test that compares both). A request this path does not
 * read (see queryCalls) and a failing createContext go the full path, which answers with the
 * canonical error: false then. Queries get no abort signal: they are short reads.
 */
async function answerQueries<TRouter extends AnyRouter>(
  opts: CreateHTTPHandlerOptions<TRouter>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  names: string[],
): Promise<boolean> {
  const config = opts.router._def._config;
  const info = queryCalls(config, opts.router._def.procedures as Procedures, req, url, names);
  if (!info) return false;
  let ctx: unknown;
  try {
    ctx = await opts.createContext?.({ req, res, info });
  } catch {
    return false;
  }

  const json = info.isBatchCall ? await Promise.all(info.calls.map((call) => answerCall(opts, req, ctx, call))) : await answerCall(opts, req, ctx, info.calls[0]!);
  const body = JSON.stringify(transformTRPCResponse(config, json));
  res.writeHead(getHTTPStatusCode(json), { vary: "trpc-accept, accept", "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
  return true;
}

type Call = TRPCRequestInfo["calls"][number];

/** The raw input of a call that sent none, and what its result() then reads: shared, so such a call makes no function. */
const noInput = async () => undefined;
const noResult = () => undefined;
/** The content types tRPC reads only from POST bodies: a GET with one is refused by the full path. */
const postOnlyTypes = new Set(["multipart/form-data", "application/octet-stream"]);

/**
 * The calls of a GET request to queries, read as tRPC's getRequestInfo reads them (`batch=1`, the
 * procedures named in the path, `input` as JSON through the router's input transformer), without
 * its promises, closures and Set per request. Null for what only the full path answers rightly:
 * a call that is not a query, unreadable input (tRPC refuses it per call), connectionParams, a
 * body's content type. `names` are the procedures the decoded path names (procedureNames).
 */
function queryCalls(config: AnyRouter["_def"]["_config"], procedures: Procedures, req: IncomingMessage, url: URL, names: string[]): TRPCRequestInfo | null {
  const params = url.searchParams;
  const contentType = req.headers["content-type"];
  if (params.has("connectionParams") || (contentType && postOnlyTypes.has(contentType.split(";", 1)[0]!.trim().toLowerCase()))) return null;
  const isBatchCall = params.get("batch") === "1";
  let inputs: unknown;
  try {
    const text = params.get("input");
    if (text) inputs = JSON.parse(text);
  } catch {
    return null;
  }
  if (isBatchCall && inputs !== undefined && (inputs === null || typeof inputs !== "object" || Array.isArray(inputs))) return null;
  const paths = isBatchCall ? names : [names.join(",")];
  const calls: Call[] = [];
  // As in tRPC, a call's result() (the input its errors are reported with) is known only once a
  // call of the request has read its input.
  let inputsRead = false;
  for (let index = 0; index < paths.length; index++) {
    const path = paths[index]!;
    const procedure = procedures[path] as Call["procedure"] | undefined;
    if (procedure?._def.type !== "query") return null;
    const raw = isBatchCall ? (inputs as Record<number, unknown> | undefined)?.[index] : inputs;
    let input: unknown;
    try {
      input = raw === undefined ? undefined : config.transformer.input.deserialize(raw);
    } catch {
      return null;
    }
    calls.push(
      inputs === undefined
        ? { batchIndex: index, path, procedure, getRawInput: noInput, result: noResult }
        : {
            batchIndex: index,
            path,
            procedure,
            getRawInput: async () => {
              inputsRead = true;
              return input;
            },
            result: () => (inputsRead ? input : undefined),
          },
    );
  }
  const accept = req.headers["trpc-accept"];
  return { isBatchCall, calls, type: "query", accept: typeof accept === "string" ? (accept as TRPCRequestInfo["accept"]) : null, connectionParams: null, signal: undefined as unknown as AbortSignal, url };
}

/** One query's answer, or its error shaped as tRPC shapes it. */
async function answerCall<TRouter extends AnyRouter>(opts: CreateHTTPHandlerOptions<TRouter>, req: IncomingMessage, ctx: unknown, call: Call): Promise<TRPCResponse> {
  try {
    const data = await call.procedure!({ path: call.path, getRawInput: call.getRawInput, ctx, type: "query", signal: undefined, batchIndex: call.batchIndex });
    return { result: { data } };
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    const input = call.result();
    opts.onError?.({ error, path: call.path, input, ctx: ctx as never, type: "query", req });
    return { error: getErrorShape({ config: opts.router._def._config, ctx, error, input, path: call.path, type: "query" }) };
  }
}
