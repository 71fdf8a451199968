/**
 * A tiny router over the History API: the app has a handful of screens, so a dependency would
 * cost more bytes than it saves. `usePath` re-renders on navigation; `matchRoute` names the screen.
 */
import { useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
const emit = () => listeners.forEach((listener) => listener());

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search);
}

export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.scrollTo(0, 0);
  emit();
}

export type Route =
  | { name: "home" }
  | { name: "upload"; avatarId: number }
  | { name: "style"; avatarId: number }
  | { name: "tier"; avatarId: number; styleId: string; tierId: string | null }
  | { name: "payment"; paymentId: number | null }
  | { name: "generation"; avatarId: number }
  | { name: "gallery"; avatarId: number }
  | { name: "account" }
  | { name: "admin"; section: string | null }
  | { name: "notFound" };

export const paths = {
  home: () => "/",
  upload: (avatarId: number) => `/avatars/${avatarId}/selfies`,
  style: (avatarId: number) => `/avatars/${avatarId}/style`,
  /** With a tier when coming back to it (a declined payment): the choice is kept. */
  tier: (avatarId: number, styleId: string, tierId?: string) => `/avatars/${avatarId}/tier?style=${encodeURIComponent(styleId)}${tierId ? `&tier=${encodeURIComponent(tierId)}` : ""}`,
  payment: (paymentId: number) => `/payment?paymentId=${paymentId}`,
  generation: (avatarId: number) => `/avatars/${avatarId}/generation`,
  gallery: (avatarId: number) => `/avatars/${avatarId}`,
  account: () => "/account",
};

export function matchRoute(path: string): Route {
  const url = new URL(path, "http://app");
  const parts = url.pathname.split("/").filter(Boolean);
  if (parts.length === 0) return { name: "home" };
  if (parts[0] === "account" && parts.length === 1) return { name: "account" };
  if (parts[0] === "admin" && parts.length <= 2) return { name: "admin", section: parts[1] ?? null };
  if (parts[0] === "payment") {
    // The bank returns here; the id may come in our own query or not at all (then the saved checkout tells).
    const id = Number(url.searchParams.get("paymentId") ?? url.searchParams.get("payment") ?? NaN);
    return { name: "payment", paymentId: Number.isInteger(id) && id > 0 ? id : null };
  }
  if (parts[0] === "avatars" && parts[1] && /^\d+$/.test(parts[1])) {
    const avatarId = Number(parts[1]);
    if (parts.length === 2) return { name: "gallery", avatarId };
    if (parts.length === 3) {
      if (parts[2] === "selfies") return { name: "upload", avatarId };
      if (parts[2] === "style") return { name: "style", avatarId };
      if (parts[2] === "generation") return { name: "generation", avatarId };
      if (parts[2] === "tier") {
        const styleId = url.searchParams.get("style");
        return styleId ? { name: "tier", avatarId, styleId, tierId: url.searchParams.get("tier") } : { name: "style", avatarId };
      }
    }
  }
  return { name: "notFound" };
}
