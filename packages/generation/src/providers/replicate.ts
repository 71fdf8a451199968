import { createHmac } from "node:crypto";
import { type Clock, constantTimeEqual } from "@pinglass/core";
import { CallbackRejectedError, call, checkTimestamp, downloadOutput, type Fetch, header, isRecord, type Json, parseJson, parseRetryAfter } from "./remote.ts";
import { type ImageProvider, ProviderError } from "./types.ts";

/**
 * Replicate's predictions API (https://replicate.com/docs/reference/http): POST
 * /v1/models/{owner}/{name}/predictions (or /v1/predictions with a version) with a webhook that
 * fires once, on completion; GET /v1/predictions/{id} for the state (starting, processing,
 * succeeded, failed, canceled). Errors are problem JSON ({title, detail, status}).
 *
 * Webhooks follow Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature
 * ("v1,<base64>" entries, space separated); the signed content is `${id}.${timestamp}.${body}`
 * under HMAC-SHA256 with the base64 part of the account's `whsec_` secret
 * (GET /v1/webhooks/default/secret). Even a genuine webhook only names the prediction: check()
 * reads the outcome from the API.
 */
export interface ReplicateProviderOptions {
  apiToken: string;
  baseUrl?: string;
  /** "owner/name" runs the model's latest version; "owner/name:version" pins one. */
  model?: string;
  resolution?: "1K" | "2K" | "4K";
  /** The account's webhook signing secret, "whsec_...". */
  webhookSecret: string;
  fetch?: Fetch;
  timeoutMs?: number;
  maxConcurrency?: number;
  clock: Clock;
}

const service = "Replicate";
/** google/nano-banana-pro takes up to 14 input images. */
const maxReferences = 14;
const maxApiBytes = 1024 * 1024;
const predictionIdPattern = /^[a-z0-9]{1,64}$/i;

const reasons: Record<number, string> = {
  401: "Replicate rejected the API token",
  402: "the Replicate account has no credit left",
  403: "Replicate refused access to this model",
  404: "Replicate does not know this model or prediction",
  422: "Replicate refused the input",
  429: "Replicate is rate limiting requests",
};

class ReplicateApiError extends ProviderError {
  constructor(
    readonly status: number,
    detail: string | undefined,
    retryAfterMs?: number,
  ) {
    const retryable = status === 429 || status >= 500;
    const reason = reasons[status] ?? (retryable ? "Replicate is unavailable" : "Replicate refused the request");
    super(`${reason} (${status}${detail ? `: ${detail}` : ""})`, retryable, retryable ? retryAfterMs : undefined);
  }
}


/** The HMAC key hidden in a "whsec_<base64>" secret. */
function signingKey(secret: string): Buffer {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  if (key.length === 0) throw new Error("The Replicate webhook secret must look like whsec_<base64>");
  return key;
}

