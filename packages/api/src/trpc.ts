/**
 * The tRPC core: the context (dependencies, the verified user, the caller's language), the
 * procedures, and one error formatter that turns every failure into a message a person can read.
 */
import { requireLiveUser, type SessionTokens } from "@pinglass/accounts";
import { type Clock, defaultLocale, DomainError, isMessageKey, type Locale, type MessageKey, requestLocale, translate } from "@pinglass/core";
import type { Db } from "@pinglass/db";
import type { Media } from "@pinglass/media";
import type { ProviderInfo } from "@pinglass/generation";
import type { BankClient, PaidHook, PaymentSettings, StarsSettings } from "@pinglass/payments";
import type { TelegramSettings } from "@pinglass/telegram";
import { initTRPC, TRPCError } from "@trpc/server";
import { clientIp, type Limits } from "./rate-limit.ts";
import { transformer } from "./transformer.ts";
import { ZodError } from "zod";

/** Everything the procedures need from the outside world, built once by the server (or a test). */
export interface ApiDeps {
  db: Db;
  clock: Clock;
  sessions: SessionTokens;
  /** Private media: storage (filesystem or S3) and the signer of our own links. */
  media: Media;
  /** T-Bank, or the local test bank when no credentials are configured. */
  bank: BankClient;
  payments: PaymentSettings;
  /** Telegram Stars (the bot's invoices and refunds, the prices); absent without a bot. */
  stars?: StarsSettings | null;
  /** Starts the photoset a payment was bought for, in the transaction that records it as paid (generation's start, wired by the server). */
  onPaid?: PaidHook;
  /** Which image provider makes the photos, and how often progress streams look for news. */
  generation: { provider: ProviderInfo; progressIntervalMs: number };
  /** The Telegram bot; absent when TELEGRAM_BOT_TOKEN is not set, and then Telegram sign-in and linking refuse. */
  telegram?: TelegramSettings;
  /** Request rates, open streams and avatars per user; absent (tests): no rate limits, default caps. */
  limits?: Limits;
}

export interface Context {
  deps: ApiDeps;
  /** Taken only from a verified session token; never from procedure input. */
  userId: number | null;
  locale: Locale;
  /** The client's address (see clientIp); null when the call did not come over the network. */
  ip: string | null;
  /** Sets a header of the HTTP answer (Retry-After); does nothing for in-process calls. */
  setHeader(name: string, value: string): void;
}

/** What the HTTP server knows of a request beyond its headers. */
export interface RequestTransport {
  remoteAddress?: string | null;
  setHeader?(name: string, value: string): void;
}

const ignoreHeader = () => undefined;

/**
 * Builds the context of one request from its headers. An EventSource (SSE subscriptions) cannot
 * send headers, so there the token comes in tRPC's connectionParams instead.
 */
export function createContext(
  deps: ApiDeps,
  headers: Headers | Record<string, string | string[] | undefined>,
  connectionParams?: Record<string, string | undefined> | null,
  transport: RequestTransport = {},
): Context {
  const get = (name: string) => {
    if (headers instanceof Headers) return headers.get(name);
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const authorization = get("authorization");
  const token = authorization?.startsWith("Bearer ") ? authorization.slice(7).trim() : (connectionParams?.token ?? null);
  return {
    deps,
    userId: token ? deps.sessions.verify(token) : null,
    locale: requestLocale(get),
    ip: clientIp(transport.remoteAddress, get("x-forwarded-for"), deps.limits?.trustProxy ?? false),
    setHeader: transport.setHeader ?? ignoreHeader,
  };
}

export { requestLocale };

const isProduction = process.env.NODE_ENV === "production";

/** The catalogue key behind an error, whatever raised it. */
function messageKeyOf(error: TRPCError): string {
  const cause = error.cause;
  if (cause instanceof DomainError) return cause.key;
  if (cause instanceof ZodError) {
    const first = cause.issues[0]?.message ?? "";
    return isMessageKey(first) ? first : "errors.invalidInput";
  }
  if (isMessageKey(error.message)) return error.message;
  return keyOfCode[error.code] ?? "errors.internal";
}

/** What tRPC itself refuses (an unknown procedure, a wrong method, unreadable input) in words a person can read. */
const keyOfCode: Partial<Record<TRPCError["code"], MessageKey>> = {
  UNAUTHORIZED: "errors.unauthorized",
  TOO_MANY_REQUESTS: "errors.tooManyRequests",
  BAD_REQUEST: "errors.badRequest",
  PARSE_ERROR: "errors.badRequest",
  UNSUPPORTED_MEDIA_TYPE: "errors.badRequest",
  NOT_FOUND: "errors.notFound",
  METHOD_NOT_SUPPORTED: "errors.methodNotAllowed",
  PAYLOAD_TOO_LARGE: "errors.requestTooLarge",
};

/** Errors translateErrors has put into the caller's language already. */
const translatedErrors = new WeakSet<TRPCError>();

/** The values a message names ({max}…): a DomainError's own, or a failed check's bound. */
function paramsOf(error: TRPCError): Record<string, string | number> {
  const cause = error.cause;
  if (cause instanceof DomainError) return cause.params;
  return cause instanceof ZodError && cause.issues[0] ? boundsOf(cause.issues[0]) : {};
}

const boundsOf = (issue: ZodError["issues"][number]): Record<string, number> => ({
  ...("maximum" in issue ? { max: Number(issue.maximum) } : {}),
  ...("minimum" in issue ? { min: Number(issue.minimum) } : {}),
});

function fieldErrorsOf(error: TRPCError, locale: Locale): Record<string, string> | undefined {
  if (!(error.cause instanceof ZodError)) return undefined;
  const fields: Record<string, string> = {};
  for (const issue of error.cause.issues) {
    fields[issue.path.join(".") || "input"] ??= translate(isMessageKey(issue.message) ? issue.message : "errors.invalidInput", locale, boundsOf(issue));
  }
  return fields;
}

const t = initTRPC.context<Context>().create({
  transformer,
  isDev: !isProduction,
  errorFormatter({ shape, error, ctx }) {
    const { stack, ...data } = shape.data;
    const messageKey = messageKeyOf(error);
    // Refusals raised before any procedure ran (by tRPC or the HTTP edge) are translated here.
    const message = translatedErrors.has(error) ? shape.message : translate(messageKey, ctx?.locale ?? defaultLocale, paramsOf(error));
    return {
      ...shape,
      message,
      data: { ...data, messageKey, ...(isProduction ? {} : { stack }) },
    };
  },
});

/**
 * Every failure leaves a procedure as a TRPCError whose message is already in the caller's
 * language: DomainError gets its code (and HTTP status), bad input a readable sentence, and an
 * unexpected error a generic apology instead of its internals.
 */
const translateErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (result.ok) return result;
  const error = result.error;
  const key = messageKeyOf(error);
  const cause = error.cause;
  const code = cause instanceof DomainError ? cause.code : error.code;
  const translated = new TRPCError({ code, message: translate(key, ctx.locale, paramsOf(error)), cause: cause ?? error });
  Object.assign(translated, { fieldErrors: fieldErrorsOf(error, ctx.locale) });
  translatedErrors.add(translated);
  throw translated;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(translateErrors);

/**
 * A procedure for signed-in users: ctx.userId is the verified user's id, of a user who still
 * exists (a deleted or merged-away account's token is refused like an expired one).
 */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (ctx.userId === null) throw new TRPCError({ code: "UNAUTHORIZED", message: "errors.unauthorized" });
  await requireLiveUser(ctx.deps.db, ctx.userId);
  return next({ ctx: { ...ctx, userId: ctx.userId } });
});
