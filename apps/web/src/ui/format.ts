/**
 * Roubles for the current language, the sign after the number as Russians write it: "1 499 ₽" in
 * Russian, "1,499 ₽" in English; kopecks only when there are any.
 */
export function formatRoubles(kopecks: number, locale: string) {
  const number = new Intl.NumberFormat(locale === "en" ? "en-US" : "ru-RU", {
    minimumFractionDigits: kopecks % 100 === 0 ? 0 : 2,
    maximumFractionDigits: kopecks % 100 === 0 ? 0 : 2,
  }).format(kopecks / 100);
  return `${number}\u00a0₽`;
}
