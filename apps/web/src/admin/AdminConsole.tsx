/**
 * The operators' console at /admin: a part of the web app loaded only when opened. It asks the
 * server who the caller is first (admin.me); anyone it refuses sees the app's plain "no such
 * page" and nothing of the console. Every change goes through admin.* procedures, which write
 * the audit log.
 */
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { i18n } from "../i18n/index.ts";
import adminEn from "../i18n/admin.en.json";
import adminRu from "../i18n/admin.ru.json";
import { navigate, paths } from "../lib/router.ts";
import { useTRPC } from "../trpc.ts";
import { Link } from "../ui/Link.tsx";
import { ErrorState, Loading } from "../ui/states.tsx";
import { AuditSection } from "./AuditSection.tsx";
import { DeliveriesSection } from "./DeliveriesSection.tsx";
import { JobsSection } from "./JobsSection.tsx";
import { PaymentsSection } from "./PaymentsSection.tsx";
import { adminPath, percent, Table, useAdminText, useMoney } from "./shared.tsx";
import { UsersSection } from "./UsersSection.tsx";
import "./admin.css";

// The console's words come with the console, so the app's first bundle does not carry them.
i18n.addResourceBundle("ru", "admin", adminRu);
i18n.addResourceBundle("en", "admin", adminEn);

export const adminSections = ["overview", "payments", "jobs", "users", "deliveries", "audit"] as const;
export type AdminSection = (typeof adminSections)[number];

const isSection = (value: string | null): value is AdminSection => adminSections.includes(value as AdminSection);

export default function AdminConsole({ section }: { section: string | null }) {
  const { t } = useAdminText();
  const trpc = useTRPC();
  // Refused once, refused: no retry, and nothing else is asked before this answers.
  const me = useQuery(trpc.admin.me.queryOptions(undefined, { retry: false, staleTime: 60_000 }));
  const current = section === null ? "overview" : section;

  if (me.isPending) return <Loading />;
  if (me.isError) return (me.error.data?.httpStatus ?? 0) >= 500 || !me.error.data ? <ErrorState error={me.error} onRetry={() => void me.refetch()} /> : <NotFound />;
  if (!isSection(current)) return <NotFound />;

  return (
    <section className="screen admin" aria-labelledby="admin-title" data-testid="admin-console">
      <header className="section-head">
        <h1 id="admin-title">{t("title")}</h1>
        <p className="muted small">{t("signedInAs", { id: me.data.telegramId })}</p>
      </header>
      <nav className="admin-nav" aria-label={t("sections.label")}>
        {adminSections.map((name) => (
          <Link key={name} to={adminPath(name === "overview" ? undefined : name)} className={`segment${name === current ? " segment-on" : ""}`} aria-current={name === current ? "page" : undefined} data-testid={`admin-tab-${name}`}>
            {t(`sections.${name}`)}
          </Link>
        ))}
      </nav>
      {current === "overview" && <Overview />}
      {current === "payments" && <PaymentsSection />}
      {current === "jobs" && <JobsSection />}
      {current === "users" && <UsersSection />}
      {current === "deliveries" && <DeliveriesSection />}
      {current === "audit" && <AuditSection />}
    </section>
  );
}

/** What anyone who is not an operator sees: the app's own "no such page". */
function NotFound() {
  const { t } = useTranslation();
  return (
    <section className="panel panel-neutral" data-testid="not-found">
      <h1>{t("notFound.title")}</h1>
      <p>{t("notFound.text")}</p>
      <button type="button" className="button button-primary" onClick={() => navigate(paths.home())}>
        {t("common.toHome")}
      </button>
    </section>
  );
}

function Overview() {
  const { t } = useAdminText();
  const trpc = useTRPC();
  const money = useMoney();
  const overview = useQuery(trpc.admin.overview.queryOptions(undefined, { refetchInterval: 30_000 }));
  if (overview.isPending) return <Loading />;
  if (overview.isError) return <ErrorState error={overview.error} onRetry={() => void overview.refetch()} />;
  const { revenue, generation, providers, deliveries, refunds } = overview.data;
  return (
    <div className="admin-grid" data-testid="admin-overview">
      <div className="card admin-wide">
        <h2>{t("overview.revenue")}</h2>
        {revenue.length === 0 ? (
          <p className="muted">{t("overview.noRevenue")}</p>
        ) : (
          <Table head={[t("overview.day"), t("overview.currency"), t("overview.paid"), t("overview.amount"), t("overview.refunded")]}>
            {revenue.map((row) => (
              <tr key={`${row.day}-${row.currency}`}>
                <td>{row.day}</td>
                <td>{row.currency}</td>
                <td className="admin-number">{row.paid}</td>
                <td className="admin-number">{money(row.amount, row.currency)}</td>
                <td className="admin-number">{money(row.refunded, row.currency)}</td>
              </tr>
            ))}
          </Table>
        )}
      </div>
      <div className="card">
        <h2>{t("overview.generation")}</h2>
        <ul className="admin-facts">
          <li>{t("overview.inFlight", { count: generation.inFlight })}</li>
          <li>
            <Link to={adminPath("jobs")}>{t("overview.stuck", { count: generation.stuck })}</Link>
          </li>
          <li>{t("overview.failedJobs", { failed: generation.lastDay.failedJobs, total: generation.lastDay.jobs, rate: percent(generation.lastDay.failedJobs, generation.lastDay.jobs) })}</li>
          <li>{t("overview.failedSlots", { failed: generation.lastDay.failedSlots, total: generation.lastDay.slots, rate: percent(generation.lastDay.failedSlots, generation.lastDay.slots) })}</li>
        </ul>
      </div>
      <div className="card">
        <h2>{t("overview.queues")}</h2>
        <ul className="admin-facts">
          <li>{t("overview.deliveriesWaiting", { count: deliveries.pending })}</li>
          <li>
            <Link to={adminPath("deliveries")}>{t("overview.deliveriesFailed", { count: deliveries.failed })}</Link>
          </li>
          <li>{t("overview.refundsWaiting", { count: refunds.pending })}</li>
          <li>{t("overview.refundsFailed", { count: refunds.failed })}</li>
        </ul>
      </div>
      <div className="card admin-wide">
        <h2>{t("overview.providers")}</h2>
        {providers.length === 0 ? (
          <p className="muted">{t("overview.noCalls")}</p>
        ) : (
          <Table head={[t("overview.provider"), t("overview.window"), t("overview.calls"), t("overview.errorRate"), "p50", "p95"]}>
            {providers.map((row) => (
              <tr key={`${row.provider}-${row.window}`}>
                <td>{row.provider}</td>
                <td>{t(`overview.windows.${row.window}`)}</td>
                <td className="admin-number">{row.calls}</td>
                <td className="admin-number">{percent(row.errors, row.calls)}</td>
                <td className="admin-number">{row.p50Ms === null ? "—" : `${row.p50Ms} ms`}</td>
                <td className="admin-number">{row.p95Ms === null ? "—" : `${row.p95Ms} ms`}</td>
              </tr>
            ))}
          </Table>
        )}
      </div>
    </div>
  );
}
