import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useOnline } from "../lib/online.ts";
import { errorText } from "./errors.ts";

/** A spinner while something loads; while the device is offline, the plain words of Offline instead. */
export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  const online = useOnline();
  if (!online) return <Offline />;
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t("common.loading")}
    </div>
  );
}

/** What waits for the connection, in plain words: it loads by itself once the device is back online. */
export function Offline() {
  const { t } = useTranslation();
  return (
    <div className="state state-offline" role="status" aria-live="polite" data-testid="offline">
      <span className="state-icon" aria-hidden="true">
        <svg viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
          <path d="M2 8.5a15 15 0 0 1 20 0M5.5 12a10 10 0 0 1 13 0M9 15.5a5 5 0 0 1 6 0" />
          <circle cx="12" cy="19" r="1" fill="currentColor" />
          <path d="M3 3l18 18" />
        </svg>
      </span>
      <strong>{t("common.offlineTitle")}</strong>
      <p>{t("common.offlineWaiting")}</p>
    </div>
  );
}

/** A screen that could not load: a title, what happened in plain words, and a way to try again. */
export function ErrorState({ error, message, onRetry, title }: { error?: unknown; message?: string; onRetry?: () => void; title?: string }) {
  const { t } = useTranslation();
  return (
    <div className="state state-error" role="alert">
      <span className="state-icon" aria-hidden="true">!</span>
      <strong>{title ?? t("common.errorTitle")}</strong>
      <p>{message ?? errorText(error, t)}</p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}

export function Empty({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <p>{children}</p>
      {action}
    </div>
  );
}