export function createReplicateProvider(options: ReplicateProviderOptions): ImageProvider {
  const baseUrl = (options.baseUrl ?? "https://api.replicate.com").replace(/\/+$/, "");
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const model = options.model ?? "google/nano-banana-pro";
  const [modelName, version] = model.split(":") as [string, string | undefined];
  if (!/^[\w.-]+\/[\w.-]+$/.test(modelName)) throw new Error(`The Replicate model must be owner/name or owner/name:version, not ${JSON.stringify(model)}`);
  const key = signingKey(options.webhookSecret);
  const { clock } = options;

  async function api(path: string, init: RequestInit, signal?: AbortSignal): Promise<Json> {
    const response = await call(
      `${baseUrl}${path}`,
      { ...init, headers: { authorization: `Bearer ${options.apiToken}`, accept: "application/json", ...init.headers } },
      { fetch: fetchImpl, service, timeoutMs, signal, maxBytes: maxApiBytes },
    );
    if (response.status < 200 || response.status >= 300) {
      let detail: string | undefined;
      try {
        const body = JSON.parse(response.body.toString("utf8")) as Json;
        detail = [body.detail, body.title].find((d): d is string => typeof d === "string" && d !== "");
      } catch {}
      throw new ReplicateApiError(response.status, detail, parseRetryAfter(response.headers.get("retry-after"), clock));
    }
    const body = parseJson(response, service);
    if (!isRecord(body)) throw new ProviderError("Replicate answered with an unexpected body", true);
    return body;
  }

  return {
    name: "replicate",
    maxConcurrency: options.maxConcurrency ?? 8,

    async submit(request, signal) {
      const body = {
        ...(version ? { version } : {}),
        input: {
          prompt: request.prompt,
          image_input: request.references.slice(0, maxReferences).map((r) => r.url),
          aspect_ratio: request.aspectRatio,
          resolution: options.resolution ?? "2K",
          output_format: "jpg",
        },
        webhook: request.callbackUrl,
        webhook_events_filter: ["completed"],
      };
      const path = version ? "/v1/predictions" : `/v1/models/${modelName}/predictions`;
      const prediction = await api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }, signal);
      if (typeof prediction.id !== "string" || !predictionIdPattern.test(prediction.id)) throw new ProviderError("Replicate accepted the prediction but returned no id", true);
      return { kind: "submitted", taskId: prediction.id };
    },

    async check(taskId, signal) {
      if (!predictionIdPattern.test(taskId)) return { kind: "failed", reason: "not a Replicate prediction id", retryable: true };
      let prediction: Json;
      try {
        prediction = await api(`/v1/predictions/${taskId}`, { method: "GET" }, signal);
      } catch (error) {
        // A prediction Replicate has never heard of will not finish: render it again.
        if (error instanceof ReplicateApiError && error.status === 404) return { kind: "failed", reason: error.message, retryable: true };
        throw error;
      }
      switch (prediction.status) {
        case "starting":
        case "processing":
          return { kind: "pending" };
        case "succeeded": {
          const output = Array.isArray(prediction.output) ? prediction.output[0] : prediction.output;
          if (typeof output !== "string") return { kind: "failed", reason: "Replicate reported success without an image", retryable: true };
          return downloadOutput(output, { fetch: fetchImpl, service, timeoutMs, signal, clock });
        }
        case "failed":
        case "canceled": {
          const error = typeof prediction.error === "string" && prediction.error ? prediction.error : prediction.status;
          // E005: the input or output was flagged as sensitive; the same request will be flagged again.
          const flagged = /\bE005\b|flagged as sensitive/i.test(error);
          return { kind: "failed", reason: `Replicate could not generate the image: ${error}`, retryable: !flagged };
        }
        default:
          throw new ProviderError(`Replicate reported an unknown prediction status ${JSON.stringify(prediction.status)}`, true);
      }
    },

    verifyCallback(headers, rawBody) {
      const id = header(headers, "webhook-id");
      const timestamp = header(headers, "webhook-timestamp");
      const signatures = header(headers, "webhook-signature");
      if (!id || !timestamp || !signatures) throw new CallbackRejectedError("Replicate webhook is missing its signature headers", 401);
      checkTimestamp(timestamp, clock, service);
      const expected = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(rawBody).digest();
      const signed = signatures.split(" ").some((entry) => {
        const [scheme, signature] = entry.split(",", 2);
        return scheme === "v1" && !!signature && constantTimeEqual(Buffer.from(signature, "base64"), expected);
      });
      if (!signed) throw new CallbackRejectedError("Replicate webhook signature does not match", 401);
      let body: unknown;
      try {
        body = JSON.parse(rawBody.toString("utf8"));
      } catch {
        throw new CallbackRejectedError("Replicate webhook is not JSON", 400);
      }
      const taskId = isRecord(body) ? body.id : undefined;
      if (typeof taskId !== "string" || !predictionIdPattern.test(taskId)) throw new CallbackRejectedError("Replicate webhook names no prediction", 400);
      return { taskId };
    },
  };
}
