import { createHmac } from "node:crypto";
import { type Clock, constantTimeEqual } from "@pinglass/core";
import { CallbackRejectedError, call, checkTimestamp, downloadOutput, type Fetch, header, isRecord, type Json, parseJson, parseRetryAfter } from "./remote.ts";
import { type ImageProvider, ProviderError } from "./types.ts";

/**
 * Kie.ai's Market API (https://docs.kie.ai): POST /api/v1/jobs/createTask with a callBackUrl,
 * GET /api/v1/jobs/recordInfo?taskId= for the state (waiting, queuing, generating, success, fail).
 * Every answer is {code, msg|message, data}; the code in the body is the real status, the HTTP
 * status is usually 200.
 *
 * Callbacks: Kie signs them only when a webhook HMAC key is enabled in its settings
 * (X-Webhook-Timestamp, X-Webhook-Signature = base64(HMAC-SHA256(taskId + "." + timestamp))).
 * With a key configured every callback must carry a valid signature. Either way the body is never
 * believed: verifyCallback only names the task, and check() asks recordInfo with our API key, so
 * a forged "success" cannot produce a photo.
 */
export interface KieProviderOptions {
  apiKey: string;
  baseUrl?: string;
  model?: string;
  resolution?: "1K" | "2K" | "4K";
  /** The webhook HMAC key from Kie's settings page, if enabled there. */
  webhookHmacKey?: string;
  fetch?: Fetch;
  timeoutMs?: number;
  maxConcurrency?: number;
  clock: Clock;
}

const service = "Kie.ai";
const pendingStates = new Set(["waiting", "queuing", "generating"]);
/** nano-banana-pro takes at most 8 input images. */
const maxReferences = 8;
const maxApiBytes = 1024 * 1024;
const taskIdPattern = /^[\w.-]{1,128}$/;

const reasons: Record<number, string> = {
  401: "Kie.ai rejected the API key",
  402: "the Kie.ai account has run out of credits",
  404: "Kie.ai does not know this task",
  422: "Kie.ai refused the request",
  429: "Kie.ai is rate limiting requests",
  455: "Kie.ai is under maintenance",
  500: "Kie.ai had an internal error",
  501: "Kie.ai failed to generate the image",
  505: "this feature is disabled on Kie.ai",
};

/** An answer with a code other than 200, from the HTTP status or the body. */
class KieApiError extends ProviderError {
  constructor(
    readonly code: number,
    detail: string | undefined,
    retryAfterMs?: number,
  ) {
    // 429, 455 (maintenance) and 5xx are worth retrying; the rest of 4xx and 505 are not.
    const retryable = code === 429 || code === 455 || (code >= 500 && code !== 505);
    const reason = reasons[code] ?? (retryable ? "Kie.ai is unavailable" : "Kie.ai refused the request");
    super(`${reason} (${code}${detail ? `: ${detail}` : ""})`, retryable, retryable ? retryAfterMs : undefined);
  }
}

const messageOf = (body: unknown) => (isRecord(body) ? [body.msg, body.message].find((m): m is string => typeof m === "string" && m !== "") : undefined);

