import { createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Clock, systemClock } from "@pinglass/core";
import { bearer, type CallbackPlan, closeServer, FaultQueue, fetchReferences, listenLocal, postCallback, readJson, renderOutput, sendJson } from "./fake-server.ts";

/**
 * A fake Replicate on 127.0.0.1 that follows the predictions API: POST
 * /v1/models/{owner}/{name}/predictions and /v1/predictions (with a version), GET
 * /v1/predictions/{id}, problem-JSON errors, predictions that move starting → processing →
 * succeeded | failed, reference photos fetched from their URLs, outputs served as JPEGs, and
 * Standard Webhooks deliveries signed with the account secret (a retried delivery keeps its
 * webhook-id). Failures on demand: faults per endpoint, and per prediction a failure, a lost
 * webhook or a duplicated one.
 */
export interface FakeReplicateOptions {
  apiToken: string;
  /** "whsec_<base64>". */
  webhookSecret: string;
  model?: string;
  /** The version accepted by POST /v1/predictions. */
  version?: string;
  /** Output as ["url"] instead of "url" (models differ). */
  outputAsArray?: boolean;
  stepMs?: number;
  clock?: Clock;
}

export interface ReplicatePlan {
  callback?: CallbackPlan;
  fail?: string;
}

export interface FakePrediction {
  id: string;
  model: string;
  version: string;
  input: { prompt: string; image_input: string[]; aspect_ratio: string; resolution: string; output_format: string };
  webhook?: string;
  webhook_events_filter: string[];
  status: "starting" | "processing" | "succeeded" | "failed" | "canceled";
  output: string | string[] | null;
  error: string | null;
  logs: string;
  created_at: string;
  completed_at: string | null;
  callbackStatuses: number[];
}

export type ReplicateEndpoint = "create" | "get" | "download";

