import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";
import ru from "./ru.json";

export const i18n = i18next.createInstance();

const saved = typeof localStorage === "undefined" ? null : localStorage.getItem("pinglass.lang");

void i18n.use(initReactI18next).init({
  resources: { ru: { translation: ru }, en: { translation: en } },
  lng: saved === "en" || saved === "ru" ? saved : "ru",
  fallbackLng: "ru",
  interpolation: { escapeValue: false },
});

export function setLanguage(lang: "ru" | "en") {
  localStorage.setItem("pinglass.lang", lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}