export function createKieProvider(options: KieProviderOptions): ImageProvider {
  const baseUrl = (options.baseUrl ?? "https://api.kie.ai").replace(/\/+$/, "");
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const model = options.model ?? "nano-banana-pro";
  const { clock } = options;

  async function api(path: string, init: RequestInit, signal?: AbortSignal): Promise<Json> {
    const response = await call(
      `${baseUrl}${path}`,
      { ...init, headers: { authorization: `Bearer ${options.apiKey}`, accept: "application/json", ...init.headers } },
      { fetch: fetchImpl, service, timeoutMs, signal, maxBytes: maxApiBytes },
    );
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), clock);
    if (response.status < 200 || response.status >= 300) {
      let body: unknown;
      try {
        body = JSON.parse(response.body.toString("utf8"));
      } catch {}
      throw new KieApiError(response.status, messageOf(body), retryAfterMs);
    }
    const body = parseJson(response, service);
    if (!isRecord(body)) throw new ProviderError("Kie.ai answered with an unexpected body", true);
    const code = typeof body.code === "number" ? body.code : 200;
    if (code !== 200) throw new KieApiError(code, messageOf(body), retryAfterMs);
    return body;
  }

  return {
    name: "kie",
    maxConcurrency: options.maxConcurrency ?? 8,

    async submit(request, signal) {
      const body = {
        model,
        callBackUrl: request.callbackUrl,
        input: {
          prompt: request.prompt,
          image_input: request.references.slice(0, maxReferences).map((r) => r.url),
          aspect_ratio: request.aspectRatio,
          resolution: options.resolution ?? "2K",
          output_format: "jpg",
        },
      };
      const answer = await api("/api/v1/jobs/createTask", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }, signal);
      const taskId = isRecord(answer.data) ? answer.data.taskId : undefined;
      if (typeof taskId !== "string" || !taskIdPattern.test(taskId)) throw new ProviderError("Kie.ai accepted the task but returned no task id", true);
      return { kind: "submitted", taskId };
    },

    async check(taskId, signal) {
      let answer: Json;
      try {
        answer = await api(`/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(taskId)}`, { method: "GET" }, signal);
      } catch (error) {
        // A task Kie has never heard of will not finish: render it again.
        if (error instanceof KieApiError && error.code === 404) return { kind: "failed", reason: error.message, retryable: true };
        throw error;
      }
      const data = isRecord(answer.data) ? answer.data : {};
      const state = data.state;
      if (typeof state === "string" && pendingStates.has(state)) return { kind: "pending" };
      if (state === "fail") {
        const failCode = Number(data.failCode);
        const failMsg = typeof data.failMsg === "string" && data.failMsg ? data.failMsg : "no reason given";
        // 4xx fail codes are about the input (content policy, unreadable image): retrying will not help.
        const retryable = !(failCode >= 400 && failCode < 500);
        return { kind: "failed", reason: `Kie.ai could not generate the image: ${failMsg}${data.failCode ? ` (${data.failCode})` : ""}`, retryable };
      }
      if (state === "success") {
        const url = firstResultUrl(data.resultJson);
        if (!url) return { kind: "failed", reason: "Kie.ai reported success without an image", retryable: true };
        return downloadOutput(url, { fetch: fetchImpl, service, timeoutMs, signal, clock });
      }
      throw new ProviderError(`Kie.ai reported an unknown task state ${JSON.stringify(state)}`, true);
    },

    verifyCallback(headers, rawBody) {
      let body: unknown;
      try {
        body = JSON.parse(rawBody.toString("utf8"));
      } catch {
        throw new CallbackRejectedError("Kie.ai callback is not JSON", 400);
      }
      const data = isRecord(body) && isRecord(body.data) ? body.data : undefined;
      const taskId = data?.taskId ?? data?.task_id;
      if (typeof taskId !== "string" || !taskIdPattern.test(taskId)) throw new CallbackRejectedError("Kie.ai callback names no task", 400);
      if (options.webhookHmacKey) {
        const timestamp = header(headers, "x-webhook-timestamp");
        checkTimestamp(timestamp, clock, service);
        const given = Buffer.from(header(headers, "x-webhook-signature") ?? "", "base64");
        const expected = createHmac("sha256", options.webhookHmacKey).update(`${taskId}.${timestamp}`).digest();
        if (!constantTimeEqual(given, expected)) throw new CallbackRejectedError("Kie.ai callback signature does not match", 401);
      }
      return { taskId };
    },
  };
}

/** resultJson is a JSON string (sometimes already an object) holding resultUrls. */
function firstResultUrl(resultJson: unknown): string | undefined {
  let result: unknown = resultJson;
  if (typeof resultJson === "string") {
    try {
      result = JSON.parse(resultJson);
    } catch {
      return undefined;
    }
  }
  const urls = isRecord(result) ? result.resultUrls : undefined;
  return Array.isArray(urls) && typeof urls[0] === "string" ? urls[0] : undefined;
}
