import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc.ts";
import { ConfirmDialog } from "../ui/ConfirmDialog.tsx";
import { ErrorState, Loading } from "../ui/states.tsx";
import { JobTable } from "./JobsSection.tsx";
import { PaymentTable } from "./PaymentsSection.tsx";
import { Outcome, SearchForm, Table, useAdminText, useErrorText, useWhen } from "./shared.tsx";

/** Users: find one by id, Telegram id or receipt e-mail; what they have; delete all their data on request. */
export function UsersSection() {
  const { t } = useAdminText();
  const trpc = useTRPC();
  const when = useWhen();
  const [query, setQuery] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [deleted, setDeleted] = useState<number | null>(null);
  const found = useQuery({ ...trpc.admin.users.search.queryOptions({ query: query ?? "" }), enabled: query !== null });

  if (selected !== null) {
    return (
      <UserDetail
        userId={selected}
        onBack={() => setSelected(null)}
        onDeleted={() => {
          setDeleted(selected);
          setSelected(null);
        }}
      />
    );
  }
  return (
    <div className="card">
      <SearchForm label={t("users.searchLabel")} onSearch={setQuery} testId="admin-user-search" />
      <Outcome text={deleted === null ? null : t("users.deleted", { id: deleted })} />
      {query !== null && found.isPending && <Loading />}
      {found.isError && <ErrorState error={found.error} onRetry={() => void found.refetch()} />}
      {found.data &&
        (found.data.items.length === 0 ? (
          <p className="muted">{t("common.nothingFound")}</p>
        ) : (
          <Table head={[t("users.id"), t("users.telegram"), t("users.avatars"), t("users.photos"), t("users.payments"), t("users.created")]}>
            {found.data.items.map((user) => (
              <tr key={user.id} data-testid="admin-user-row">
                <td>
                  <button type="button" className="link-button" onClick={() => setSelected(user.id)} data-testid="admin-user-open">
                    {t("common.user", { id: user.id })}
                  </button>
                </td>
                <td>{user.telegramUserId ?? "—"}</td>
                <td className="admin-number">{user.avatars}</td>
                <td className="admin-number">{user.photos}</td>
                <td className="admin-number">
                  {user.paidPayments} / {user.payments}
                </td>
                <td>{when(user.createdAt)}</td>
              </tr>
            ))}
          </Table>
        ))}
    </div>
  );
}

function UserDetail({ userId, onBack, onDeleted }: { userId: number; onBack: () => void; onDeleted: () => void }) {
  const { t } = useAdminText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const when = useWhen();
  const errorText = useErrorText();
  const detail = useQuery(trpc.admin.users.get.queryOptions({ userId }));
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation(
    trpc.admin.users.deleteAll.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.admin.pathKey() });
        onDeleted();
      },
    }),
  );

  if (detail.isPending) return <Loading />;
  if (detail.isError) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  const { user, avatars, payments, jobs } = detail.data;
  return (
    <div className="admin-grid" data-testid="admin-user-detail">
      <div className="card admin-wide">
        <button type="button" className="button button-small button-ghost" onClick={onBack}>
          ← {t("common.back")}
        </button>
        <h2>{t("common.user", { id: user.id })}</h2>
        <dl className="admin-facts-list">
          <div>
            <dt>{t("users.telegram")}</dt>
            <dd>{user.telegramUserId ?? "—"}</dd>
          </div>
          <div>
            <dt>{t("users.created")}</dt>
            <dd>{when(user.createdAt)}</dd>
          </div>
        </dl>
        <h3>{t("users.avatars")}</h3>
        {avatars.length === 0 ? (
          <p className="muted">{t("common.none")}</p>
        ) : (
          <ul className="admin-facts">
            {avatars.map((avatar) => (
              <li key={avatar.id}>{t("users.avatarLine", { name: avatar.name, photos: avatar.photoCount, selfies: avatar.selfieCount })}</li>
            ))}
          </ul>
        )}
        <div className="admin-actions">
          <button type="button" className="button button-danger" onClick={() => setConfirming(true)} data-testid="admin-user-delete">
            {t("users.delete")}
          </button>
        </div>
      </div>
      <div className="card admin-wide">
        <h3>{t("users.payments")}</h3>
        {payments.length === 0 ? <p className="muted">{t("common.none")}</p> : <PaymentTable rows={payments} />}
      </div>
      <div className="card admin-wide">
        <h3>{t("users.jobs")}</h3>
        {jobs.length === 0 ? <p className="muted">{t("common.none")}</p> : <JobTable rows={jobs} />}
      </div>
      <ConfirmDialog
        open={confirming}
        title={t("users.deleteConfirmTitle", { id: user.id })}
        confirmLabel={t("users.delete")}
        danger
        busy={remove.isPending}
        error={remove.isError ? errorText(remove.error) : null}
        onConfirm={() => remove.mutate({ userId, confirm: true })}
        onClose={() => {
          setConfirming(false);
          remove.reset();
        }}
      >
        <p>{t("users.deleteConfirmText")}</p>
      </ConfirmDialog>
    </div>
  );
}
