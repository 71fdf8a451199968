import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type ApiDeps, appRouter, createContext, type RequestTransport, restBasePath, uploadRestPath } from "@pinglass/api";
import { databaseAnswers } from "@pinglass/db";
import compression from "compression";
import type { Logger } from "pino";
import { apiDocsRoutes } from "./http/api-docs.ts";
import { limitServer, type ServerTimeouts, serverTimeouts } from "./http/limits.ts";
import { createRestHandler } from "./http/rest.ts";
import { assignRequestId, requestIdFor, requestLogger } from "./http/request-id.ts";
import { createRouter, parseRequestUrl, type Route, sendJson, sendRefusal } from "./http/router.ts";
import { type HtmlSecurityOptions, htmlSecurityHeaders } from "./http/security-headers.ts";
import { serveWebApp } from "./http/static.ts";
import { createTrpcHandler } from "./http/trpc.ts";
import type { Metrics } from "./metrics.ts";

export interface AppOptions {
  deps: ApiDeps;
  logger: Logger;
  /** The built web app to serve at /, if any. */
  webDist?: string;
  /** More routes from the domain areas (webhooks, media, uploads). */
  routes?: Route[];
  /** The server's timeouts for slow clients (tests shorten them). */
  timeouts?: Partial<ServerTimeouts>;
  /** The security headers of HTML answers (HSTS with an https PUBLIC_URL, the origins of absolute links). */
  security?: HtmlSecurityOptions;
  /** Where each request is counted and timed, by route template (GET /metrics serves them). */
  metrics?: Metrics;
}

/** The HTTP surface: /trpc, /healthz, the areas' routes, and the web app at /. */
export function createApp(options: AppOptions): Server {
  const { deps, logger } = options;
  const trpc = createTrpcHandler({
    router: appRouter,
    basePath: "/trpc/",
    createContext: ({ req, res, info }) => createContext(deps, req.headers, info.connectionParams, transportOf(req, res)),
    maxBatchSize: trpcLimits.maxBatchSize,
    maxBodySize: trpcLimits.maxBodyBytes,
    maxBodySizeFor: (names) => (names.every((name) => name.startsWith("session.")) ? trpcLimits.maxSessionBodyBytes : trpcLimits.maxBodyBytes),
    onError: ({ error, path, req }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") requestLogger(logger, req).error({ err: error.cause ?? error, path }, "tRPC procedure failed");
    },
  });

  // The same procedures as REST (/api/v1), with the same context, limits and checks as /trpc.
  const rest = createRestHandler({
    router: appRouter,
    basePath: restBasePath,
    createContext: (req, res) => createContext(deps, req.headers, null, transportOf(req, res)),
    maxBodyBytes: trpcLimits.maxBodyBytes,
    // Selfies go up through the upload route; /api/v1 has it under the avatar too.
    extraRoutes: [{ method: "POST", path: uploadRestPath, handler: (req, res, params) => handle(req, res, new URL(`/uploads/avatars/${encodeURIComponent(params.avatarId ?? "")}/references`, "http://localhost")) }],
    onError: (error, path, req) => requestLogger(logger, req).error({ err: error.cause ?? error, path }, "REST call failed"),
  });

  const routes: Route[] = [
    { method: "*", path: "/trpc/", handler: trpc },
    // No procedure named: tRPC's JSON 404, not the web app.
    { method: "*", path: "/trpc", handler: trpc },
    {
      method: "GET",
      path: "/healthz",
      handler: async (_req, res) => {
        try {
          const up = await databaseAnswers(deps.db);
          sendJson(res, up ? 200 : 503, { status: up ? "ok" : "unavailable", database: up ? "up" : "down" });
        } catch (error) {
          logger.warn({ err: error }, "health check: database did not answer");
          sendJson(res, 503, { status: "unavailable", database: "down" });
        }
      },
    },
    { method: "*", path: `${restBasePath}/`, handler: rest },
    ...apiDocsRoutes({ publicUrl: deps.payments.publicUrl }),
    ...(options.routes ?? []),
  ];
  const notFound = options.webDist ? serveWebApp(options.webDist) : (req: IncomingMessage, res: ServerResponse) => sendRefusal(req, res, 404, "errors.notFound");
  const handle = createRouter(routes, notFound);
  const secureHtml = htmlSecurityHeaders(options.security ?? { https: false });
  // JSON answers of 1 KB or more, wherever they come from; SSE, media, ZIPs and the prebuilt web app are left alone.
  const compressJson = compression({ threshold: 1024, filter: (_req, res) => /^application\/json\b/i.test(String(res.getHeader("content-type") ?? "")) });

  const fallbackRoute = options.webDist ? "(web app)" : "(not found)";
  /** The route template a request is counted under; tRPC by its procedure when the call is one known procedure. */
  const routeOf = (url: URL | null) => {
    const template = url ? handle.templateOf(url.pathname) : "(bad request)";
    if (template !== "/trpc/*") return template ?? fallbackRoute;
    const procedure = url!.pathname.slice("/trpc/".length);
    return Object.hasOwn(appRouter._def.procedures, procedure) ? `/trpc/${procedure}` : template;
  };

  const server = createServer(async (req, res) => {
    // One id per request: in the answer, on the lines logged about it (requestLogger), on what it starts.
    assignRequestId(req, res);
    const started = performance.now();
    const url = parseRequestUrl(req);
    if (options.metrics) {
      const metrics = options.metrics;
      res.once("close", () => metrics.observeRequest({ method: req.method ?? "GET", route: routeOf(url), status: res.statusCode, seconds: (performance.now() - started) / 1000 }));
    }
    if (!url) return sendRefusal(req, res, 400, "errors.badRequest");
    // Each wraps the answer's writes; `pnpm bench` measures them on every call, so they are left
    // out where they cannot apply: compression for a caller that takes no encoding, the HTML
    // headers on the API, which answers JSON and event streams only.
    if (req.headers["accept-encoding"]) compressJson(req as never, res as never, () => {});
    if (!answersDataOnly(url.pathname)) secureHtml(req, res);
    try {
      await handle(req, res, url);
    } catch (error) {
      requestLogger(logger, req).error({ err: error, method: req.method, path: url.pathname }, "request failed");
      if (!res.headersSent) sendRefusal(req, res, 500, "errors.internal");
      else res.destroy();
    }
  });
  return limitServer(server, { ...serverTimeouts, ...options.timeouts });
}

/** What a context learns of its request beyond the headers. */
const transportOf = (req: IncomingMessage, res: ServerResponse): RequestTransport => ({
  remoteAddress: req.socket.remoteAddress,
  requestId: requestIdFor(req),
  setHeader: res.setHeader.bind(res),
});

/** The API's paths: they answer JSON and event streams, never HTML. */
const answersDataOnly = (path: string) => path === "/trpc" || path.startsWith("/trpc/") || path.startsWith(`${restBasePath}/`);

/**
 * What one /trpc request may carry: the web app batches a handful of calls and sends bodies of a
 * few hundred bytes; the sign-in procedures, open to anyone, get the smaller limit.
 */
export const trpcLimits = { maxBatchSize: 20, maxBodyBytes: 1024 * 1024, maxSessionBodyBytes: 64 * 1024 };
