import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { setLanguage } from "../i18n/index.ts";
import { telegramWebApp } from "../lib/telegram.ts";
import { clearSession } from "../session.ts";
import { useTRPC } from "../trpc.ts";
import { ConfirmDialog } from "../ui/ConfirmDialog.tsx";
import { ErrorState, Loading } from "../ui/states.tsx";
import { TelegramLoginButton } from "../ui/TelegramLoginButton.tsx";
import { errorText } from "../ui/errors.ts";

export default function AccountScreen() {
  const { t, i18n } = useTranslation();
  const trpc = useTRPC();
  const me = useQuery(trpc.session.me.queryOptions());
  const options = useQuery(trpc.session.options.queryOptions());
  const botUsername = options.data?.telegramBotUsername ?? null;
  const [confirming, setConfirming] = useState(false);
  const link = useMutation(trpc.account.linkTelegram.mutationOptions());
  const deleteAll = useMutation(
    trpc.account.deleteAll.mutationOptions({
      onSuccess: () => {
        // Everything is gone on the server; start over as a new visitor.
        clearSession();
        localStorage.clear();
        window.location.assign("/");
      },
    }),
  );
  const inTelegram = telegramWebApp() !== null;

  return (
    <section className="screen" aria-labelledby="account-title">
      <header className="screen-header">
        <h1 id="account-title">{t("account.title")}</h1>
      </header>

      <div className="card">
        <h2>{t("account.language")}</h2>
        <div className="segmented" role="radiogroup" aria-label={t("account.language")}>
          {(["ru", "en"] as const).map((lang) => (
            <button key={lang} type="button" role="radio" aria-checked={i18n.language === lang} className={i18n.language === lang ? "segment segment-on" : "segment"} onClick={() => setLanguage(lang)} data-testid={`lang-${lang}`}>
              {t(`account.languages.${lang}`)}
            </button>
          ))}
        </div>
      </div>

      {botUsername && (
        <div className="card">
          <h2>{t("account.telegram")}</h2>
          {me.isPending && <Loading />}
          {me.isError && <ErrorState error={me.error} onRetry={() => void me.refetch()} />}
          {me.data?.user.telegramUserId ? (
            <p data-testid="telegram-linked">{t("account.telegramLinked")}</p>
          ) : (
            me.isSuccess && (
              <>
                <p className="muted">{t("account.telegramText")}</p>
                {link.data ? (
                  <div className="link-box">
                    <a className="button button-primary" href={link.data.link} target="_blank" rel="noreferrer" data-testid="telegram-link">
                      {t("account.openBot")}
                    </a>
                    <p className="muted small">{t("account.linkExpires", { time: new Date(link.data.expiresAt).toLocaleTimeString(i18n.language, { hour: "2-digit", minute: "2-digit" }) })}</p>
                  </div>
                ) : (
                  <button type="button" className="button" onClick={() => link.mutate()} disabled={link.isPending} data-testid="link-telegram">
                    {t("account.linkTelegram")}
                  </button>
                )}
                {link.isError && (
                  <p className="form-error" role="alert">
                    {errorText(link.error, t)}
                  </p>
                )}
                {!inTelegram && <TelegramLoginButton botUsername={botUsername} />}
              </>
            )
          )}
        </div>
      )}

      <div className="card card-danger">
        <h2>{t("account.deleteTitle")}</h2>
        <p className="muted">{t("account.deleteText")}</p>
        <button type="button" className="button button-danger" onClick={() => setConfirming(true)} data-testid="delete-all">
          {t("account.deleteAll")}
        </button>
      </div>

      <ConfirmDialog
        open={confirming}
        title={t("account.deleteConfirmTitle")}
        confirmLabel={t("account.deleteConfirm")}
        danger
        busy={deleteAll.isPending}
        error={deleteAll.isError ? errorText(deleteAll.error, t) : null}
        onConfirm={() => deleteAll.mutate({ confirm: true })}
        onClose={() => setConfirming(false)}
      >
        <p>{t("account.deleteConfirmText")}</p>
      </ConfirmDialog>
    </section>
  );
}
