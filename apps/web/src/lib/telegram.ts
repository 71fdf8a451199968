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

/** Telegram opens Mini Apps with tgWebAppData in the URL hash; only then is its script worth loading. */
export function loadTelegramScript(): Promise<void> {
  if (window.Telegram?.WebApp || !window.location.hash.includes("tgWebAppData")) return Promise.resolve();
  return new Promise((resolve) => {
    const script = document.createElement("script");
    script.src = "https://telegram.org/js/telegram-web-app.js";
    script.onload = () => resolve();
    script.onerror = () => resolve();
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
