import type { RouterOutputs } from "@pinglass/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { chosenLanguage, setLanguage } from "../i18n/index.ts";
import { noteAccountDeleted } from "../lib/deleted.ts";
import { telegramWebApp } from "../lib/telegram.ts";
import { clearSession } from "../session.ts";
import { useTRPC } from "../trpc.ts";
import { ApiKeysCard } from "./ApiKeysCard.tsx";
import { ConfirmDialog } from "../ui/ConfirmDialog.tsx";
import { formatAmount } from "../ui/format.ts";
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
        // Everything is gone on the server; start over as a new visitor, in the language chosen, told what happened.
        const language = chosenLanguage();
        clearSession();
        localStorage.clear();
        if (language) setLanguage(language);
        noteAccountDeleted();
        window.location.assign("/");
      },
    }),
  );
  const inTelegram = telegramWebApp() !== null;

  return (
    <section className="screen screen-narrow" aria-labelledby="account-title">
      <header className="screen-header">
        <h1 id="account-title">{t("account.title")}</h1>
      </header>

      <div className="card">
        <h2>{t("account.language")}</h2>
        <div className="segmented" role="radiogroup" aria-label={t("account.language")}>
          {(["ru", "en"] as const).map((lang) => (
            <button key={lang} type="button" role="radio" aria-checked={i18n.language === lang} className={i18n.language === lang ? "segment segment-on" : "segment"} onClick={() => setLanguage(lang)} data-testid={`lang-${lang}`} lang={lang}>
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

      <PaymentsCard />

      <ApiKeysCard />

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

type Payment = RouterOutputs["payments"]["list"][number];

/** The user's payments, newest first, with what came back for photos that did not work out. */
function PaymentsCard() {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const payments = useQuery(trpc.payments.list.queryOptions());
  return (
    <div className="card" data-testid="payments">
      <h2>{t("account.payments")}</h2>
      {payments.isPending && <Loading />}
      {payments.isError && <ErrorState error={payments.error} onRetry={() => void payments.refetch()} />}
      {payments.isSuccess && payments.data.length === 0 && <p className="muted">{t("account.noPayments")}</p>}
      {payments.isSuccess && payments.data.length > 0 && (
        <ul className="payment-list">
          {payments.data.map((payment) => (
            <PaymentRow key={payment.paymentId} payment={payment} />
          ))}
        </ul>
      )}
    </div>
  );
}

function PaymentRow({ payment }: { payment: Payment }) {
  const { t, i18n } = useTranslation();
  const date = payment.createdAt ? new Date(payment.createdAt).toLocaleDateString(i18n.language === "en" ? "en-GB" : "ru-RU", { day: "numeric", month: "long", year: "numeric" }) : "";
  // The tier's name comes from the server's one tier list; a tier it no longer sells reads as a plain photoshoot.
  const trpc = useTRPC();
  const known = useQuery(trpc.pricing.list.queryOptions()).data?.find((tier) => tier.id === payment.tierId);
  const tier = known ? t(`tier.names.${known.id}`) : t("account.photoshoot");
  // A pending payment can be canceled (then "Delete all my data" can go ahead); the answer says what the bank had done.
  const queryClient = useQueryClient();
  const cancel = useMutation(
    trpc.payments.cancel.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(),
    }),
  );
  return (
    <li className="payment" data-testid="payment-row">
      <div className="payment-main">
        <span className="payment-title">
          {tier} · {t("tier.photos", { count: payment.photoCount })}
        </span>
        <span className="muted small">
          {date} · <span data-testid="payment-method">{t(`account.paymentMethod.${payment.provider}`)}</span>
        </span>
      </div>
      <div className="payment-side">
        <strong className="payment-amount">{formatAmount(payment.amount, payment.currency, i18n.language)}</strong>
        <span className={`badge badge-payment-${payment.status}`}>{t(`account.paymentStatus.${payment.status}`)}</span>
        {payment.status === "pending" && (
          <button type="button" className="button button-small" onClick={() => cancel.mutate({ paymentId: payment.paymentId })} disabled={cancel.isPending} data-testid="cancel-payment">
            {t("account.cancelPayment")}
          </button>
        )}
      </div>
      {cancel.data && (
        <p className="small" role="status" data-testid="cancel-outcome">
          {t(`account.cancelOutcome.${cancel.data.outcome}`)}
        </p>
      )}
      {cancel.isError && (
        <p className="form-error small" role="alert">
          {errorText(cancel.error, t)}
        </p>
      )}
      {payment.refunds.length > 0 && (
        <ul className="refund-list">
          {payment.refunds.map((refund, i) => (
            <li key={i} className="small" data-testid="refund-row">
              {t(`account.refund.${refund.status}`, { amount: formatAmount(refund.amount, payment.currency, i18n.language), count: refund.failedPhotos })}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
