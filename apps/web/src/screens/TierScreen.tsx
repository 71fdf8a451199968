import type { RouterInputs } from "@pinglass/api";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { checkoutPageUrl, saveCheckout } from "../lib/checkout.ts";
import { navigate, paths } from "../lib/router.ts";
import { openStarsInvoice, telegramWebApp } from "../lib/telegram.ts";
import { useStartPhotoset } from "../lib/useStartPhotoset.ts";
import { useTRPC } from "../trpc.ts";
import { formatRoubles, formatStars } from "../ui/format.ts";
import { PrimaryAction } from "../ui/PrimaryAction.tsx";
import { ScreenHeader } from "../ui/ScreenHeader.tsx";
import { ErrorState, Loading } from "../ui/states.tsx";
import { errorText } from "../ui/errors.ts";

const emailKey = "pinglass.email";

type TierId = RouterInputs["payments"]["create"]["tierId"];
type Method = NonNullable<RouterInputs["payments"]["create"]["method"]>;

export default function TierScreen({ avatarId, styleId, tierId: asked = null }: { avatarId: number; styleId: string; tierId?: string | null }) {
  const { t, i18n } = useTranslation();
  const trpc = useTRPC();
  const tiers = useQuery(trpc.pricing.list.queryOptions());
  const styles = useQuery(trpc.styles.list.queryOptions());
  // The style comes from the address bar: only a style the server lists is used.
  const style = styles.data?.styles.find((s) => s.id === styleId);
  const lang = i18n.language === "en" ? "en" : "ru";
  const me = useQuery(trpc.session.me.queryOptions());
  const [tierId, setTierId] = useState<TierId | null>(null);
  const [email, setEmail] = useState(() => localStorage.getItem(emailKey) ?? "");
  const start = useStartPhotoset();
  // Inside Telegram the Mini App pays in Stars (cards there only when the server allows them); on the web, by card.
  const inTelegram = telegramWebApp() !== null;
  const methods = useQuery(trpc.payments.methods.queryOptions());
  const starsPrices = inTelegram ? (methods.data?.stars ?? null) : null;
  const offered: Method[] = starsPrices ? (methods.data?.cardInMiniApp ? ["stars", "card"] : ["stars"]) : ["card"];
  const [chosenMethod, setMethod] = useState<Method | null>(null);
  const method: Method = chosenMethod && offered.includes(chosenMethod) ? chosenMethod : offered[0]!;
  const starsOf = (id: TierId) => starsPrices?.find((price) => price.tierId === id)?.stars ?? 0;
  // A double tap must not send two payments: state updates land after both taps, a ref does not.
  const paying = useRef(false);
  const [invoiceFailed, setInvoiceFailed] = useState(false);
  const pay = useMutation(
    trpc.payments.create.mutationOptions({
      onSuccess: async (created) => {
        if (style) saveCheckout({ paymentId: created.paymentId, avatarId, styleId: style.id });
        if (created.method === "card") {
          window.location.assign(checkoutPageUrl(created.paymentUrl, lang));
          return;
        }
        // Telegram's answer is only a hint: the payment page waits for the server's word.
        const status = await openStarsInvoice(created.invoiceUrl);
        if (status === "paid" || status === "pending") return navigate(paths.payment(created.paymentId));
        paying.current = false;
        setInvoiceFailed(status === "failed");
        pay.reset();
      },
      onError: () => {
        paying.current = false;
      },
    }),
  );
  // The tier chosen last time (back from a declined payment) when the server still sells it, else the popular one.
  const selected = tierId ?? tiers.data?.find((tier) => tier.id === asked)?.id ?? tiers.data?.find((tier) => tier.popular)?.id ?? null;
  const paid = me.data?.paidPhotosets[0];

  const submit = () => {
    if (!selected || !style || paying.current) return;
    paying.current = true;
    setInvoiceFailed(false);
    if (method === "stars") return pay.mutate({ tierId: selected, avatarId, styleId: style.id, method });
    localStorage.setItem(emailKey, email.trim());
    pay.mutate({ tierId: selected, email: email.trim(), avatarId, styleId: style.id, method });
  };

  return (
    <section className="screen" aria-labelledby="tier-title">
      <ScreenHeader step={3} title={t("tier.title")} titleId="tier-title" subtitle={style?.name[lang]} />
      {styles.isSuccess && !style && (
        <ErrorState title={t("tier.unknownStyle")} message={t("tier.unknownStyleText")} onRetry={() => navigate(paths.style(avatarId))} />
      )}
      {paid && (
        <div className="banner" data-testid="paid-ready">
          <strong>{t("tier.paidTitle", { count: paid.photoCount })}</strong>
          <p>{t("tier.paidText")}</p>
          {start.isError && (
            <p className="form-error" role="alert">
              {errorText(start.error, t)}
            </p>
          )}
          <button type="button" className="button button-primary" disabled={start.isPending} onClick={() => style && start.mutate({ avatarId, styleId: style.id, paymentId: paid.paymentId })} data-testid="start-paid">
            {t("tier.startPaid")}
          </button>
        </div>
      )}
      {tiers.isPending && <Loading />}
      {tiers.isError && <ErrorState error={tiers.error} onRetry={() => void tiers.refetch()} />}
      {tiers.isSuccess && (
        <form
          className="tier-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <fieldset className="choice-grid tier-grid">
            <legend className="visually-hidden">{t("tier.title")}</legend>
            {tiers.data.map((tier) => (
              <label key={tier.id} className={`choice tier-choice${selected === tier.id ? " choice-selected" : ""}`} data-testid={`tier-${tier.id}`}>
                <input type="radio" name="tier" value={tier.id} checked={selected === tier.id} onChange={() => setTierId(tier.id)} className="visually-hidden" />
                {tier.popular && <span className="ribbon">{t("tier.popular")}</span>}
                <span className="choice-title">{t(`tier.names.${tier.id}`)}</span>
                <span className="tier-price">{method === "stars" ? formatStars(starsOf(tier.id), i18n.language) : formatRoubles(tier.amountKopecks, i18n.language)}</span>
                <span className="choice-text">{t("tier.photos", { count: tier.photoCount })}</span>
                {method === "card" && <span className="choice-text muted">{t("tier.perPhoto", { price: formatRoubles(Math.round(tier.amountKopecks / tier.photoCount), i18n.language) })}</span>}
              </label>
            ))}
          </fieldset>
          {offered.length > 1 && (
            <div className="segmented" role="radiogroup" aria-label={t("tier.method")}>
              {offered.map((way) => (
                <button key={way} type="button" role="radio" aria-checked={method === way} className={method === way ? "segment segment-on" : "segment"} onClick={() => setMethod(way)} data-testid={`method-${way}`}>
                  {t(way === "stars" ? "tier.methodStars" : "tier.methodCard")}
                </button>
              ))}
            </div>
          )}
          {method === "card" && (
            <label className="field">
              <span className="field-label">{t("tier.email")}</span>
              <input type="email" inputMode="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} placeholder={t("tier.emailPlaceholder")} data-testid="email" aria-describedby="email-hint" />
              <span id="email-hint" className="field-hint">
                {t("tier.emailHint")}
              </span>
            </label>
          )}
          {pay.isError && (
            <p className="form-error" role="alert" data-testid="pay-error">
              {errorText(pay.error, t)}
            </p>
          )}
          {invoiceFailed && (
            <p className="form-error" role="alert" data-testid="stars-error">
              {t("tier.starsFailed")}
            </p>
          )}
          <p className="fine-print">{t(method === "stars" ? "tier.secureStars" : "tier.secure")}</p>
          <PrimaryAction
            label={
              !selected || !tiers.data
                ? t("tier.choose")
                : method === "stars"
                  ? t("tier.payStars", { stars: starsOf(selected) })
                  : t("tier.pay", { price: formatRoubles(tiers.data.find((x) => x.id === selected)!.amountKopecks, i18n.language) })
            }
            disabled={!selected || (method === "card" && !email.includes("@"))}
            busy={pay.isPending || pay.isSuccess}
            onClick={submit}
            testId="pay"
          />
        </form>
      )}
    </section>
  );
}
