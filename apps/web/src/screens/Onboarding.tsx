import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { markOnboardingSeen } from "../lib/onboarding.ts";
import { useTRPC } from "../trpc.ts";
import { formatRoubles } from "../ui/format.ts";

const steps = ["what", "price", "upload"] as const;

/** Three short cards on the first visit: what PinGlass does, what it costs, what to upload. */
export function Onboarding({ onDone }: { onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const trpc = useTRPC();
  // Prices come from the server's one list of tiers, never from the text.
  const tiers = useQuery(trpc.pricing.list.queryOptions());
  const [step, setStep] = useState(0);
  const title = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);
  const finish = () => {
    markOnboardingSeen();
    onDone();
  };
  const last = step === steps.length - 1;
  const name = steps[step]!;
  const cheapest = tiers.data?.length ? Math.min(...tiers.data.map((tier) => tier.amountKopecks)) : null;
  const counts = tiers.data?.map((tier) => tier.photoCount).sort((a, b) => a - b) ?? [];
  const price = cheapest === null ? null : formatRoubles(cheapest, i18n.language);

  // A screen reader hears each new step: focus follows the title once the user has moved on.
  useEffect(() => {
    if (moved.current) title.current?.focus();
  }, [step]);

  const text =
    name === "price"
      ? price
        ? t("onboarding.price.text", {
            count: counts.at(-1) ?? 0,
            counts: new Intl.ListFormat(i18n.language, { type: "disjunction" }).format(counts.map(String)),
            price,
          })
        : t("onboarding.price.textNoPrices")
      : t(`onboarding.${name}.text`);

  return (
    <section className="onboarding" aria-labelledby="onboarding-title" data-testid="onboarding">
      <OnboardingArt step={name} price={price} />
      <p className="eyebrow">{t("onboarding.stepOf", { step: step + 1, total: steps.length })}</p>
      <h1 id="onboarding-title" tabIndex={-1} ref={title}>
        {t(`onboarding.${name}.title`)}
      </h1>
      <p className="lead" data-testid="onboarding-text">
        {text}
      </p>
      <div className="dots" aria-hidden="true">
        {steps.map((s, i) => (
          <span key={s} className={i === step ? "dot dot-active" : "dot"} />
        ))}
      </div>
      <div className="onboarding-actions">
        <button type="button" className="button button-ghost" onClick={finish}>
          {t("onboarding.skip")}
        </button>
        <button
          type="button"
          className="button button-primary"
          onClick={() => {
            moved.current = true;
            if (last) finish();
            else setStep(step + 1);
          }}
          data-testid="onboarding-next"
        >
          {last ? t("onboarding.start") : t("onboarding.next")}
        </button>
      </div>
    </section>
  );
}

/** The picture of each step: the styles' own preview portraits, the price, the selfies to take. */
function OnboardingArt({ step, price }: { step: (typeof steps)[number]; price: string | null }) {
  if (step === "what") {
    return (
      <div className="onboarding-art onboarding-fan" aria-hidden="true">
        {["professional", "pinglass", "lifestyle"].map((id) => (
          <img key={id} src={`/styles/${id}.webp`} alt="" width={120} height={150} />
        ))}
      </div>
    );
  }
  if (step === "price") {
    return (
      <div className="onboarding-art onboarding-tile" aria-hidden="true">
        <span className="onboarding-price">{price ?? "₽"}</span>
      </div>
    );
  }
  return (
    <div className="onboarding-art onboarding-selfies" aria-hidden="true">
      {[0, 1, 2, 3].map((i) => (
        <span key={i} className={`onboarding-selfie onboarding-selfie-${i}`}>
          <svg viewBox="0 0 40 50" width="40" height="50">
            <circle cx="20" cy="19" r="9" fill="currentColor" opacity="0.9" />
            <path d="M4 50c0-10 7-16 16-16s16 6 16 16z" fill="currentColor" opacity="0.9" />
          </svg>
        </span>
      ))}
    </div>
  );
}
