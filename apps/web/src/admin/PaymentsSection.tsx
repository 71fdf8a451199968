import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc.ts";
import { ConfirmDialog } from "../ui/ConfirmDialog.tsx";
import { ErrorState, Loading } from "../ui/states.tsx";
import { type AdminOutputs, Outcome, SearchForm, Table, useAdminText, useErrorText, useMoney, useWhen } from "./shared.tsx";

type PaymentRow = AdminOutputs["payments"]["search"]["items"][number];

/** Payments: find one, read its history, refund it (whole or some photos), ask the bank again. */
export function PaymentsSection() {
  const { t } = useAdminText();
  const trpc = useTRPC();
  const [query, setQuery] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const found = useQuery({ ...trpc.admin.payments.search.queryOptions({ query: query ?? "" }), enabled: query !== null });

  if (selected !== null) return <PaymentDetail paymentId={selected} onBack={() => setSelected(null)} />;
  return (
    <div className="card">
      <SearchForm label={t("payments.searchLabel")} onSearch={setQuery} testId="admin-payment-search" />
      {query !== null && found.isPending && <Loading />}
      {found.isError && <ErrorState error={found.error} onRetry={() => void found.refetch()} />}
      {found.data && (found.data.items.length === 0 ? <p className="muted">{t("common.nothingFound")}</p> : <PaymentTable rows={found.data.items} onOpen={setSelected} />)}
    </div>
  );
}

export function PaymentTable({ rows, onOpen }: { rows: PaymentRow[]; onOpen?: (id: number) => void }) {
  const { t } = useAdminText();
  const money = useMoney();
  const when = useWhen();
  return (
    <Table head={[t("payments.id"), t("payments.user"), t("payments.provider"), t("payments.status"), t("payments.amount"), t("payments.refunded"), t("payments.created")]}>
      {rows.map((p) => (
        <tr key={p.id} data-testid="admin-payment-row">
          <td>
            {onOpen ? (
              <button type="button" className="link-button" onClick={() => onOpen(p.id)} data-testid="admin-payment-open">
                {t("common.payment", { id: p.id })}
              </button>
            ) : (
              t("common.payment", { id: p.id })
            )}
          </td>
          <td>{p.userId ?? "—"}</td>
          <td>{t(`payments.providers.${p.provider}`)}</td>
          <td>
            <span className={`badge badge-payment-${p.status}`}>{t(`payments.statuses.${p.status}`)}</span>
          </td>
          <td className="admin-number">{money(p.amount, p.currency)}</td>
          <td className="admin-number">{money(p.refundedAmount, p.currency)}</td>
          <td>{when(p.createdAt)}</td>
        </tr>
      ))}
    </Table>
  );
}

