import { useTranslation } from "react-i18next";
import { languages, setLanguage } from "../i18n/index.ts";

/**
 * RU | EN in the top bar, on every screen from the first one: a person who lands in the wrong
 * language switches before reading anything else. Each name is written in its own language.
 */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <div className="segmented segmented-small" role="radiogroup" aria-label={t("account.language")} data-testid="language-switch">
      {languages.map((lang) => (
        <button
          key={lang}
          type="button"
          role="radio"
          aria-checked={i18n.language === lang}
          aria-label={t(`account.languages.${lang}`, { lng: lang })}
          className={i18n.language === lang ? "segment segment-on" : "segment"}
          onClick={() => setLanguage(lang)}
          lang={lang}
          data-testid={`switch-${lang}`}
        >
          {lang.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
