import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient } from "@trpc/client";
import type { PinglassRouter } from "./router.ts";

export type { PinglassRouter };
export { TRPCClientError, isTRPCClientError } from "@trpc/client";

export interface PinglassClientOptions {
  /** Where the PinGlass server answers, e.g. "https://pinglass.example" (its /trpc is called). */
  baseUrl: string;
  /** A session token from session.start (what the web app uses). */
  token?: string;
  /** An API key (`pg_live_…`) made on the account screen, limited to its scopes. */
  apiKey?: string;
  /** The language of error messages: "ru" (the default) or "en". */
  locale?: "ru" | "en";
  /** A fetch to use instead of the global one (tests, proxies, older runtimes). */
  fetch?: Parameters<typeof httpBatchLink>[0]["fetch"];
  /** An EventSource for subscriptions (generation.progress) where there is no global one. */
  EventSource?: Parameters<typeof httpSubscriptionLink>[0]["EventSource"];
}

/** The server's limit on calls per batch: a larger batch is split. */
const maxCallsPerBatch = 20;

/**
 * A typed client of every PinGlass procedure, over plain JSON:
 * `await pinglass.avatars.list.query({ limit: 20 })`, `await pinglass.avatars.create.mutate({ name })`.
 * Calls made together are batched (at most 20 a request); a failure is a TRPCClientError whose
 * `data` carries `code`, `httpStatus`, `messageKey` and, for bad input, `fieldErrors`.
 */
export function createPinglassClient(options: PinglassClientOptions): TRPCClient<PinglassRouter> {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/trpc`;
  const credential = options.apiKey ?? options.token;
  return createTRPCClient<PinglassRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        // An EventSource cannot send headers: the credential travels as a connection parameter.
        true: httpSubscriptionLink({ url, EventSource: options.EventSource, connectionParams: () => (credential ? { token: credential } : {}) }),
        false: httpBatchLink({
          url,
          fetch: options.fetch,
          maxItems: maxCallsPerBatch,
          maxURLLength: 8000,
          headers: () => ({ "x-pinglass-locale": options.locale ?? "ru", ...(credential ? { authorization: `Bearer ${credential}` } : {}) }),
        }),
      }),
    ],
  });
}
