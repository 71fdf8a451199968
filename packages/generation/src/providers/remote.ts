import type { Clock } from "@pinglass/core";
import sharp from "sharp";
import { type ProviderOutcome, ProviderError } from "./types.ts";

/** The shared plumbing of the remote providers (Kie.ai, Replicate): deadlines, error mapping, downloads. */

export type Fetch = typeof fetch;

export type Json = Record<string, unknown>;
export const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A callback that failed authentication (401) or could not be read (400). Nothing may change
 * because of it; the webhook route answers with `status`.
 */
export class CallbackRejectedError extends ProviderError {
  constructor(
    message: string,
    readonly status: 400 | 401,
  ) {
    super(message, false);
    this.name = "CallbackRejectedError";
  }
}

export interface CallOptions {
  fetch: Fetch;
  /** The provider's name for messages, e.g. "Kie.ai". */
  service: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Responses larger than this are refused rather than buffered. */
  maxBytes: number;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

/**
 * One HTTP exchange under a deadline that covers the body too. A timeout or a network failure
 * becomes a retryable ProviderError; the caller's own abort is passed through unchanged, since
 * it means "stop", not "the provider failed".
 */
export async function call(url: string, init: RequestInit, options: CallOptions): Promise<RawResponse> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  try {
    const response = await options.fetch(url, { ...init, signal });
    const body = await readLimited(response, options.maxBytes, options.service);
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof ProviderError) throw error;
    if (deadline.aborted) throw new ProviderError(`${options.service} did not answer within ${options.timeoutMs} ms`, true);
    throw new ProviderError(`${options.service} could not be reached (${describe(error)})`, true);
  }
}

async function readLimited(response: Response, maxBytes: number, service: string): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new ProviderError(`${service} sent ${declared} bytes, more than the ${maxBytes} allowed`, false);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new ProviderError(`${service} sent more than the ${maxBytes} bytes allowed`, false);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/** Retry-After in either form HTTP allows (seconds, or a date), as milliseconds from now. */
export function parseRetryAfter(value: string | null, clock: Clock): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - clock.now().getTime());
}

/** Parses a JSON body; a provider that answers with something else is broken for now, so retryable. */
export function parseJson(response: RawResponse, service: string): unknown {
  try {
    return JSON.parse(response.body.toString("utf8"));
  } catch {
    throw new ProviderError(`${service} answered HTTP ${response.status} with a body that is not JSON`, response.status >= 500 || response.status < 300);
  }
}

export const maxImageBytes = 40 * 1024 * 1024;
const imageTypes: Record<string, string> = { jpeg: "image/jpeg", png: "image/png", webp: "image/webp" };

/**
 * Downloads a finished output. The provider's URL is temporary and public, so no credentials are
 * sent with it. The type comes from the bytes, not from the provider's header. An output that is
 * gone or is not an image means the render must be redone: a retryable failure. A slow or
 * failing file server is a ProviderError, so the engine simply checks again later.
 */
export async function downloadOutput(url: string, options: Omit<CallOptions, "maxBytes"> & { clock: Clock }): Promise<ProviderOutcome> {
  if (!/^https?:\/\//i.test(url)) return { kind: "failed", reason: `${options.service} returned an output that is not an http(s) URL`, retryable: true };
  const response = await call(url, { method: "GET" }, { ...options, maxBytes: maxImageBytes });
  if (response.status === 429 || response.status >= 500) {
    throw new ProviderError(`${options.service} output download failed with HTTP ${response.status}`, true, parseRetryAfter(response.headers.get("retry-after"), options.clock));
  }
  if (response.status !== 200) return { kind: "failed", reason: `${options.service} output could not be downloaded (HTTP ${response.status})`, retryable: true };
  const format = await sharp(response.body, { limitInputPixels: 100_000_000 })
    .metadata()
    .then((m) => m.format)
    .catch(() => undefined);
  const contentType = format ? imageTypes[format] : undefined;
  if (!contentType) return { kind: "failed", reason: `${options.service} output is not a JPEG, PNG or WebP image`, retryable: true };
  return { kind: "succeeded", image: response.body, contentType };
}

/** One header value, whatever shape node gave it. */
export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Webhook timestamps older or newer than this are refused, against replays. */
export const callbackToleranceMs = 5 * 60 * 1000;

export function checkTimestamp(value: string | undefined, clock: Clock, service: string): number {
  if (!value || !/^\d{1,12}$/.test(value)) throw new CallbackRejectedError(`${service} callback has no valid timestamp`, 401);
  const seconds = Number(value);
  if (Math.abs(clock.now().getTime() - seconds * 1000) > callbackToleranceMs) {
    throw new CallbackRejectedError(`${service} callback timestamp is outside the 5-minute window`, 401);
  }
  return seconds;
}
