import { useTranslation } from "react-i18next";

/** A screen's title with its place in the three steps (selfies, style, tier) when it has one. */
export function ScreenHeader({ title, titleId, subtitle, step }: { title: string; titleId: string; subtitle?: string; step?: 1 | 2 | 3 }) {
  const { t } = useTranslation();
  return (
    <header className="screen-header">
      {step && (
        <ol className="steps" aria-label={t("steps.label", { step, total: 3 })}>
          {([1, 2, 3] as const).map((n) => (
            <li key={n} className={n <= step ? "step-done" : ""} aria-current={n === step ? "step" : undefined}>
              <span className="visually-hidden">{t(`steps.s${n}`)}</span>
            </li>
          ))}
        </ol>
      )}
      {subtitle && <p className="eyebrow">{subtitle}</p>}
      <h1 id={titleId}>{title}</h1>
    </header>
  );
}
