import type { AppRouter } from "@pinglass/api";
import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { i18n } from "./i18n/index.ts";
import { clearSession, sessionToken } from "./session.ts";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/**
 * A stored session the server no longer accepts (its account was merged or deleted, or the
 * server's secret changed) is dropped, and the app starts over with a fresh one, instead of
 * failing every request until the token expires.
 */
function dropRejectedSession(error: unknown) {
  if (error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "UNAUTHORIZED" && sessionToken() !== null) {
    clearSession();
    window.location.reload();
  }
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: dropRejectedSession }),
  mutationCache: new MutationCache({ onError: dropRejectedSession }),
  defaultOptions: { queries: { staleTime: 10_000, retry: 1, refetchOnWindowFocus: false } },
});

export const trpcClient = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === "subscription",
      // EventSource cannot send headers, so the token travels as a connection param (the language does not).
      true: httpSubscriptionLink({
        url: "/trpc",
        connectionParams: () => ({ token: sessionToken() ?? "" }),
      }),
      false: httpBatchLink({
        url: "/trpc",
        // Within the server's limits (20 calls a batch, long URLs refused): a larger batch is split.
        maxItems: 20,
        maxURLLength: 8000,
        headers: () => {
          const token = sessionToken();
          return { "x-pinglass-locale": i18n.language, ...(token ? { authorization: `Bearer ${token}` } : {}) };
        },
      }),
    }),
  ],
});