const aspectRatios = new Set(["match_input_image", "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]);
const events = new Set(["start", "output", "logs", "completed"]);

export async function startFakeReplicate(options: FakeReplicateOptions) {
  const model = options.model ?? "google/nano-banana-pro";
  const version = options.version ?? "5b5c5f1e1f0a4b8c9d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c";
  const stepMs = options.stepMs ?? 15;
  const clock = options.clock ?? systemClock;
  const key = Buffer.from(options.webhookSecret.replace(/^whsec_/, ""), "base64");
  const faults = new FaultQueue<ReplicateEndpoint>();
  const predictions = new Map<string, FakePrediction>();
  const outputs = new Map<string, Buffer>();
  const settled = new Map<string, Promise<FakePrediction>>();
  const plans: ReplicatePlan[] = [];
  let closed = false;

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
  const problem = (res: ServerResponse, status: number, title: string, detail: string, extra: Record<string, unknown> = {}) =>
    sendJson(res, status, { title, detail, status, ...extra }, { "content-type": "application/problem+json" });

  /** Standard Webhooks headers for `body`; a test forges by passing another id, time or key. */
  function signedHeaders(body: string, options: { id?: string; timestamp?: number; key?: Buffer } = {}): Record<string, string> {
    const id = options.id ?? `msg_${randomBytes(12).toString("hex")}`;
    const timestamp = options.timestamp ?? Math.floor(clock.now().getTime() / 1000);
    const signature = createHmac("sha256", options.key ?? key).update(`${id}.${timestamp}.${body}`).digest("base64");
    return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": `v1,${signature}` };
  }

  const view = ({ callbackStatuses: _, ...prediction }: FakePrediction) => ({
    ...prediction,
    urls: { get: `${base}/v1/predictions/${prediction.id}`, cancel: `${base}/v1/predictions/${prediction.id}/cancel`, web: `${base}/p/${prediction.id}` },
  });

  async function run(prediction: FakePrediction, plan: ReplicatePlan): Promise<FakePrediction> {
    await sleep(stepMs);
    if (closed) return prediction;
    prediction.status = "processing";
    prediction.logs = "Generating image…\n";
    const unreadable = await fetchReferences(prediction.input.image_input);
    await sleep(stepMs);
    if (closed) return prediction;
    if (plan.fail || unreadable) {
      prediction.status = "failed";
      prediction.error = plan.fail ?? unreadable;
    } else {
      outputs.set(prediction.id, await renderOutput(prediction.input.prompt));
      const url = `${base}/files/${prediction.id}.jpg`;
      prediction.output = options.outputAsArray ? [url] : url;
      prediction.status = "succeeded";
    }
    prediction.completed_at = clock.now().toISOString();
    if (prediction.webhook && prediction.webhook_events_filter.includes("completed") && plan.callback !== "lost") {
      const body = JSON.stringify(view(prediction));
      // A retried delivery is the same message: same webhook-id, fresh timestamp and signature.
      const id = `msg_${randomBytes(12).toString("hex")}`;
      for (let i = 0; i < (plan.callback === "duplicate" ? 2 : 1); i++) {
        prediction.callbackStatuses.push(await postCallback(prediction.webhook, body, signedHeaders(body, { id })));
      }
    }
    return prediction;
  }

  function invalidInput(input: Partial<FakePrediction["input"]> | undefined): string | null {
    if (!input || typeof input.prompt !== "string" || input.prompt === "") return "prompt is required";
    if (input.image_input !== undefined && (!Array.isArray(input.image_input) || input.image_input.length > 14 || !input.image_input.every((u) => typeof u === "string"))) return "image_input must be at most 14 URLs";
    if (input.aspect_ratio !== undefined && !aspectRatios.has(input.aspect_ratio)) return "aspect_ratio must be one of the listed ratios";
    if (input.resolution !== undefined && !["1K", "2K", "4K"].includes(input.resolution)) return "resolution must be 1K, 2K or 4K";
    if (input.output_format !== undefined && !["jpg", "png"].includes(input.output_format)) return "output_format must be jpg or png";
    return null;
  }

  async function create(req: IncomingMessage, res: ServerResponse, viaVersion: boolean) {
    const body = (await readJson(req)) as { version?: string; input?: FakePrediction["input"]; webhook?: string; webhook_events_filter?: string[] } | undefined;
    if (await faults.apply("create", res)) return;
    if (bearer(req) !== options.apiToken) return problem(res, 401, "Unauthenticated", "You did not pass a valid authentication token");
    if (!body) return problem(res, 400, "Bad request", "The request body is not JSON");
    if (viaVersion && body.version !== version) return problem(res, 422, "Invalid version or not permitted", "The specified version does not exist (or perhaps you don't have permission to use it?)");
    const wrong = invalidInput(body.input);
    if (wrong) return problem(res, 422, "Input validation failed", `- input: ${wrong}`, { invalid_fields: [{ type: "invalid", field: "input", description: wrong }] });
    const filter = body.webhook_events_filter ?? ["start", "output", "logs", "completed"];
    if (!Array.isArray(filter) || !filter.every((e) => events.has(e))) return problem(res, 422, "Input validation failed", "webhook_events_filter has an unknown event");
    if (body.webhook !== undefined && !URL.canParse(body.webhook)) return problem(res, 422, "Input validation failed", "webhook must be a URL");
    const prediction: FakePrediction = {
      id: randomBytes(13).toString("hex").slice(0, 26),
      model,
      version,
      input: body.input!,
      webhook: body.webhook,
      webhook_events_filter: filter,
      status: "starting",
      output: null,
      error: null,
      logs: "",
      created_at: clock.now().toISOString(),
      completed_at: null,
      callbackStatuses: [],
    };
    predictions.set(prediction.id, prediction);
    settled.set(prediction.id, run(prediction, plans.shift() ?? {}));
    sendJson(res, 201, view(prediction));
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (req.method === "POST" && url.pathname === `/v1/models/${model}/predictions`) return create(req, res, false);
    if (req.method === "POST" && url.pathname === "/v1/predictions") return create(req, res, true);
    if (req.method === "POST" && url.pathname.startsWith("/v1/models/")) return problem(res, 404, "Not found", "The requested resource could not be found.");
    const get = /^\/v1\/predictions\/([a-z0-9]+)$/.exec(url.pathname);
    if (req.method === "GET" && get) {
      if (await faults.apply("get", res)) return;
      if (bearer(req) !== options.apiToken) return problem(res, 401, "Unauthenticated", "You did not pass a valid authentication token");
      const prediction = predictions.get(get[1]!);
      if (!prediction) return problem(res, 404, "Not found", "The requested resource could not be found.");
      return sendJson(res, 200, view(prediction));
    }
    const file = /^\/files\/([a-z0-9]+)\.jpg$/.exec(url.pathname);
    if (req.method === "GET" && file) {
      if (await faults.apply("download", res)) return;
      const image = outputs.get(file[1]!);
      if (!image) return sendJson(res, 404, { error: "file expired" });
      res.writeHead(200, { "content-type": "image/jpeg", "content-length": image.length });
      return void res.end(image);
    }
    problem(res, 404, "Not found", "The requested resource could not be found.");
  }

  const { server, url: base } = await listenLocal(handle);

  return {
    url: base,
    model,
    version,
    predictions,
    faults,
    /** The next created prediction behaves like this (plans queue up, one per prediction). */
    planNextPrediction(plan: ReplicatePlan) {
      plans.push(plan);
    },
    /** Resolves once the prediction is final and its webhooks, if any, were delivered. */
    settled(id: string): Promise<FakePrediction> {
      const done = settled.get(id);
      if (!done) throw new Error(`no prediction ${id}`);
      return done;
    },
    signedHeaders,
    async close() {
      closed = true;
      await closeServer(server);
    },
  };
}

export type FakeReplicate = Awaited<ReturnType<typeof startFakeReplicate>>;
