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
}

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
  ["hint_color", "--muted"],
  ["button_color", "--accent"],
  ["button_text_color", "--accent-text"],
  ["link_color", "--link"],
];

/** Follows Telegram's theme colours and safe areas, now and whenever Telegram changes them. */
export function applyTelegramLook(app: TelegramWebApp) {
  const root = document.documentElement;
  const apply = () => {
    root.dataset.telegram = app.colorScheme ?? "dark";
    root.style.colorScheme = app.colorScheme ?? "dark";
    for (const [param, variable] of themeVariables) {
      const value = app.themeParams?.[param];
      if (value) root.style.setProperty(variable, value);
    }
    // Telegram's hint colour is often too faint for small text on its secondary background
    // (about 4:1); a little of the text colour brings it past 4.5:1 in both schemes.
    const hint = app.themeParams?.hint_color;
    const text = app.themeParams?.text_color;
    if (hint && text) root.style.setProperty("--muted", `color-mix(in srgb, ${hint} 75%, ${text})`);
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