function PaymentDetail({ paymentId, onBack }: { paymentId: number; onBack: () => void }) {
  const { t } = useAdminText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const money = useMoney();
  const when = useWhen();
  const errorText = useErrorText();
  const detail = useQuery(trpc.admin.payments.get.queryOptions({ paymentId }));
  const [photos, setPhotos] = useState(1);
  const [asking, setAsking] = useState<"photos" | "all" | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const refreshed = () => Promise.all([queryClient.invalidateQueries({ queryKey: trpc.admin.payments.get.queryKey({ paymentId }) }), queryClient.invalidateQueries({ queryKey: trpc.admin.audit.queryKey() })]);
  const refund = useMutation(
    trpc.admin.payments.refund.mutationOptions({
      onSuccess: async (queued) => {
        setAsking(null);
        setOutcome(t("payments.refundQueued", { amount: money(queued.amount, detail.data?.payment.currency ?? "RUB") }));
        await refreshed();
      },
    }),
  );
  const recheck = useMutation(
    trpc.admin.payments.recheck.mutationOptions({
      onSuccess: async (answer) => {
        const status = t(`payments.statuses.${answer.payment.status}`);
        setOutcome(answer.changed ? t("payments.recheckChanged", { status }) : t("payments.recheckSame", { status }));
        await refreshed();
      },
    }),
  );

  if (detail.isPending) return <Loading />;
  if (detail.isError) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  const { payment, events, refunds } = detail.data;
  const paid = payment.status === "succeeded";
  const facts: [string, string][] = [
    [t("payments.status"), t(`payments.statuses.${payment.status}`)],
    [t("payments.provider"), t(`payments.providers.${payment.provider}`)],
    [t("payments.amount"), money(payment.amount, payment.currency)],
    [t("payments.refunded"), money(payment.refundedAmount, payment.currency)],
    [t("payments.refunding"), money(payment.refundingAmount, payment.currency)],
    [t("payments.tier"), String(payment.photoCount)],
    [t("payments.user"), String(payment.userId ?? "—")],
    [t("payments.job"), payment.jobId === null ? "—" : String(payment.jobId)],
    [t("payments.orderId"), payment.orderId ?? "—"],
    [t("payments.bankPaymentId"), payment.bankPaymentId ?? "—"],
    [t("payments.bankStatus"), payment.bankStatus ?? "—"],
    [t("payments.email"), payment.receiptEmail ?? "—"],
    [t("payments.created"), when(payment.createdAt)],
    ...(payment.errorMessage ? ([[t("payments.error"), payment.errorMessage]] as [string, string][]) : []),
  ];
  return (
    <div className="admin-grid" data-testid="admin-payment-detail">
      <div className="card admin-wide">
        <button type="button" className="button button-small button-ghost" onClick={onBack}>
          ← {t("common.back")}
        </button>
        <h2>{t("common.payment", { id: payment.id })}</h2>
        <dl className="admin-facts-list">
          {facts.map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <div className="admin-actions">
          {paid && payment.provider !== "stars" && (
            <div className="admin-inline">
              <label className="field">
                <span className="field-label">{t("payments.refundPhotos")}</span>
                <input type="number" min={1} max={payment.photoCount} value={photos} onChange={(event) => setPhotos(Math.max(1, Math.min(payment.photoCount, Number(event.target.value) || 1)))} data-testid="admin-refund-photos" />
              </label>
              <button type="button" className="button" onClick={() => setAsking("photos")} data-testid="admin-refund-photos-submit">
                {t("payments.refundPhotosButton")}
              </button>
            </div>
          )}
          {paid && (
            <button type="button" className="button button-danger" onClick={() => setAsking("all")} data-testid="admin-refund-all">
              {t("payments.refundAll")}
            </button>
          )}
          {payment.provider !== "stars" && payment.bankPaymentId && (
            <button type="button" className="button" onClick={() => recheck.mutate({ paymentId })} disabled={recheck.isPending} aria-busy={recheck.isPending} data-testid="admin-recheck">
              {t("payments.recheck")}
            </button>
          )}
        </div>
        <Outcome text={outcome} error={recheck.isError ? errorText(recheck.error) : null} />
      </div>
      <div className="card admin-wide">
        <h2>{t("payments.history")}</h2>
        {events.length === 0 ? (
          <p className="muted">{t("payments.noEvents")}</p>
        ) : (
          <Table head={[t("payments.received"), t("payments.source"), t("payments.bankStatus"), t("payments.error")]} testId="admin-payment-events">
            {events.map((e) => (
              <tr key={e.id}>
                <td>{when(e.receivedAt)}</td>
                <td>{e.source}</td>
                <td>{e.bankStatus ?? "—"}</td>
                <td>{[e.errorCode, e.message].filter(Boolean).join(" ") || "—"}</td>
              </tr>
            ))}
          </Table>
        )}
      </div>
      <div className="card admin-wide">
        <h2>{t("payments.refunds")}</h2>
        {refunds.length === 0 ? (
          <p className="muted">{t("common.none")}</p>
        ) : (
          <Table head={[t("payments.created"), t("payments.amount"), t("payments.tier"), t("payments.status"), t("payments.error")]} testId="admin-payment-refunds">
            {refunds.map((r) => (
              <tr key={r.id} data-testid="admin-refund-row">
                <td>{when(r.createdAt)}</td>
                <td className="admin-number">{money(r.amount, payment.currency)}</td>
                <td>
                  {r.photos} · {r.jobId === null ? t("payments.refundOperator") : t("payments.refundJob", { id: r.jobId })}
                </td>
                <td>{t(`payments.refundStatuses.${r.status}`)}</td>
                <td>{r.errorMessage ?? "—"}</td>
              </tr>
            ))}
          </Table>
        )}
      </div>
      <ConfirmDialog
        open={asking !== null}
        title={t("payments.refundConfirmTitle")}
        confirmLabel={t("payments.refundConfirm")}
        danger
        busy={refund.isPending}
        error={refund.isError ? errorText(refund.error) : null}
        onConfirm={() => refund.mutate({ paymentId, photos: asking === "photos" ? photos : null })}
        onClose={() => {
          setAsking(null);
          refund.reset();
        }}
      >
        <p>{asking === "photos" ? t("payments.refundConfirmPhotos", { count: photos, total: payment.photoCount, amount: money(payment.amount, payment.currency) }) : t("payments.refundConfirmAll")}</p>
      </ConfirmDialog>
    </div>
  );
}
