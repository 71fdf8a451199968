/** Roubles for the current language: "999 ₽" in Russian, "RUB 999" in English. */
export function formatRoubles(kopecks: number, locale: string) {
  return new Intl.NumberFormat(locale === "en" ? "en-US" : "ru-RU", {
    style: "currency",
    currency: "RUB",
    maximumFractionDigits: kopecks % 100 === 0 ? 0 : 2,
  }).format(kopecks / 100);
}
