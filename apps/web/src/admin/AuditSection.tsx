import { useInfiniteQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc.ts";
import { ErrorState, Loading } from "../ui/states.tsx";
import { Table, useAdminText, useWhen } from "./shared.tsx";

/** Every leaf of a logged state by its dotted path (`refund.amount`), as text. */
function leavesOf(state: unknown, prefix = "", into = new Map<string, string>()): Map<string, string> {
  if (state !== null && typeof state === "object" && !Array.isArray(state)) {
    for (const [key, value] of Object.entries(state)) leavesOf(value, prefix ? `${prefix}.${key}` : key, into);
  } else if (prefix) {
    into.set(prefix, typeof state === "string" ? state : JSON.stringify(state));
  }
  return into;
}

/** What an entry changed: each path whose value differs between before and after. */
function changesOf(before: unknown, after: unknown): { path: string; before: string; after: string }[] {
  const was = leavesOf(before);
  const is = leavesOf(after);
  return [...new Set([...was.keys(), ...is.keys()])].filter((path) => was.get(path) !== is.get(path)).map((path) => ({ path, before: was.get(path) ?? "—", after: is.get(path) ?? "—" }));
}

/** The audit log, newest first: who changed what, when, and the state before and after. Read only. */
export function AuditSection() {
  const { t } = useAdminText();
  const trpc = useTRPC();
  const when = useWhen();
  const log = useInfiniteQuery(trpc.admin.audit.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }));
  if (log.isPending) return <Loading />;
  if (log.isError) return <ErrorState error={log.error} onRetry={() => void log.refetch()} />;
  const entries = log.data.pages.flatMap((page) => page.items);
  return (
    <div className="card">
      {entries.length === 0 ? (
        <p className="muted">{t("audit.empty")}</p>
      ) : (
        <Table head={[t("audit.when"), t("audit.who"), t("audit.action"), t("audit.target"), t("audit.change")]} testId="admin-audit">
          {entries.map((entry) => (
            <tr key={entry.id} data-testid="admin-audit-row">
              <td>{when(entry.at)}</td>
              <td>{entry.actorApiKeyId === null ? t("audit.whoTelegram", { id: entry.actorTelegramId }) : t("audit.whoKey", { id: entry.actorApiKeyId })}</td>
              <td>{t(`audit.actions.${entry.action}`)}</td>
              <td>{t(`audit.targets.${entry.targetType}`, { id: entry.targetId })}</td>
              <td>
                <Changes before={entry.before} after={entry.after} />
              </td>
            </tr>
          ))}
        </Table>
      )}
      {log.hasNextPage && (
        <button type="button" className="button" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
          {t("common.loadMore")}
        </button>
      )}
    </div>
  );
}

function Changes({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useAdminText();
  const changes = changesOf(before, after);
  if (changes.length === 0) return <span className="muted">{t("audit.noChange")}</span>;
  return (
    <ul className="admin-changes">
      {changes.map((change) => (
        <li key={change.path}>
          {change.path}: {change.before} → {change.after}
        </li>
      ))}
    </ul>
  );
}
