import { useState } from "react";
import { useTranslation } from "react-i18next";
import { markOnboardingSeen } from "../lib/onboarding.ts";

const steps = ["what", "price", "upload"] as const;
const art = ["✦", "₽", "◎"];

/** Three short cards on the first visit: what PinGlass does, what it costs, what to upload. */
export function Onboarding({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [step, setStep] = useState(0);
  const finish = () => {
    markOnboardingSeen();
    onDone();
  };
  const last = step === steps.length - 1;
  return (
    <section className="onboarding" aria-labelledby="onboarding-title" data-testid="onboarding">
      <div className="onboarding-art" aria-hidden="true">
        <span>{art[step]}</span>
      </div>
      <p className="eyebrow">{t("onboarding.stepOf", { step: step + 1, total: steps.length })}</p>
      <h1 id="onboarding-title" tabIndex={-1}>
        {t(`onboarding.${steps[step]}.title`)}
      </h1>
      <p className="lead">{t(`onboarding.${steps[step]}.text`)}</p>
      <div className="dots" aria-hidden="true">
        {steps.map((s, i) => (
          <span key={s} className={i === step ? "dot dot-active" : "dot"} />
        ))}
      </div>
      <div className="onboarding-actions">
        <button type="button" className="button button-ghost" onClick={finish}>
          {t("onboarding.skip")}
        </button>
        <button type="button" className="button button-primary" onClick={() => (last ? finish() : setStep(step + 1))} data-testid="onboarding-next">
          {last ? t("onboarding.start") : t("onboarding.next")}
        </button>
      </div>
    </section>
  );
}
