import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { navigate, paths } from "../lib/router.ts";
import { loginReturnUrl, widgetUserFromQuery } from "../lib/telegramLogin.ts";
import { storeSession } from "../session.ts";
import { useTRPC } from "../trpc.ts";
import { errorText } from "./errors.ts";

/**
 * Telegram's Login Widget for the browser, shown only when the server has a bot configured. The
 * widget (its script comes from telegram.org) sends the browser back to the account screen with
 * signed user fields in the query; the server checks them and returns our own session.
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
    const user = widgetUserFromQuery(window.location.search);
    if (!user) return;
    // The signed fields leave the address bar (and the history entry) before anything else happens.
    navigate(paths.account(), { replace: true });
    signIn(user);
  }, [signIn]);

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const script = document.createElement("script");
    script.src = "https://telegram.org/js/telegram-widget.js?22";
    script.async = true;
    script.dataset.telegramLogin = botUsername;
    script.dataset.size = "large";
    script.dataset.radius = "12";
    script.dataset.authUrl = loginReturnUrl(window.location.origin);
    script.dataset.requestAccess = "write";
    script.dataset.lang = language;
    element.append(script);
    return () => element.replaceChildren();
  }, [botUsername, language]);

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
