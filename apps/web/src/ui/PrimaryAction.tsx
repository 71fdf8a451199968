import { useEffect, useRef } from "react";
import { telegramWebApp } from "../lib/telegram.ts";

interface Props {
  label: string;
  onClick: () => void;
  disabled?: boolean;
  busy?: boolean;
  testId?: string;
}

/**
 * The screen's main action: a bottom bar button in the browser, Telegram's own MainButton inside
 * the Mini App (where an in-page copy would only duplicate it).
 */
export function PrimaryAction({ label, onClick, disabled = false, busy = false, testId }: Props) {
  const app = telegramWebApp();
  const handler = useRef(onClick);
  handler.current = onClick;

  useEffect(() => {
    const button = app?.MainButton;
    if (!button) return;
    const click = () => {
      if (!disabled && !busy) handler.current();
    };
    button.setText(label);
    if (disabled) button.disable();
    else button.enable();
    if (busy) button.showProgress(false);
    else button.hideProgress();
    button.onClick(click);
    button.show();
    return () => {
      button.offClick(click);
      button.hide();
    };
  }, [app, label, disabled, busy]);

  if (app?.MainButton) return null;
  return (
    <div className="primary-bar">
      <button type="button" className="button button-primary button-wide" onClick={onClick} disabled={disabled || busy} aria-busy={busy} data-testid={testId}>
        {busy && <span className="spinner spinner-small" aria-hidden="true" />}
        {label}
      </button>
    </div>
  );
}
