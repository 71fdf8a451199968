import type { Clock } from "@pinglass/core";
import { CallbackRejectedError, createKieProvider, createLocalRenderer, createReplicateProvider, type ImageProvider } from "@pinglass/generation";
import type { MediaStorage } from "@pinglass/media";
import type { Logger } from "pino";
import type { Config } from "./config.ts";
import { readBody, type Route, sendJson, sendRefusal } from "./http/router.ts";

/** One provider call may wait this long; the engine has its own, longer, deadline per slot. */
const providerCallTimeoutMs = 60_000;

/** The configured image provider: Kie.ai, Replicate, or the local renderer (the embedded default). */
export function createImageProvider(config: Config["imageProvider"], deps: { storage: MediaStorage; clock: Clock }): ImageProvider {
  switch (config.kind) {
    case "kie":
      return createKieProvider({ apiKey: config.apiKey, baseUrl: config.apiUrl, model: config.model, webhookHmacKey: config.webhookHmacKey, maxConcurrency: config.maxConcurrency, timeoutMs: providerCallTimeoutMs, clock: deps.clock });
    case "replicate":
      return createReplicateProvider({ apiToken: config.apiToken, baseUrl: config.apiUrl, model: config.model, webhookSecret: config.webhookSecret, maxConcurrency: config.maxConcurrency, timeoutMs: providerCallTimeoutMs, clock: deps.clock });
    case "local":
      return createLocalRenderer(deps.storage);
  }
}

/** Callback bodies are a task's JSON (Replicate's includes the prediction's input and logs). */
const maxCallbackBytes = 1024 * 1024;
const remoteProviders = ["kie", "replicate"] as const;

/**
 * POST /webhooks/kie and /webhooks/replicate. Thin: read the raw body (bounded), let the provider
 * authenticate it and name the task, answer at once, then hand the task to the engine, which asks
 * the provider for the outcome. A forged callback gets 401/400 and touches nothing; a duplicate
 * gets 200 again and the engine finds the slot already settled. The answer does not wait for the
 * download, so the provider does not time out and resend; if this process dies before the work is
 * done, the slot's poll time brings it back.
 */
export function providerWebhookRoutes(options: { provider: ImageProvider; completeTask(provider: string, taskId: string): Promise<unknown>; logger: Logger }): Route[] {
  const { provider, logger } = options;
  return remoteProviders.map((name) => ({
    method: "POST",
    path: `/webhooks/${name}`,
    handler: async (req, res) => {
      if (provider.name !== name || !provider.verifyCallback) return sendRefusal(req, res, 404, "errors.notFound");
      let body: Buffer;
      try {
        body = await readBody(req, maxCallbackBytes);
      } catch (error) {
        return sendRefusal(req, res, (error as { status?: number }).status ?? 400, "errors.badRequest");
      }
      let taskId: string;
      try {
        taskId = provider.verifyCallback(req.headers, body).taskId;
      } catch (error) {
        const status = error instanceof CallbackRejectedError ? error.status : 400;
        logger.warn({ provider: name, status, reason: (error as Error).message }, "image provider callback refused");
        return sendRefusal(req, res, status, status === 401 ? "errors.unauthorized" : "errors.badRequest");
      }
      sendJson(res, 200, { ok: true });
      await options.completeTask(name, taskId).catch((error: unknown) => {
        logger.warn({ err: error, provider: name, taskId }, "image provider callback could not be handled now; the slot's poll will");
      });
    },
  }));
}
