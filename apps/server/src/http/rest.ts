import type { IncomingMessage, ServerResponse } from "node:http";
import { type AppRouter, type Context, createCaller, errorDetails, errorStatus, type ProcedureMeta } from "@pinglass/api";
import { type ErrorCode, type MessageKey, translate } from "@pinglass/core";
import { type AnyTRPCProcedure, getTRPCErrorFromUnknown, type TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { readBody, sendJson } from "./router.ts";

/**
 * The REST API (/api/v1): every public query and mutation at the method and path of its
 * `openapi` meta, called through the same router, context, middlewares (authentication, rate
 * limits, idempotency) and zod checks as /trpc. A query takes its input from the query string
 * and the path, a mutation from a JSON body and the path. Answers are the procedure's output as
 * JSON; failures are `{ error: { code, message, messageKey, fieldErrors? } }` with tRPC's status.
 *
 * trpc-to-openapi's own HTTP adapter is not used: it coerces query values by setting `coerce` on
 * the procedures' zod schemas themselves (so /trpc would then take "13" for 13 too), and its
 * error answers carry zod's issues and, outside production, stack traces.
 */
export interface RestOptions {
  router: AppRouter;
  /** The path the API lives under ("/api/v1"). */
  basePath: string;
  createContext(req: IncomingMessage, res: ServerResponse): Context;
  maxBodyBytes: number;
  bodyTimeoutMs?: number;
  /** Routes of the API that are not procedures (the selfie upload), by method and path template. */
  extraRoutes?: { method: string; path: string; handler: (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => unknown }[];
  onError?(error: TRPCError, path: string, req: IncomingMessage): void;
}

interface RestRoute {
  method: string;
  pattern: RegExp;
  procedure?: { path: string; type: "query" | "mutation"; fields: Map<string, FieldKind>; takesInput: boolean; inputOptional: boolean };
  handler?: NonNullable<RestOptions["extraRoutes"]>[number]["handler"];
}

/** What a query-string or path value is read as: numbers and booleans come as text there. */
type FieldKind = "number" | "boolean" | "text";

/** A path template ("/avatars/{avatarId}") as a pattern with named groups. */
const patternOf = (template: string) => new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{(\w+)\\?\}/g, "(?<$1>[^/]+)")}$`);

type ZodLike = { _zod?: { def: { type: string; innerType?: ZodLike; in?: ZodLike; shape?: Record<string, ZodLike>; values?: unknown[] } } };

/** The object schema under optional/default wrappers, or null. */
function objectShape(schema: ZodLike | undefined): Record<string, ZodLike> | null {
  let current = schema;
  while (current?._zod && ["optional", "default", "prefault", "nullable"].includes(current._zod.def.type)) current = current._zod.def.innerType;
  return current?._zod?.def.type === "object" ? (current._zod.def.shape ?? {}) : null;
}

function kindOf(schema: ZodLike): FieldKind {
  let current: ZodLike | undefined = schema;
  while (current?._zod) {
    const def: NonNullable<ZodLike["_zod"]>["def"] = current._zod.def;
    const { type, innerType, in: input } = def;
    if (type === "number" || type === "int" || type === "bigint") return "number";
    if (type === "boolean") return "boolean";
    if (type === "literal") return def.values?.every((value) => typeof value === "boolean") ? "boolean" : "text";
    current = type === "pipe" ? input : innerType;
  }
  return "text";
}

/** A text value as its field takes it; left as text when it does not read as one (zod then says what is wrong). */
function read(value: string, kind: FieldKind): unknown {
  if (kind === "number" && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (kind === "boolean" && (value === "true" || value === "false")) return value === "true";
  return value;
}

function routesOf(options: RestOptions): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const [path, procedure] of Object.entries(options.router._def.procedures as unknown as Record<string, AnyTRPCProcedure>)) {
    const openapi = (procedure._def.meta as ProcedureMeta | undefined)?.openapi;
    const type = procedure._def.type;
    if (!openapi || openapi.enabled === false || type === "subscription") continue;
    const input = (procedure._def as { inputs: ZodLike[] }).inputs[0];
    const shape = objectShape(input) ?? {};
    routes.push({
      method: openapi.method,
      pattern: patternOf(openapi.path),
      procedure: {
        path,
        type,
        fields: new Map(Object.entries(shape).map(([name, field]) => [name, kindOf(field)])),
        takesInput: input !== undefined,
        inputOptional: input !== undefined && (input as { safeParse(value: unknown): { success: boolean } }).safeParse(undefined).success,
      },
    });
  }
  for (const extra of options.extraRoutes ?? []) routes.push({ method: extra.method, pattern: patternOf(extra.path), handler: extra.handler });
  return routes;
}

/** A refusal before the procedure runs, answered in the same shape as the procedure's own. */
class RestRefusal extends Error {
  constructor(
    readonly code: ErrorCode | "UNSUPPORTED_MEDIA_TYPE",
    readonly key: MessageKey,
    readonly params: Record<string, string | number> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(key);
  }
}

export function createRestHandler(options: RestOptions) {
  const routes = routesOf(options);

  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname.slice(options.basePath.length) || "/";
    const matching = routes.map((route) => ({ route, match: route.pattern.exec(path) })).filter((m) => m.match !== null);
    const found = matching.find((m) => m.route.method === req.method);
    const ctx = options.createContext(req, res);
    try {
      if (matching.length === 0) throw new RestRefusal("NOT_FOUND", "errors.notFound");
      if (!found) throw new RestRefusal("METHOD_NOT_SUPPORTED", "errors.methodNotAllowed", {}, { allow: [...new Set(matching.map((m) => m.route.method))].join(", ") });
      const params = Object.fromEntries(Object.entries(found.match!.groups ?? {}).map(([name, value]) => [name, decodeURIComponent(value)]));
      if (found.route.handler) return await found.route.handler(req, res, params);
      const procedure = found.route.procedure!;
      const input = await inputOf(req, url, params, procedure, options);
      const call = procedure.path.split(".").reduce<unknown>((node, name) => (node as Record<string, unknown>)[name], createCaller(ctx)) as (input: unknown) => Promise<unknown>;
      sendJson(res, 200, await call(input));
    } catch (cause) {
      if (res.headersSent) return res.destroy();
      if (cause instanceof RestRefusal) {
        const body = { code: cause.code, messageKey: cause.key, message: translate(cause.key, ctx.locale, cause.params) };
        return sendJson(res, errorStatus[cause.code], { error: body }, cause.headers);
      }
      const error = getTRPCErrorFromUnknown(cause);
      if (error.code === "INTERNAL_SERVER_ERROR") options.onError?.(error, found?.route.procedure?.path ?? path, req);
      sendJson(res, getHTTPStatusCodeFromError(error), { error: { code: error.code, ...errorDetails(error, ctx.locale) } });
    }
  };
}

/**
 * The procedure's input: path parameters over the query string (GET, DELETE) or the JSON body
 * (POST, PATCH, PUT). Numbers and booleans in the query string and the path are read by the
 * field's type; an input given nowhere is absent, so the procedure's own check names what is missing.
 */
async function inputOf(req: IncomingMessage, url: URL, params: Record<string, string>, procedure: NonNullable<RestRoute["procedure"]>, options: RestOptions): Promise<unknown> {
  const fields = procedure.fields;
  const fromText = (name: string, value: string) => read(value, fields.get(name) ?? "text");
  let input: Record<string, unknown> | undefined;
  if (req.method === "GET" || req.method === "DELETE") {
    for (const name of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(name).map((value) => fromText(name, value));
      (input ??= {})[name] = values.length === 1 ? values[0] : values;
    }
  } else {
    let body: Buffer;
    try {
      body = await readBody(req, options.maxBodyBytes, options.bodyTimeoutMs);
    } catch (error) {
      const status = (error as { status?: number }).status;
      // The connection closes after these: the rest of the body is not worth reading.
      if (status === 413) throw new RestRefusal("PAYLOAD_TOO_LARGE", "errors.requestTooLarge", { maxKb: Math.floor(options.maxBodyBytes / 1024) }, { connection: "close" });
      if (status === 408) throw new RestRefusal("TIMEOUT", "errors.requestTimeout", {}, { connection: "close" });
      throw error;
    }
    if (body.length > 0) {
      if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) throw new RestRefusal("UNSUPPORTED_MEDIA_TYPE", "errors.rest.jsonOnly");
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        throw new RestRefusal("BAD_REQUEST", "errors.rest.invalidJson");
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new RestRefusal("BAD_REQUEST", "errors.rest.notAnObject");
      input = parsed as Record<string, unknown>;
    }
  }
  for (const [name, value] of Object.entries(params)) (input ??= {})[name] = fromText(name, value);
  if (!procedure.takesInput) return undefined;
  return input ?? (procedure.inputOptional ? undefined : {});
}
