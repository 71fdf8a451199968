import type { RouterInputs } from "@pinglass/api";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { storeSession } from "../session.ts";
import { useTRPC } from "../trpc.ts";
import { errorText } from "./errors.ts";

type WidgetUser = RouterInputs["session"]["telegramLogin"];

declare global {
  interface Window {
    onPinglassTelegramAuth?: (user: WidgetUser) => void;
  }
}

/**
 * Telegram's Login Widget for the browser, shown only when the server has a bot configured. The
 * widget (its script comes from telegram.org) hands back signed user fields; the server checks them and returns our own session.
 */
export function TelegramLoginButton({ botUsername }: { botUsername: string }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === "en" ? "en" : "ru";
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const holder = useRef<HTMLDivElement>(null);
  const login = useMutation(
    trpc.session.telegramLogin.mutationOptions({
      onSuccess: async (session) => {
        storeSession(session.token, session.expiresAt);
        await queryClient.invalidateQueries();
      },
    }),
  );
  const signIn = login.mutate;

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    window.onPinglassTelegramAuth = (user) => signIn(user);
    const script = document.createElement("script");
    script.src = "https://telegram.org/js/telegram-widget.js?22";
    script.async = true;
    script.dataset.telegramLogin = botUsername;
    script.dataset.size = "large";
    script.dataset.radius = "12";
    script.dataset.onauth = "onPinglassTelegramAuth(user)";
    script.dataset.requestAccess = "write";
    script.dataset.lang = language;
    element.append(script);
    return () => {
      element.replaceChildren();
      delete window.onPinglassTelegramAuth;
    };
  }, [botUsername, signIn, language]);

  return (
    <div className="telegram-login">
      <p className="muted small">{t("account.orSignIn")}</p>
      <div ref={holder} />
      {login.isError && (
        <p className="form-error" role="alert">
          {errorText(login.error, t)}
        </p>
      )}
    </div>
  );
}
