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

/** Telegram Stars: whole numbers with the star, "1 500 ⭐". */
export function formatStars(stars: number, locale: string) {
  return `${new Intl.NumberFormat(locale === "en" ? "en-US" : "ru-RU").format(stars)}\u00a0⭐`;
}

/** An amount as the server gives it (DECIMAL text) in its currency: roubles, or Telegram Stars (XTR). */
export function formatAmount(decimal: string, currency: string, locale: string) {
  const hundredths = Math.round(Number.parseFloat(decimal) * 100) || 0;
  return currency === "XTR" ? formatStars(hundredths / 100, locale) : formatRoubles(hundredths, locale);
}
