import type { AppRouter } from "@pinglass/api";
import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import superjson from "superjson";
import { i18n } from "./i18n/index.ts";
import { sessionToken } from "./session.ts";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 10_000, retry: 1, refetchOnWindowFocus: false } },
});

export const trpcClient = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === "subscription",
      // EventSource cannot send headers, so the token and language travel as connection params.
      true: httpSubscriptionLink({
        url: "/trpc",
        transformer: superjson,
        connectionParams: () => ({ token: sessionToken() ?? "" }),
      }),
      false: httpBatchLink({
        url: "/trpc",
        transformer: superjson,
        headers: () => {
          const token = sessionToken();
          return { "x-pinglass-locale": i18n.language, ...(token ? { authorization: `Bearer ${token}` } : {}) };
        },
      }),
    }),
  ],
});
