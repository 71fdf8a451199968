import type { RouterOutputs } from "@pinglass/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useTRPC } from "../trpc.ts";
import { ConfirmDialog } from "../ui/ConfirmDialog.tsx";
import { errorText } from "../ui/errors.ts";
import { ErrorState, Loading } from "../ui/states.tsx";

type ApiKey = RouterOutputs["account"]["apiKeys"]["list"]["items"][number];
/** The scopes a person may give a key here; `admin` belongs to the operators' console. */
const scopes = ["read", "create", "generate", "pay"] as const;
type Scope = (typeof scopes)[number];

/** The account's API keys: make one (its secret shown once, with a copy button), see them, revoke them. */
export function ApiKeysCard() {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.account.apiKeys.list.queryOptions());
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<Set<Scope>>(new Set(["read"]));
  const [copied, setCopied] = useState<"copied" | "failed" | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.apiKeys.list.queryKey() });
  const create = useMutation(
    trpc.account.apiKeys.create.mutationOptions({
      onSuccess: () => {
        setName("");
        setCopied(null);
        void refresh();
      },
    }),
  );

  const toggle = (scope: Scope) =>
    setChosen((current) => {
      const next = new Set(current);
      if (next.has(scope)) next.delete(scope);
      else next.add(scope);
      return next;
    });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name, scopes: scopes.filter((scope) => chosen.has(scope)) });
  };
  const copy = async (secret: string) => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("copied");
    } catch {
      setCopied("failed");
    }
  };

  return (
    <div className="card" data-testid="api-keys">
      <h2>{t("apiKeys.title")}</h2>
      <p className="muted">{t("apiKeys.text")}</p>

      {create.data && (
        <div className="secret-box" role="status" data-testid="api-key-secret">
          <p className="small">{t("apiKeys.secretOnce")}</p>
          <code className="secret">{create.data.secret}</code>
          <button type="button" className="button button-small" onClick={() => void copy(create.data.secret)} data-testid="copy-api-key">
            {t("apiKeys.copy")}
          </button>
          {copied && <span className="small muted">{t(`apiKeys.${copied}`)}</span>}
        </div>
      )}

      <form className="api-key-form" onSubmit={submit}>
        <label className="field">
          <span className="field-label">{t("apiKeys.name")}</span>
          <input type="text" value={name} maxLength={100} onChange={(event) => setName(event.target.value)} placeholder={t("apiKeys.namePlaceholder")} data-testid="api-key-name" />
        </label>
        <fieldset className="scope-list">
          <legend className="field-label">{t("apiKeys.scopes")}</legend>
          {scopes.map((scope) => (
            <label key={scope} className="scope">
              <input type="checkbox" checked={chosen.has(scope)} onChange={() => toggle(scope)} data-testid={`api-key-scope-${scope}`} />
              <span>
                <strong>{scope}</strong> <span className="muted small">{t(`apiKeys.scope.${scope}`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {create.isError && (
          <p className="form-error" role="alert">
            {errorText(create.error, t)}
          </p>
        )}
        <button type="submit" className="button" disabled={create.isPending || chosen.size === 0} data-testid="create-api-key">
          {t("apiKeys.create")}
        </button>
      </form>

      {keys.isPending && <Loading />}
      {keys.isError && <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />}
      {keys.isSuccess && keys.data.items.length === 0 && <p className="muted">{t("apiKeys.none")}</p>}
      {keys.isSuccess && keys.data.items.length > 0 && (
        <ul className="api-key-list">
          {keys.data.items.map((key) => (
            <ApiKeyRow key={key.id} apiKey={key} onRevoked={() => void refresh()} />
          ))}
        </ul>
      )}
    </div>
  );
}

function ApiKeyRow({ apiKey, onRevoked }: { apiKey: ApiKey; onRevoked: () => void }) {
  const { t, i18n } = useTranslation();
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const revoke = useMutation(trpc.account.apiKeys.revoke.mutationOptions({ onSuccess: onRevoked }));
  const date = (iso: string) => new Date(iso).toLocaleDateString(i18n.language === "en" ? "en-GB" : "ru-RU", { day: "numeric", month: "long", year: "numeric" });
  return (
    <li className="api-key" data-testid="api-key-row">
      <div className="payment-main">
        <span className="payment-title">{apiKey.name}</span>
        <span className="muted small">
          <code>{apiKey.prefix}…</code> · {apiKey.scopes.join(", ")}
        </span>
        <span className="muted small">
          {t("apiKeys.created", { date: date(apiKey.createdAt) })} · {apiKey.lastUsedAt ? t("apiKeys.lastUsed", { date: date(apiKey.lastUsedAt) }) : t("apiKeys.neverUsed")}
        </span>
      </div>
      <button type="button" className="button button-small" onClick={() => setConfirming(true)} data-testid="revoke-api-key">
        {t("apiKeys.revoke")}
      </button>
      <ConfirmDialog
        open={confirming}
        title={t("apiKeys.revokeTitle", { name: apiKey.name })}
        confirmLabel={t("apiKeys.revoke")}
        danger
        busy={revoke.isPending}
        error={revoke.isError ? errorText(revoke.error, t) : null}
        onConfirm={() => revoke.mutate({ keyId: apiKey.id })}
        onClose={() => setConfirming(false)}
      >
        <p>{t("apiKeys.revokeText")}</p>
      </ConfirmDialog>
    </li>
  );
}
