import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc.ts";
import { ErrorState, Loading } from "../ui/states.tsx";
import { Outcome, Table, useAdminText, useErrorText, useWhen } from "./shared.tsx";

const statuses = ["failed", "pending"] as const;

/** Telegram deliveries that failed (with the reason) or wait; a failed one can be sent again. */
export function DeliveriesSection() {
  const { t } = useAdminText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const when = useWhen();
  const errorText = useErrorText();
  const [status, setStatus] = useState<(typeof statuses)[number]>("failed");
  const [outcome, setOutcome] = useState<string | null>(null);
  const list = useQuery(trpc.admin.deliveries.list.queryOptions({ status }));
  const resend = useMutation(
    trpc.admin.deliveries.resend.mutationOptions({
      onSuccess: async () => {
        setOutcome(t("deliveries.resent"));
        await Promise.all([queryClient.invalidateQueries({ queryKey: trpc.admin.deliveries.pathKey() }), queryClient.invalidateQueries({ queryKey: trpc.admin.audit.queryKey() })]);
      },
    }),
  );
  return (
    <div className="card">
      <div className="segmented" role="radiogroup" aria-label={t("sections.deliveries")}>
        {statuses.map((name) => (
          <button key={name} type="button" role="radio" aria-checked={status === name} className={status === name ? "segment segment-on" : "segment"} onClick={() => setStatus(name)} data-testid={`admin-deliveries-${name}`}>
            {t(`deliveries.statuses.${name}`)}
          </button>
        ))}
      </div>
      <Outcome text={outcome} error={resend.isError ? errorText(resend.error) : null} />
      {list.isPending && <Loading />}
      {list.isError && <ErrorState error={list.error} onRetry={() => void list.refetch()} />}
      {list.data &&
        (list.data.items.length === 0 ? (
          <p className="muted">{t("common.nothingFound")}</p>
        ) : (
          <Table head={[t("deliveries.job"), t("deliveries.user"), t("deliveries.chat"), t("deliveries.sent"), t("deliveries.attempts"), t("deliveries.reason"), t("deliveries.updated"), ""]}>
            {list.data.items.map((d) => (
              <tr key={d.jobId} data-testid="admin-delivery-row">
                <td>{t("common.job", { id: d.jobId })}</td>
                <td>{d.userId ?? "—"}</td>
                <td className="admin-code">{d.chatId}</td>
                <td className="admin-number">{d.sentPhotos}</td>
                <td className="admin-number">{d.attempts}</td>
                <td>{d.errorMessage ?? "—"}</td>
                <td>{when(d.updatedAt)}</td>
                <td>
                  {d.status === "failed" && (
                    <button type="button" className="button button-small" onClick={() => resend.mutate({ jobId: d.jobId })} disabled={resend.isPending} data-testid="admin-delivery-resend">
                      {t("deliveries.resend")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        ))}
    </div>
  );
}
