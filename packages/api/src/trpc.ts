/**
 * The tRPC core: the context (dependencies, the verified user, the caller's language), the
 * procedures, and one error formatter that turns every failure into a message a person can read.
 */
import { type IdempotentRequest, idempotently, idempotentRequest, isApiKeySecret, type SessionTokens } from "@pinglass/accounts";
import { type Clock, defaultLocale, DomainError, isMessageKey, type Locale, type MessageKey, requestLocale, translate } from "@pinglass/core";
import type { Db } from "@pinglass/db";
import type { Media } from "@pinglass/media";
import type { ProviderInfo } from "@pinglass/generation";
import type { BankClient, PaidHook, PaymentChangeHook, PaymentSettings, StarsSettings } from "@pinglass/payments";
import type { TelegramSettings } from "@pinglass/telegram";
import type { UrlPolicy } from "@pinglass/webhooks";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { authenticate, type Caller } from "./authentication.ts";
import { authenticateOperator, type OperatorSettings } from "./operators.ts";
import { clientIp, type Limits } from "./rate-limit.ts";
import type { ProcedureMeta } from "./rest-meta.ts";
import { accessOf } from "./scopes.ts";



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
  /** Told when a payment is paid or refunded, in the transaction that records it (developer webhooks, wired by the server). */
  onPaymentChange?: PaymentChangeHook;
  /** Which image provider makes the photos, and how often progress streams look for news. */
  generation: { provider: ProviderInfo; progressIntervalMs: number };
  /** The Telegram bot; absent when TELEGRAM_BOT_TOKEN is not set, and then Telegram sign-in and linking refuse. */
  telegram?: TelegramSettings;
  /** Request rates, open streams and avatars per user; absent (tests): no rate limits, default caps. */
  limits?: Limits;
  /** Which webhook URLs developers may register and be sent to; absent: public addresses only (as in production). */
  webhookUrls?: UrlPolicy;
  /** The operators' console (ADMIN_TELEGRAM_IDS and what it needs to end jobs as workers do); absent: nobody is an operator. */
  operators?: OperatorSettings;
}

export interface Context {
  deps: ApiDeps;
  /** Taken only from a verified session token; never from procedure input. */
  userId: number | null;
  /** A presented API key (`Bearer pg_live_…`); authedProcedure looks it up and checks its scope. */
  apiKey: string | null;
  /** The Idempotency-Key header (REST); tRPC callers may put `idempotencyKey` in the input instead. */
  idempotencyKey: string | null;
  locale: Locale;
  /** The client's address (see clientIp); null when the call did not come over the network. */
  ip: string | null;
  /** The request's id (x-request-id): audit entries and the jobs it starts keep it; null in-process. */
  requestId: string | null;
  /** Sets a header of the HTTP answer (Retry-After); does nothing for in-process calls. */
  setHeader(name: string, value: string): void;
}

/** What the HTTP server knows of a request beyond its headers. */
export interface RequestTransport {
  remoteAddress?: string | null;
  requestId?: string | null;
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
  const authorization = headerOf(headers, "authorization");
  const token = authorization?.startsWith("Bearer ") ? authorization.slice(7).trim() : (connectionParams?.token ?? null);
  return {
    deps,
    userId: token && !isApiKeySecret(token) ? deps.sessions.verify(token) : null,
    apiKey: token && isApiKeySecret(token) ? token : null,
    idempotencyKey: headerOf(headers, "idempotency-key") ?? null,
    locale: requestLocale((name) => headerOf(headers, name)),
    ip: clientIp(transport.remoteAddress, headerOf(headers, "x-forwarded-for"), deps.limits?.trustProxy ?? false),
    requestId: transport.requestId ?? null,
    setHeader: transport.setHeader ?? ignoreHeader,
  };
}

