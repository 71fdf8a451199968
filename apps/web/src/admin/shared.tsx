/** Pieces every section of the operators' console uses. */
import type { RouterOutputs } from "@pinglass/api";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { errorText } from "../ui/errors.ts";
import { formatAmount } from "../ui/format.ts";

export type AdminOutputs = RouterOutputs["admin"];

/** A section's address in the console (kept here, not in the app's router, so the first bundle does not carry it). */
export const adminPath = (section?: string) => (section ? `/admin/${section}` : "/admin");

/** The console's own words (the `admin` namespace, loaded with the console). */
export const useAdminText = () => useTranslation("admin");

/** A failure in the operator's words (the server's message in their language, or ours for a lost connection). */
export function useErrorText() {
  const { t } = useTranslation();
  return (error: unknown) => errorText(error, t);
}

/** A timestamp as the server sends it (ISO text), in the operator's language, to the second. */
export function useWhen() {
  const { i18n } = useTranslation();
  return (value: string | Date | null | undefined) =>
    value ? new Date(value).toLocaleString(i18n.language, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }) : "—";
}

export function useMoney() {
  const { i18n } = useTranslation();
  return (decimal: string, currency: string) => formatAmount(decimal, currency, i18n.language);
}

/** A share as a percentage, or a dash when there is nothing to share out. */
export const percent = (part: number, whole: number) => (whole === 0 ? "—" : `${Math.round((1000 * part) / whole) / 10}%`);

/** A table that scrolls sideways on a phone instead of squeezing its columns. */
export function Table({ head, children, testId }: { head: ReactNode[]; children: ReactNode; testId?: string }) {
  return (
    <div className="admin-table-wrap">
      <table className="admin-table" data-testid={testId}>
        <thead>
          <tr>
            {head.map((cell, i) => (
              <th key={i} scope="col">
                {cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A line saying what an action did, or why it did not, announced to screen readers. */
export function Outcome({ text, error }: { text?: string | null; error?: string | null }) {
  if (error) {
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  }
  return text ? (
    <p className="admin-done" role="status" data-testid="admin-outcome">
      {text}
    </p>
  ) : null;
}

/** A search box with its button: the query goes to `onSearch` when submitted. */
export function SearchForm({ label, onSearch, testId }: { label: string; onSearch: (query: string) => void; testId: string }) {
  const { t } = useAdminText();
  return (
    <form
      className="admin-search"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        const query = String(new FormData(event.currentTarget).get("query") ?? "").trim();
        if (query) onSearch(query);
      }}
    >
      <label className="field">
        <span className="field-label">{label}</span>
        <input type="text" name="query" autoComplete="off" spellCheck={false} data-testid={`${testId}-query`} />
      </label>
      <button type="submit" className="button button-primary" data-testid={`${testId}-submit`}>
        {t("common.search")}
      </button>
    </form>
  );
}
