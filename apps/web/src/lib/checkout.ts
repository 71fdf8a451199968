/**
 * What the user was buying when they left for the bank's page: which avatar and style the paid
 * photoset is for. Kept in localStorage, so the return page and a later visit (after a reload or a
 * closed tab) can start that photoset.
 */
import type { RouterInputs } from "@pinglass/api";

const key = "pinglass.checkout";

export interface PendingCheckout {
  paymentId: number;
  avatarId: number;
  styleId: RouterInputs["generation"]["start"]["styleId"];
}

export function savedCheckout(): PendingCheckout | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as PendingCheckout) : null;
  } catch {
    return null;
  }
}

export function saveCheckout(checkout: PendingCheckout) {
  localStorage.setItem(key, JSON.stringify(checkout));
}

export function clearCheckout() {
  localStorage.removeItem(key);
}

/**
 * The bank's page in the user's language. T-Bank takes the language in Init; the local test
 * checkout (same origin, /checkout/test/…) takes it as `?lang=`.
 */
export function checkoutPageUrl(paymentUrl: string, lang: string): string {
  const url = new URL(paymentUrl, window.location.href);
  if (url.origin === window.location.origin && url.pathname.startsWith("/checkout/test/")) url.searchParams.set("lang", lang === "en" ? "en" : "ru");
  return url.toString();
}