/** A request header by its lower-case name (the first of several). */
function headerOf(headers: Headers | Record<string, string | string[] | undefined>, name: string) {
  if (headers instanceof Headers) return headers.get(name);
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export { requestLocale };

const isProduction = process.env.NODE_ENV === "production";

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

/** One thing wrong with an input, as a catalogue key and the field it is about ("" for the input as a whole). */
interface InputProblem {
  field: string;
  key: MessageKey;
  params: Record<string, string | number>;
}

type Issue = ZodError["issues"][number];

const boundsOf = (issue: Issue): Record<string, number> => ({
  ...("maximum" in issue ? { max: Number(issue.maximum) } : {}),
  ...("minimum" in issue ? { min: Number(issue.minimum) } : {}),
});

/** Whether the caller left out the value at `path` (as opposed to sending a wrong one). */
function absent(rawInput: unknown, path: readonly PropertyKey[]): boolean {
  let value = rawInput;
  for (const segment of path) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, segment)) return true;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value === undefined;
}

/**
 * Every field of a refused input with what is wrong with it: a field the procedure does not take,
 * one that is missing, or the check it failed. A check's own message (a catalogue key such as
 * errors.avatar.nameTooLong) wins over the generic ones, which name the field.
 */
function inputProblems(error: ZodError, rawInput: unknown): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const issue of error.issues) {
    const field = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const name = field ? `${field}.${key}` : key;
        problems.push({ field: name, key: "errors.input.unknownField", params: { field: name } });
      }
    } else if (isMessageKey(issue.message) && issue.message !== "errors.invalidInput") {
      problems.push({ field, key: issue.message, params: { ...boundsOf(issue), field } });
    } else if (!field) {
      problems.push({ field, key: "errors.invalidInput", params: {} });
    } else {
      const missing = issue.code === "invalid_type" && absent(rawInput, issue.path);
      problems.push({ field, key: missing ? "errors.input.missingField" : "errors.input.invalidField", params: { ...boundsOf(issue), field } });
    }
  }
  return problems;
}

/** What a caller learns of a failure besides the HTTP status: the same on /trpc (inside `data`) and /api/v1. */
export interface ErrorDetails {
  messageKey: string;
  message: string;
  /** For a refused input: each field named (dotted path, "" for the input as a whole) with what is wrong with it. */
  fieldErrors?: Record<string, string>;
}

/** Errors translateErrors has put into the caller's language already, with their details. */
const translated = new WeakMap<TRPCError, ErrorDetails>();

/** A failure in a locale: its catalogue key, message and, for bad input, the fields. */
function detailsOf(error: TRPCError, locale: Locale, rawInput?: unknown): ErrorDetails {
  const cause = error.cause;
  if (cause instanceof DomainError) return { messageKey: cause.key, message: translate(cause.key, locale, cause.params) };
  if (cause instanceof ZodError) {
    const problems = inputProblems(cause, rawInput);
    const first = problems[0] ?? { key: "errors.invalidInput" as const, params: {} };
    const fieldErrors: Record<string, string> = {};
    for (const problem of problems) fieldErrors[problem.field] ??= translate(problem.key, locale, problem.params);
    return { messageKey: first.key, message: translate(first.key, locale, first.params), fieldErrors };
  }
  const key = isMessageKey(error.message) ? error.message : (keyOfCode[error.code] ?? "errors.internal");
  return { messageKey: key, message: translate(key, locale) };
}

