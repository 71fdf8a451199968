import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";
import ru from "./ru.json";

export const i18n = i18next.createInstance();

const saved = typeof localStorage === "undefined" ? null : localStorage.getItem("pinglass.lang");

const language = saved === "en" || saved === "ru" ? saved : "ru";

void i18n.use(initReactI18next).init({
  resources: { ru: { translation: ru }, en: { translation: en } },
  lng: language,
  fallbackLng: "ru",
  interpolation: { escapeValue: false },
});

// index.html is Russian until this runs; from here on <html lang> and the title follow the saved language.
if (typeof document !== "undefined") {
  document.documentElement.lang = language;
  document.title = i18n.t("app.title");
}

export function setLanguage(lang: "ru" | "en") {
  localStorage.setItem("pinglass.lang", lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}
