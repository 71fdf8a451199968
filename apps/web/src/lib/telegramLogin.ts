import type { RouterInputs } from "@pinglass/api";
import { paths } from "./router.ts";

export type WidgetUser = RouterInputs["session"]["telegramLogin"];

/** Marks the Login Widget's redirect back to the account screen; every other query field is Telegram's. */
const returnMarker = "telegram-login";

/**
 * Where the Login Widget sends the browser after sign-in (its data-auth-url), with the signed user
 * fields appended to the query. We cannot take its data-onauth callback: the widget turns that
 * attribute into a function with eval, which our Content-Security-Policy forbids.
 */
export function loginReturnUrl(origin: string): string {
  return `${origin}${paths.account()}?${returnMarker}=1`;
}

/**
 * The signed user fields of that redirect, or null when the query is not one. The numbers become
 * numbers; every other field stays as it came, since the signature covers them all.
 */
export function widgetUserFromQuery(search: string): WidgetUser | null {
  const params = new URLSearchParams(search);
  if (!params.has(returnMarker)) return null;
  params.delete(returnMarker);
  const id = Number(params.get("id"));
  const authDate = Number(params.get("auth_date"));
  const hash = params.get("hash");
  if (!Number.isSafeInteger(id) || id <= 0 || !Number.isSafeInteger(authDate) || authDate <= 0 || !hash) return null;
  return { ...Object.fromEntries(params), id, auth_date: authDate, hash };
}
