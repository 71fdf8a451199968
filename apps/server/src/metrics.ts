/**
 * GET /metrics in the Prometheus text format (prom-client): the process's own metrics, HTTP
 * requests by route template and status with latency histograms, image-provider calls, and
 * gauges read from the database at scrape time (jobs and slots by status, payments by provider
 * and status, the queues of slots, deliveries and refunds), each one cheap query.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { constantTimeEqual } from "@pinglass/core";
import type { Db } from "@pinglass/db";
import { generationCounts, type ProviderCall } from "@pinglass/generation";
import { paymentCounts, refundQueueCounts } from "@pinglass/payments";
import { deliveryCounts } from "@pinglass/telegram";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Route } from "./http/router.ts";
import { sendRefusal } from "./http/router.ts";

export interface Metrics {
  registry: Registry;
  /** One HTTP request answered: its method, route template (never the raw path), status and time. */
  observeRequest(request: { method: string; route: string; status: number; seconds: number }): void;
  /** One call to an image provider (submit or check) as it ended. */
  observeProviderCall(call: ProviderCall): void;
}

/** HTTP methods we answer; anything else is counted as OTHER, so a client cannot make new series. */
const knownMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export function createMetrics(db: Db): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({ name: "http_requests_total", help: "HTTP requests answered, by method, route template and status.", labelNames: ["method", "route", "status"], registers: [registry] });
  const requestSeconds = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to answer an HTTP request (to the end of the answer; streams last as long as they stay open), by method, route template and status.",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const providerCalls = new Counter({
    name: "pinglass_provider_calls_total",
    help: "Image-provider calls made by this process, by provider, operation (submit, check) and outcome (ok; failed: the provider said the render failed; error: the call failed).",
    labelNames: ["provider", "operation", "outcome"],
    registers: [registry],
  });
  const providerSeconds = new Histogram({
    name: "pinglass_provider_call_duration_seconds",
    help: "Duration of image-provider calls made by this process, by provider and operation.",
    labelNames: ["provider", "operation"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120],
    registers: [registry],
  });

  // Read from the database when scraped: every process shares these rows, so any one of them can tell.
  new Gauge({
    name: "pinglass_jobs",
    help: "Generation jobs by status.",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      const { jobs } = await generationCounts(db);
      for (const status of ["processing", "completed", "failed"]) this.set({ status }, jobs[status] ?? 0);
    },
  });
  new Gauge({
    name: "pinglass_queue_depth",
    help: "Work waiting in the database's queues: slots (pending, running), Telegram deliveries and refunds (pending, failed).",
    labelNames: ["queue", "status"],
    registers: [registry],
    async collect() {
      const [generation, deliveries, refunds] = await Promise.all([generationCounts(db), deliveryCounts(db), refundQueueCounts(db)]);
      this.set({ queue: "slots", status: "pending" }, generation.slots.pending);
      this.set({ queue: "slots", status: "running" }, generation.slots.running);
      this.set({ queue: "deliveries", status: "pending" }, deliveries.pending);
      this.set({ queue: "deliveries", status: "failed" }, deliveries.failed);
      this.set({ queue: "refunds", status: "pending" }, refunds.pending);
      this.set({ queue: "refunds", status: "failed" }, refunds.failed);
    },
  });
  new Gauge({
    name: "pinglass_payments",
    help: "Payments by provider (tbank, test, stars) and status.",
    labelNames: ["provider", "status"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await paymentCounts(db)) this.set({ provider: row.provider, status: row.status }, row.count);
    },
  });

  return {
    registry,
    observeRequest({ method, route, status, seconds }) {
      const labels = { method: knownMethods.has(method) ? method : "OTHER", route, status: String(status) };
      requests.inc(labels);
      requestSeconds.observe(labels, seconds);
    },
    observeProviderCall(call) {
      providerCalls.inc({ provider: call.provider, operation: call.operation, outcome: call.outcome });
      providerSeconds.observe({ provider: call.provider, operation: call.operation }, call.durationMs / 1000);
    },
  };
}

/**
 * GET /metrics for a scraper holding METRICS_TOKEN (`Authorization: Bearer …`, compared in
 * constant time): 403 without it. With no token configured the route is off: 404.
 */
export function metricsRoute(metrics: Metrics, token: string | null): Route {
  return {
    method: "GET",
    path: "/metrics",
    handler: async (req: IncomingMessage, res: ServerResponse) => {
      if (token === null) return sendRefusal(req, res, 404, "errors.notFound");
      const authorization = req.headers.authorization ?? "";
      const given = authorization.startsWith("Bearer ") ? authorization.slice(7).trim() : "";
      if (!given || !constantTimeEqual(given, token)) return sendRefusal(req, res, 403, "errors.admin.forbidden");
      const body = await metrics.registry.metrics();
      res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
      res.end(body);
    },
  };
}
