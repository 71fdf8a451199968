import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";

/**
 * Pieces shared by the fake Kie.ai and Replicate servers that tests run on 127.0.0.1: listening,
 * JSON in and out, failure injection, rendering output JPEGs and fetching reference photos the
 * way the real services do.
 */

/** What a request to an endpoint meets instead of the normal answer: an error status, or a delay. */
export type Fault = { status: number; body?: unknown; retryAfter?: string } | { delayMs: number };

export class FaultQueue<Endpoint extends string> {
  private readonly queued = new Map<Endpoint, Fault[]>();

  /** The next `times` requests to `endpoint` meet `fault`. */
  inject(endpoint: Endpoint, fault: Fault, times = 1) {
    this.queued.set(endpoint, [...(this.queued.get(endpoint) ?? []), ...Array.from({ length: times }, () => fault)]);
  }

  /**
   * Applies the next fault of `endpoint`, if any. Returns true when the response was sent (an
   * error status); a delay only holds the request, then the normal answer follows.
   */
  async apply(endpoint: Endpoint, res: ServerResponse): Promise<boolean> {
    const fault = this.queued.get(endpoint)?.shift();
    if (!fault) return false;
    if ("delayMs" in fault) {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      return false;
    }
    sendJson(res, fault.status, fault.body ?? { error: `injected ${fault.status}` }, fault.retryAfter ? { "retry-after": fault.retryAfter } : {});
    return true;
  }
}

export async function listenLocal(handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    handler(req, res, url).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function closeServer(server: Server) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

export function bearer(req: IncomingMessage): string | undefined {
  return /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
}

/** A small JPEG whose colour follows the prompt, standing in for a generated portrait. */
export async function renderOutput(prompt: string): Promise<Buffer> {
  const [r, g, b] = createHash("sha256").update(prompt).digest();
  return sharp({ create: { width: 40, height: 50, channels: 3, background: { r: r!, g: g!, b: b! } } })
    .jpeg()
    .toBuffer();
}

/** Fetches every reference photo as the real services do; returns why one could not be read, or null. */
export async function fetchReferences(urls: string[]): Promise<string | null> {
  for (const url of urls) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const type = response.headers.get("content-type") ?? "";
      await response.arrayBuffer();
      if (!response.ok || !type.startsWith("image/")) return `failed to fetch the image ${url} (HTTP ${response.status})`;
    } catch (error) {
      return `failed to fetch the image ${url} (${(error as Error).message})`;
    }
  }
  return null;
}

/** Posts a callback and reports the receiver's status (0 when it could not be reached). */
export async function postCallback(url: string, body: string, headers: Record<string, string>): Promise<number> {
  try {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Callback behaviour of one task: delivered, never sent (lost), or delivered twice (a retry). */
export type CallbackPlan = "send" | "lost" | "duplicate";

/**
 * Stands in for our media storage's signed URLs: serves a selfie JPEG only with the right
 * signature, so a fake provider that fetches references proves the URLs were passed through.
 */
export async function startReferenceServer() {
  const photo = await renderOutput("a selfie");
  const { server, url } = await listenLocal(async (_req, res, requestUrl) => {
    if (requestUrl.searchParams.get("signature") !== "valid") return sendJson(res, 403, { error: "signature expired" });
    res.writeHead(200, { "content-type": "image/jpeg", "content-length": photo.length });
    res.end(photo);
  });
  return {
    reference: (n: number, signature = "valid") => ({ key: `references/${n}.jpg`, url: `${url}/media/references/${n}.jpg?signature=${signature}` }),
    close: () => closeServer(server),
  };
}

export type CallbackVerifier = (headers: IncomingMessage["headers"], rawBody: Buffer) => { taskId: string };

/**
 * Receives provider callbacks the way the webhook route does: verify, answer 200 with the task,
 * or the rejection's status, then hand an authentic one to `onTask` (the engine). Records every
 * delivery so tests can inspect them.
 */
export async function startCallbackReceiver(verify: CallbackVerifier, onTask?: (taskId: string) => Promise<unknown>) {
  const deliveries: Array<{ taskId?: string; status: number }> = [];
  const handling = new Set<Promise<unknown>>();
  const { server, url } = await listenLocal(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let delivery: { taskId?: string; status: number };
    try {
      delivery = { taskId: verify(req.headers, Buffer.concat(chunks)).taskId, status: 200 };
    } catch (error) {
      delivery = { status: (error as { status?: number }).status ?? 400 };
    }
    deliveries.push(delivery);
    sendJson(res, delivery.status, delivery.taskId ? { ok: true } : { error: "rejected" });
    if (delivery.taskId && onTask) {
      const work = onTask(delivery.taskId).finally(() => handling.delete(work));
      handling.add(work);
    }
  });
  return {
    url: `${url}/webhooks/callback`,
    deliveries,
    /** Resolves once every authentic delivery so far has been handled by onTask. */
    async idle(): Promise<void> {
      while (handling.size > 0) await Promise.allSettled([...handling]);
    },
    close: () => closeServer(server),
  };
}
