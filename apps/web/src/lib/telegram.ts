/**
 * The Telegram Mini App bridge. Telegram injects `window.Telegram.WebApp` (from its
 * telegram-web-app.js, which we load only when the URL says we are inside Telegram); everything
 * here is a no-op in a plain browser.
 */
interface TelegramButton {
  show(): void;
  hide(): void;
  onClick(callback: () => void): void;
  offClick(callback: () => void): void;
}

interface TelegramMainButton extends TelegramButton {
  setText(text: string): void;
  enable(): void;
  disable(): void;
  showProgress(leaveActive?: boolean): void;
  hideProgress(): void;
}

interface Insets {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export interface TelegramWebApp {
  initData: string;
  /** initData's fields, unverified: fine for the user's language, never for who they are. */
  initDataUnsafe?: { user?: { language_code?: string } };
  colorScheme?: "light" | "dark";
  themeParams?: Partial<Record<"bg_color" | "text_color" | "hint_color" | "link_color" | "button_color" | "button_text_color" | "secondary_bg_color", string>>;
  safeAreaInset?: Insets;
  contentSafeAreaInset?: Insets;
  BackButton?: TelegramButton;
  MainButton?: TelegramMainButton;
  ready?(): void;
  expand?(): void;
  onEvent?(event: string, callback: () => void): void;
  openTelegramLink?(url: string): void;
  openLink?(url: string): void;
  /** Bot API 8.0: Telegram's own "save file" dialog. */
  downloadFile?(params: { url: string; file_name: string }, callback?: (accepted: boolean) => void): void;
  isVersionAtLeast?(version: string): boolean;
  /** Bot API 6.1: opens an invoice link (Telegram Stars); the callback gets how it ended. */
  openInvoice?(url: string, callback?: (status: InvoiceStatus) => void): void;
}

/** How Telegram says an invoice it showed ended: only a hint, the server's word on the payment decides. */
export type InvoiceStatus = "paid" | "cancelled" | "failed" | "pending";

declare global {
  interface Window {
    Telegram?: { WebApp?: TelegramWebApp };
  }
}

/** The Mini App object when we run inside Telegram with real initData, otherwise null. */
export function telegramWebApp(): TelegramWebApp | null {
  const app = window.Telegram?.WebApp;
  return app && app.initData ? app : null;
}

const modeKey = "pinglass.telegram";

/**
 * Telegram opens Mini Apps with tgWebAppData in the URL hash; only then is its script worth
 * loading. The bank's return link has no such hash, so the Mini App mode is remembered for the
 * session (sessionStorage lives as long as the WebView): back from the checkout we load the
 * script again, and it restores its initData from the same session storage.
 */
export function loadTelegramScript(): Promise<void> {
  const launched = window.location.hash.includes("tgWebAppData");
  let remembered = false;
  try {
    if (launched) sessionStorage.setItem(modeKey, "1");
    remembered = sessionStorage.getItem(modeKey) === "1";
  } catch {
    // Storage blocked: only the hash tells.
  }
  if (window.Telegram?.WebApp || !(launched || remembered)) return Promise.resolve();
  return new Promise((resolve) => {
    const script = document.createElement("script");
    script.src = "https://telegram.org/js/telegram-web-app.js";
    script.onload = () => resolve();
    script.onerror = () => resolve();
    // Never hold the app hostage to a slow network: after a few seconds it starts as a web page.
    setTimeout(resolve, 4000);
    document.head.append(script);
  });
}

const themeVariables: [keyof NonNullable<TelegramWebApp["themeParams"]>, string][] = [
  ["bg_color", "--bg"],
  ["secondary_bg_color", "--surface"],
  ["text_color", "--text"],
  ["button_text_color", "--accent-text"],
  ["link_color", "--link"],
];

type Rgb = [number, number, number];

const parseHex = (hex: string): Rgb | null => {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim()) ?? null;
  if (!m) return null;
  const n = Number.parseInt(m[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
};
const toHex = (rgb: Rgb) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;
const luminance = (rgb: Rgb) => {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a: Rgb, b: Rgb) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};
const mix = (a: Rgb, b: Rgb, share: number): Rgb => [0, 1, 2].map((i) => a[i]! * (1 - share) + b[i]! * share) as Rgb;

/**
 * Telegram's own colours, nudged only as far as needed to be read (WCAG AA, 4.5:1): `color` is
 * mixed step by step toward `toward` until it stands out from every background in `against`.
 */
export function legible(color: string, against: string[], toward: string): string {
  const base = parseHex(color);
  const target = parseHex(toward);
  const backgrounds = against.map(parseHex).filter((c): c is Rgb => c !== null);
  if (!base || !target || backgrounds.length === 0) return color;
  for (let share = 0; share <= 1; share += 0.05) {
    const candidate = toHex(mix(base, target, share));
    if (backgrounds.every((bg) => contrast(parseHex(candidate)!, bg) >= 4.5)) return candidate;
  }
  return toward;
}

/** Follows Telegram's theme colours and safe areas, now and whenever Telegram changes them. */
export function applyTelegramLook(app: TelegramWebApp) {
  const root = document.documentElement;
  const apply = () => {
    const scheme = app.colorScheme ?? "dark";
    const theme = app.themeParams ?? {};
    root.dataset.telegram = scheme;
    root.style.colorScheme = scheme;
    for (const [param, variable] of themeVariables) {
      const value = theme[param];
      if (value) root.style.setProperty(variable, value);
    }
    const text = theme.text_color ?? (scheme === "light" ? "#000000" : "#ffffff");
    const backgrounds = [theme.bg_color, theme.secondary_bg_color].filter((c): c is string => Boolean(c));
    // Hints sit on cards (secondary_bg) where Telegram's hint colour is often about 4:1.
    if (theme.hint_color) root.style.setProperty("--muted", legible(theme.hint_color, backgrounds, text));
    // The button's own text must read on it: darken (or lighten) the button colour away from its text if needed.
    if (theme.button_color) {
      const buttonText = theme.button_text_color ?? "#ffffff";
      const away = luminance(parseHex(buttonText) ?? [255, 255, 255]) > 0.5 ? "#000000" : "#ffffff";
      root.style.setProperty("--accent", legible(theme.button_color, [buttonText], away));
    }
    // The accent as text (eyebrows, the active tab, badges): the link colour, readable on the page and on cards.
    const ink = theme.link_color ?? theme.button_color;
    if (ink) root.style.setProperty("--accent-ink", legible(ink, backgrounds, text));
    const safe = app.safeAreaInset;
    const content = app.contentSafeAreaInset;
    root.style.setProperty("--safe-top", `${(safe?.top ?? 0) + (content?.top ?? 0)}px`);
    root.style.setProperty("--safe-bottom", `${(safe?.bottom ?? 0) + (content?.bottom ?? 0)}px`);
  };
  apply();
  app.onEvent?.("themeChanged", apply);
  app.onEvent?.("safeAreaChanged", apply);
  app.onEvent?.("contentSafeAreaChanged", apply);
  app.ready?.();
  app.expand?.();
}

/**
 * Opens a Telegram Stars invoice inside the Mini App and resolves with how Telegram says it
 * ended. "paid" is not proof of payment: the app then asks the server, which waits for Telegram's
 * successful_payment.
 */
export function openStarsInvoice(url: string): Promise<InvoiceStatus> {
  const app = telegramWebApp();
  if (!app?.openInvoice) return Promise.resolve("failed");
  return new Promise((resolve) => app.openInvoice!(url, resolve));
}
