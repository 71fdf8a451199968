import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { savedCheckout } from "../lib/checkout.ts";
import { useStartPhotoset } from "../lib/useStartPhotoset.ts";
import { useTRPC } from "../trpc.ts";
import { errorText } from "../ui/errors.ts";

/**
 * A photoset that was paid for but never started (the tab closed on the bank's page, the network
 * dropped) is picked up here: with the saved choice of avatar and style it starts by itself;
 * without it the user is told and chooses.
 */
export function PaidPhotosetBanner() {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const me = useQuery(trpc.session.me.queryOptions());
  const start = useStartPhotoset();
  const attempted = useRef(false);
  const paid = me.data?.paidPhotosets ?? [];
  const checkout = savedCheckout();
  const resumable = checkout && paid.some((p) => p.paymentId === checkout.paymentId) ? checkout : null;

  useEffect(() => {
    if (!resumable || attempted.current) return;
    attempted.current = true;
    start.mutate(resumable);
  }, [resumable, start]);

  if (paid.length === 0) return null;
  return (
    <div className="banner" role="status" data-testid="paid-banner">
      <strong>{t("resume.title", { count: paid[0]!.photoCount })}</strong>
      <p>{resumable ? (start.isError ? errorText(start.error, t) : t("resume.starting")) : t("resume.choose")}</p>
      {resumable && start.isError && (
        <button type="button" className="button button-small" onClick={() => start.mutate(resumable)}>
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}
