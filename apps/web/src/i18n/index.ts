import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";
import ru from "./ru.json";

export type Language = "ru" | "en";
export const languages: readonly Language[] = ["ru", "en"];

const languageKey = "pinglass.lang";

/** Languages whose speakers mostly read Russian better than English (Ukrainian, Belarusian, Kazakh…). */
const readsRussian = new Set(["uk", "be", "kk", "ky", "uz", "tg", "tk", "az", "hy", "ka", "mo"]);

/**
 * Our language for a list of language tags in the person's order of preference ("en-GB", "ru_RU",
 * "de"): the first Russian or English one; failing both, Russian for the languages of people who
 * mostly read it, English for the rest; Russian for an empty list.
 */
export function preferredLanguage(tags: readonly (string | null | undefined)[]): Language {
  const bases = tags.filter((tag): tag is string => typeof tag === "string" && tag.length > 0).map((tag) => tag.slice(0, 2).toLowerCase());
  const ours = bases.find((base): base is Language => base === "ru" || base === "en");
  if (ours) return ours;
  if (bases.length === 0 || bases.some((base) => readsRussian.has(base))) return "ru";
  return "en";
}

/** The language the person chose themselves (the switch), or null when they never did. */
export function chosenLanguage(): Language | null {
  try {
    const saved = localStorage.getItem(languageKey);
    return saved === "en" || saved === "ru" ? saved : null;
  } catch {
    return null;
  }
}

const browserLanguages = () => (typeof navigator === "undefined" ? [] : navigator.languages?.length ? navigator.languages : [navigator.language]);

export const i18n = i18next.createInstance();

const initial = chosenLanguage() ?? preferredLanguage(browserLanguages());

void i18n.use(initReactI18next).init({
  resources: { ru: { translation: ru }, en: { translation: en } },
  lng: initial,
  fallbackLng: "ru",
  interpolation: { escapeValue: false },
});

/** Shows the app in `lang`: <html lang>, the title and every screen (the server hears it in x-pinglass-locale). */
function show(lang: Language) {
  if (typeof document !== "undefined") {
    document.documentElement.lang = lang;
    document.title = i18n.t("app.title", { lng: lang });
  }
  if (i18n.language !== lang) void i18n.changeLanguage(lang);
}

// index.html is Russian until this runs.
show(initial);

/** The person's own choice: kept on this device and never overridden by what the browser says. */
export function setLanguage(lang: Language) {
  localStorage.setItem(languageKey, lang);
  show(lang);
}

/**
 * Inside Telegram the Mini App's user has a language of their own (initDataUnsafe.user.language_code),
 * which beats the WebView's; a choice made with the switch beats both.
 */
export function followTelegramLanguage(code: string | undefined) {
  if (code && chosenLanguage() === null) show(preferredLanguage([code, ...browserLanguages()]));
}
