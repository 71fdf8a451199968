import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { savedCheckout } from "../lib/checkout.ts";
import { useStartPhotoset } from "../lib/useStartPhotoset.ts";
import { useTRPC } from "../trpc.ts";
import { errorText } from "../ui/errors.ts";

/**
 * Back after the tab closed on the bank's page: the bank's notification has usually started the
 * photoset already (the payment names its avatar and style), and the saved choice leads to it.
 * A photoset that was paid for but never started (its avatar could not start then) is picked up
 * too: with the saved choice it starts; without it the user is told and chooses.
 */
export function PaidPhotosetBanner() {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const me = useQuery(trpc.session.me.queryOptions());
  const start = useStartPhotoset();
  const attempted = useRef(false);
  const paid = me.data?.paidPhotosets ?? [];
  const checkout = savedCheckout();
  const unused = checkout && paid.some((p) => p.paymentId === checkout.paymentId) ? checkout : null;
  // Not among the unused ones: perhaps paid and started by the bank's word; starting it again answers with that job.
  const other = checkout && me.isSuccess && !unused ? checkout : null;
  const status = useQuery({ ...trpc.payments.status.queryOptions({ paymentId: other?.paymentId ?? 0 }), enabled: other !== null });
  const startedByBank = other && status.data?.status === "succeeded" && status.data.used ? other : null;
  const resumable = unused ?? startedByBank;

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
