import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { savedCheckout } from "../lib/checkout.ts";
import { navigate, paths } from "../lib/router.ts";
import { useStartPhotoset } from "../lib/useStartPhotoset.ts";
import { useTRPC } from "../trpc.ts";
import { formatAmount } from "../ui/format.ts";
import { ErrorState } from "../ui/states.tsx";
import { errorText } from "../ui/errors.ts";

const pollEveryMs = 2000;
/** After this long without an answer we stop spinning and say so; the user can check again. */
const patienceMs = 60_000;

export default function PaymentReturnScreen({ paymentId: fromUrl }: { paymentId: number | null }) {
  const { t, i18n } = useTranslation();
  const trpc = useTRPC();
  const checkout = savedCheckout();
  const paymentId = fromUrl ?? checkout?.paymentId ?? null;
  const [since, setSince] = useState(() => Date.now());
  const [patient, setPatient] = useState(true);
  const status = useQuery({
    ...trpc.payments.status.queryOptions({ paymentId: paymentId ?? 0 }),
    enabled: paymentId !== null,
    refetchInterval: (query) => (query.state.data?.status === "pending" && patient ? pollEveryMs : false),
  });
  const start = useStartPhotoset();
  const started = useRef(false);
  const state = status.data?.status;

  useEffect(() => {
    if (!patient) return;
    const timer = setTimeout(() => setPatient(false), Math.max(0, since + patienceMs - Date.now()));
    return () => clearTimeout(timer);
  }, [since, patient]);

  // Paid: start the photoset this payment was for, once.
  useEffect(() => {
    if (state !== "succeeded" || started.current || !checkout || checkout.paymentId !== paymentId) return;
    started.current = true;
    start.mutate(checkout);
  }, [state, checkout, paymentId, start]);

  const checkAgain = () => {
    setSince(Date.now());
    setPatient(true);
    void status.refetch();
  };

  if (paymentId === null) {
    return (
      <Panel tone="neutral" icon="?" title={t("payment.unknownTitle")} testId="payment-unknown">
        <p>{t("payment.unknownText")}</p>
        <button type="button" className="button button-primary" onClick={() => navigate(paths.home())}>
          {t("common.toHome")}
        </button>
      </Panel>
    );
  }
  if (status.isError) return <ErrorState error={status.error} onRetry={checkAgain} />;

  if (state === "succeeded") {
    return (
      <Panel tone="success" title={t("payment.paidTitle")} testId="payment-paid">
        {start.isError ? (
          <>
            <p className="form-error" role="alert">
              {errorText(start.error, t)}
            </p>
            <button type="button" className="button button-primary" onClick={() => navigate(paths.home())}>
              {t("common.toHome")}
            </button>
          </>
        ) : checkout?.paymentId === paymentId ? (
          // The bank's notification has usually started it already; the start answers with that job.
          <p>{t("payment.starting")}</p>
        ) : status.data?.used ? (
          <>
            <p>{t("payment.usedText")}</p>
            <button type="button" className="button button-primary" onClick={() => navigate(paths.home())}>
              {t("common.toHome")}
            </button>
          </>
        ) : (
          <>
            <p>{t("payment.paidChoose")}</p>
            <button type="button" className="button button-primary" onClick={() => navigate(paths.home())}>
              {t("common.toHome")}
            </button>
          </>
        )}
      </Panel>
    );
  }
  if (state === "refunded") {
    return (
      <Panel tone="neutral" icon="↩" title={t("payment.refundedTitle")} testId="payment-refunded">
        <p>{t("payment.refundedText", { amount: formatAmount(status.data?.amount ?? "0", status.data?.currency ?? "RUB", i18n.language) })}</p>
        <button type="button" className="button button-primary" onClick={() => navigate(paths.account())}>
          {t("payment.toPayments")}
        </button>
      </Panel>
    );
  }
  if (state === "canceled") {
    return (
      <Panel tone="danger" title={t("payment.declinedTitle")} testId="payment-declined">
        <p>{t("payment.declinedText")}</p>
        <button
          type="button"
          className="button button-primary"
          onClick={() => navigate(checkout ? paths.tier(checkout.avatarId, checkout.styleId, status.data?.tierId ?? undefined) : paths.home())}
          data-testid="payment-retry"
        >
          {t("payment.tryAgain")}
        </button>
      </Panel>
    );
  }
  if (!patient) {
    return (
      <Panel tone="neutral" title={t("payment.slowTitle")} testId="payment-slow">
        <p>{t("payment.slowText")}</p>
        <button type="button" className="button button-primary" onClick={checkAgain}>
          {t("payment.checkAgain")}
        </button>
      </Panel>
    );
  }
  return (
    <Panel tone="waiting" title={t("payment.waitingTitle")} testId="payment-waiting">
      <p>{t("payment.waitingText")}</p>
    </Panel>
  );
}

function Panel({ tone, title, testId, icon, children }: { tone: "neutral" | "success" | "danger" | "waiting"; title: string; testId: string; icon?: string; children: React.ReactNode }) {
  return (
    <section className={`panel panel-${tone}`} data-testid={testId} aria-live="polite">
      <span className="panel-icon" aria-hidden="true">
        {tone === "waiting" ? <span className="spinner" /> : (icon ?? (tone === "success" ? "✓" : tone === "danger" ? "!" : "…"))}
      </span>
      <h1>{title}</h1>
      {children}
    </section>
  );
}
