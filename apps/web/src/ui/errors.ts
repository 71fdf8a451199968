import { TRPCClientError } from "@trpc/client";
import type { TFunction } from "i18next";

/**
 * A failure in words a person understands. The server sends every error it raises already
 * translated from its catalogue (and names the key in `data.messageKey`); anything else — no
 * network, a proxy's error page, a timeout — gets our own sentence instead of "Failed to fetch".
 */
export function errorText(error: unknown, t: TFunction): string {
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<never>).data as { messageKey?: unknown } | undefined | null;
    if (data && typeof data.messageKey === "string" && error.message) return error.message;
  }
  if (typeof navigator !== "undefined" && navigator.onLine === false) return t("common.offline");
  return t("common.networkError");
}