/** The details of an error a procedure threw (translated in the caller's language) or of one raised around it. */
export function errorDetails(error: TRPCError, locale: Locale): ErrorDetails {
  return translated.get(error) ?? detailsOf(error, locale);
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()

  .create({
    isDev: !isProduction,
    errorFormatter({ shape, error, ctx }) {
      const { stack, ...data } = shape.data;
      // Refusals raised before any procedure ran (by tRPC or the HTTP edge) are translated here.
      const { message, ...details } = errorDetails(error, ctx?.locale ?? defaultLocale);
      return { ...shape, message, data: { ...data, ...details, ...(isProduction ? {} : { stack }) } };
    },
  });

/**
 * Every failure leaves a procedure as a TRPCError whose message is already in the caller's
 * language: DomainError gets its code (and HTTP status), bad input names its fields, and an
 * unexpected error a generic apology instead of its internals. `error` is the failure the rest of
 * the chain answered with.
 */
async function refusedInCallersLanguage(error: TRPCError, locale: Locale, getRawInput: () => Promise<unknown>): Promise<never> {
  const cause = error.cause;
  const rawInput = cause instanceof ZodError ? await getRawInput().catch(() => undefined) : undefined;
  const details = detailsOf(error, locale, rawInput);
  const code = cause instanceof DomainError ? cause.code : error.code;
  const answer = new TRPCError({ code, message: details.message, cause: cause ?? error });
  translated.set(answer, details);
  throw answer;
}

/** What a middleware's own throw would have been as the chain's answer (tRPC wraps a thrown error the same way). */
const failed = (cause: unknown) => ({ ok: false as const, error: cause instanceof TRPCError ? cause : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause }) });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(async ({ ctx, next, getRawInput }) => {
  const result = await next();
  return result.ok ? result : refusedInCallersLanguage(result.error, ctx.locale, getRawInput);
});

/**
 * A procedure for signed-in callers: ctx.userId is the user of a session (who still exists: a
 * deleted or merged-away account's token is refused like an expired one) or of an API key that
 * holds the procedure's scope (see scopes.ts); ctx.apiKeyId says which key, null for a session.
 * A mutation with an idempotency key runs once per key (idempotently in @pinglass/accounts).
 */
export const authedProcedure = t.procedure.use(async ({ ctx, type, path, meta, getRawInput, next }) => {
  // One middleware for the caller, idempotency keys and the refusals' language (publicProcedure's),
  // with no function made on the way of a query: `pnpm bench` measures each level of tRPC's chain
  // and each function made per call.
  let caller: Caller;
  let request: IdempotentRequest | null;
  try {
    caller = await authenticate(ctx, path, accessOf(path), meta?.readsCallerRow);
    request = type === "mutation" ? idempotentRequest(await getRawInput(), ctx.idempotencyKey) : null;
  } catch (cause) {
    return refusedInCallersLanguage(failed(cause).error, ctx.locale, getRawInput);
  }
  // tRPC merges the caller into the context it passes on; next() answers a failure, never throws.
  const result = request
    ? // next() takes ctx and getRawInput together (tRPC merges both into the next call); its overloads name them apart.
      await onceForKey(ctx, caller.userId, path, request, (input) => next({ ctx: caller, getRawInput: async () => input } as { ctx: Caller }))
    : await next({ ctx: caller });
  return result.ok ? result : refusedInCallersLanguage(result.error, ctx.locale, getRawInput);
});

/**
 * A mutation with an idempotency key runs once per key and caller (idempotently in
 * @pinglass/accounts); a repeat gets the first answer with `Idempotent-Replayed: true`.
 */
async function onceForKey<R extends { ok: boolean }>(ctx: Context, userId: number, path: string, request: IdempotentRequest, run: (input: unknown) => Promise<R>): Promise<R> {
  try {
    // The procedure parses its input without the key, which is the middleware's alone.
    const outcome = await idempotently(ctx.deps, userId, path, request, () => run(request.input));
    if (outcome.ran) return outcome.result;
    ctx.setHeader("idempotent-replayed", "true");
    // tRPC has no public way for a middleware to answer without next(): a result is { ok, data, marker }, the marker only a type brand.
    return { ok: true, data: outcome.data, marker: "middlewareMarker" } as unknown as R;
  } catch (cause) {
    return failed(cause) as unknown as R;
  }
}

/**
 * A procedure of the operators' console (admin.*): the caller must be an operator (see
 * operators.ts); everyone else is refused with 403. ctx.operator says who, for the audit log.
 */
export const adminProcedure = publicProcedure.use(async ({ ctx, path, next }) => next({ ctx: { ...ctx, ...(await authenticateOperator(ctx, path)) } }));
