import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { errorText } from "./errors.ts";

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t("common.loading")}
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
