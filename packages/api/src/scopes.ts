/**
 * What an API key must hold to call each procedure. Sessions (the app) may call every procedure;
 * an API key only those whose scope it holds. `session` procedures are the app's alone (keys that
 * make keys, linking Telegram, deleting the account); `open` ones need no sign-in at all. Every
 * procedure is listed: a test compares this with the router, so a new one cannot be forgotten.
 */
import type { ApiKeyScope } from "@pinglass/db";

export type ProcedureAccess = ApiKeyScope | "session" | "open";

export const procedureAccess = {
  "session.start": "open",
  "session.telegram": "open",
  "session.telegramLogin": "open",
  "session.options": "open",
  "session.me": "read",

  "account.linkTelegram": "session",
  "account.deleteAll": "session",
  "account.apiKeys.create": "session",
  "account.apiKeys.list": "session",
  "account.apiKeys.revoke": "session",
  "account.webhooks.create": "create",
  "account.webhooks.list": "read",
  "account.webhooks.delete": "create",
  "account.webhooks.deliveries": "read",

  "avatars.list": "read",
  "avatars.get": "read",
  "avatars.create": "create",
  "avatars.rename": "create",
  "avatars.delete": "create",

  "references.limits": "open",
  "references.list": "read",
  "references.remove": "create",

  "photos.list": "read",
  "photos.zipUrl": "read",
  "favourites.set": "create",
  "favourites.list": "read",
  "favourites.zipUrl": "read",
  "shares.create": "create",
  "shares.status": "read",
  "shares.revoke": "create",
  "scenes.list": "open",

  "jobs.get": "read",
  "styles.list": "open",
  "pricing.list": "open",

  "generation.start": "generate",
  "generation.progress": "read",

  "payments.create": "pay",
  "payments.cancel": "pay",
  "payments.methods": "read",
  "payments.status": "read",
  "payments.list": "read",

  // The operators' console: besides the scope, the key's user must be an operator (see operators.ts).
  "admin.me": "admin",
  "admin.overview": "admin",
  "admin.payments.search": "admin",
  "admin.payments.get": "admin",
  "admin.payments.refund": "admin",
  "admin.payments.recheck": "admin",
  "admin.jobs.list": "admin",
  "admin.jobs.get": "admin",
  "admin.jobs.retry": "admin",
  "admin.jobs.cancel": "admin",
  "admin.users.search": "admin",
  "admin.users.get": "admin",
  "admin.users.deleteAll": "admin",
  "admin.deliveries.list": "admin",
  "admin.deliveries.resend": "admin",
  "admin.audit": "admin",
} as const satisfies Record<string, ProcedureAccess>;

/** The selfie upload route (POST /uploads/avatars/{id}/references) is not a procedure but needs a scope too. */
export const uploadScope: ApiKeyScope = "create";

/** What a key needs for a procedure; a procedure missing from the list is the app's alone. */
export const accessOf = (path: string): ProcedureAccess => (procedureAccess as Record<string, ProcedureAccess>)[path] ?? "session";
