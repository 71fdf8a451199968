import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc.ts";
import { ConfirmDialog } from "../ui/ConfirmDialog.tsx";
import { ErrorState, Loading } from "../ui/states.tsx";
import { type AdminOutputs, Outcome, Table, useAdminText, useErrorText, useWhen } from "./shared.tsx";

const kinds = ["stuck", "failed", "recent"] as const;
type JobRow = AdminOutputs["jobs"]["list"]["items"][number];

/** Photosets: stuck, failed and recent; one slot by slot; make its failed photos again, or cancel it. */
export function JobsSection() {
  const { t } = useAdminText();
  const trpc = useTRPC();
  const [kind, setKind] = useState<(typeof kinds)[number]>("stuck");
  const [selected, setSelected] = useState<number | null>(null);
  const list = useQuery(trpc.admin.jobs.list.queryOptions({ kind }));

  if (selected !== null) return <JobDetail jobId={selected} onBack={() => setSelected(null)} />;
  return (
    <div className="card">
      <div className="segmented" role="radiogroup" aria-label={t("sections.jobs")}>
        {kinds.map((name) => (
          <button key={name} type="button" role="radio" aria-checked={kind === name} className={kind === name ? "segment segment-on" : "segment"} onClick={() => setKind(name)} data-testid={`admin-jobs-${name}`}>
            {t(`jobs.kinds.${name}`)}
          </button>
        ))}
      </div>
      {list.isPending && <Loading />}
      {list.isError && <ErrorState error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && (list.data.items.length === 0 ? <p className="muted">{t("common.nothingFound")}</p> : <JobTable rows={list.data.items} onOpen={setSelected} />)}
    </div>
  );
}

export function JobTable({ rows, onOpen }: { rows: JobRow[]; onOpen?: (id: number) => void }) {
  const { t } = useAdminText();
  const when = useWhen();
  return (
    <Table head={[t("jobs.id"), t("jobs.user"), t("jobs.status"), t("jobs.photos"), t("jobs.failedPhotos"), t("jobs.lastProgress"), t("jobs.error")]}>
      {rows.map((job) => (
        <tr key={job.id} data-testid="admin-job-row">
          <td>
            {onOpen ? (
              <button type="button" className="link-button" onClick={() => onOpen(job.id)} data-testid="admin-job-open">
                {t("common.job", { id: job.id })}
              </button>
            ) : (
              t("common.job", { id: job.id })
            )}
          </td>
          <td>{job.userId ?? "—"}</td>
          <td>{t(`jobs.statuses.${job.status}`)}</td>
          <td className="admin-number">
            {job.completedPhotos} / {job.totalPhotos}
          </td>
          <td className="admin-number">{job.slots.failed}</td>
          <td>{when(job.lastProgressAt)}</td>
          <td>{job.errorMessage ?? "—"}</td>
        </tr>
      ))}
    </Table>
  );
}

function JobDetail({ jobId, onBack }: { jobId: number; onBack: () => void }) {
  const { t } = useAdminText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const when = useWhen();
  const errorText = useErrorText();
  const detail = useQuery(trpc.admin.jobs.get.queryOptions({ jobId }));
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const [outcome, setOutcome] = useState<string | null>(null);
  const refreshed = () => Promise.all([queryClient.invalidateQueries({ queryKey: trpc.admin.jobs.pathKey() }), queryClient.invalidateQueries({ queryKey: trpc.admin.audit.queryKey() })]);
  const retry = useMutation(
    trpc.admin.jobs.retry.mutationOptions({
      onSuccess: async ({ retried }) => {
        setOutcome(t("jobs.retried", { count: retried }));
        await refreshed();
      },
    }),
  );
  const cancel = useMutation(
    trpc.admin.jobs.cancel.mutationOptions({
      onSuccess: async ({ canceled }) => {
        setConfirmingCancel(false);
        setOutcome(t("jobs.canceled", { count: canceled }));
        await refreshed();
      },
    }),
  );

  if (detail.isPending) return <Loading />;
  if (detail.isError) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  const { job, slots } = detail.data;
  return (
    <div className="card" data-testid="admin-job-detail">
      <button type="button" className="button button-small button-ghost" onClick={onBack}>
        ← {t("common.back")}
      </button>
      <h2>{t("common.job", { id: job.id })}</h2>
      <dl className="admin-facts-list">
        <div>
          <dt>{t("jobs.status")}</dt>
          <dd data-testid="admin-job-status">{t(`jobs.statuses.${job.status}`)}</dd>
        </div>
        <div>
          <dt>{t("jobs.photos")}</dt>
          <dd>
            {job.completedPhotos} / {job.totalPhotos}
          </dd>
        </div>
        <div>
          <dt>{t("jobs.user")}</dt>
          <dd>{job.userId ?? "—"}</dd>
        </div>
        <div>
          <dt>{t("jobs.lastProgress")}</dt>
          <dd>{when(job.lastProgressAt)}</dd>
        </div>
        <div>
          <dt>{t("jobs.nextDue")}</dt>
          <dd>{when(job.nextDueAt)}</dd>
        </div>
        <div>
          <dt>{t("jobs.requestId")}</dt>
          <dd className="admin-code">{job.requestId ?? "—"}</dd>
        </div>
      </dl>
      <div className="admin-actions">
        {job.slots.failed > 0 && (
          <button type="button" className="button button-primary" onClick={() => retry.mutate({ jobId })} disabled={retry.isPending} aria-busy={retry.isPending} data-testid="admin-job-retry">
            {t("jobs.retry")}
          </button>
        )}
        {job.status === "processing" && (
          <button type="button" className="button button-danger" onClick={() => setConfirmingCancel(true)} data-testid="admin-job-cancel">
            {t("jobs.cancel")}
          </button>
        )}
      </div>
      <Outcome text={outcome} error={retry.isError ? errorText(retry.error) : null} />
      <h3>{t("jobs.slots")}</h3>
      <Table head={[t("jobs.position"), t("jobs.scene"), t("jobs.status"), t("jobs.attempts"), t("jobs.error")]} testId="admin-job-slots">
        {slots.map((slot) => (
          <tr key={slot.id}>
            <td className="admin-number">{slot.position + 1}</td>
            <td>{slot.sceneId}</td>
            <td>{t(`jobs.slotStatuses.${slot.status}`)}</td>
            <td className="admin-number">{slot.attempts}</td>
            <td>{slot.errorMessage ?? "—"}</td>
          </tr>
        ))}
      </Table>
      <ConfirmDialog
        open={confirmingCancel}
        title={t("jobs.cancelConfirmTitle")}
        confirmLabel={t("jobs.cancel")}
        danger
        busy={cancel.isPending}
        error={cancel.isError ? errorText(cancel.error) : null}
        onConfirm={() => cancel.mutate({ jobId })}
        onClose={() => {
          setConfirmingCancel(false);
          cancel.reset();
        }}
      >
        <p>{t("jobs.cancelConfirmText")}</p>
      </ConfirmDialog>
    </div>
  );
}
