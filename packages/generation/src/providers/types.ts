/**
 * What the job engine needs from an image provider. The engine owns slots, retries, leases and
 * storage; a provider only turns a prompt plus reference photos into image bytes.
 *
 * Flow: submit() either finishes at once (the local renderer) or returns a task id. The engine
 * stores the task id on the slot and later calls check(taskId): when the provider's callback
 * arrives (after verifyCallback), or when the slot's poll time comes (the fallback for lost
 * callbacks). check() downloads the output, so bytes land in our storage before any photo row.
 */
export interface ReferenceImage {
  /** Our storage key. */
  key: string;
  /** A short-lived signed URL of that key, for remote providers to fetch. */
  url: string;
}

export interface ImageRequest {
  prompt: string;
  references: ReferenceImage[];
  /** Stable per avatar and scene, so renders are reproducible where the provider allows it. */
  seed: string;
  aspectRatio: "4:5";
  /** Where the provider should call back for this task (remote providers). */
  callbackUrl: string;
  /** Which catalogue style and scene this is; the offline renderer draws its look from them. */
  scene?: { styleId: string; sceneId: string };
}

export type ProviderOutcome =
  | { kind: "succeeded"; image: Buffer; contentType: string }
  | { kind: "pending" }
  | { kind: "failed"; reason: string; retryable: boolean };

export type SubmitResult = { kind: "submitted"; taskId: string } | Extract<ProviderOutcome, { kind: "succeeded" }>;

export interface ImageProvider {
  readonly name: "local" | "kie" | "replicate";
  /** The provider's rate limit: at most this many tasks in flight across all jobs of this process. */
  readonly maxConcurrency: number;
  submit(request: ImageRequest, signal?: AbortSignal): Promise<SubmitResult>;
  check(taskId: string, signal?: AbortSignal): Promise<ProviderOutcome>;
  /**
   * Authenticates a callback request and returns the task it is about; throws
   * ProviderError (retryable: false) for a forged or malformed one. Its content is not trusted
   * beyond that: the engine calls check(taskId) to learn the outcome.
   */
  verifyCallback?(headers: Record<string, string | string[] | undefined>, rawBody: Buffer): { taskId: string };
}

/**
 * A provider call that failed. retryable: 429, 5xx, timeouts, network errors; the engine retries
 * with backoff (honouring retryAfterMs) and fails the slot after a few attempts with a reason a
 * user can read.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}
