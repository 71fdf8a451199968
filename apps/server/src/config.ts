import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { embeddedDataDir } from "@pinglass/db";
import { defaultMaxSelfieBytesPerUser, type S3StorageOptions } from "@pinglass/media";
import type { RateLimitedAction } from "@pinglass/api";
import { taxations, tbankProductionUrl, vats } from "@pinglass/payments";
import { z } from "zod";

const optional = z
  .string()
  .optional()
  .transform((v) => (v === "" ? undefined : v));

/** A rate limit: `<count>/<seconds>` (60/600 is 60 in ten minutes), or 0 for none. */
const rate = (fallback: string) =>
  z
    .string()
    .regex(/^(0|[1-9]\d*\/[1-9]\d*)$/, { message: "must be <count>/<seconds> such as 20/60, or 0 for no limit" })
    .default(fallback)
    .transform((value) => {
      if (value === "0") return null;
      const [points, seconds] = value.split("/").map(Number);
      return { points: points!, seconds: seconds! };
    });

/** A tier's price in Telegram Stars: a whole number of Stars. */
const starsPrice = (fallback: number) =>
  z.coerce.number({ message: "must be a whole number of Telegram Stars" }).int({ message: "must be a whole number of Telegram Stars" }).min(1).max(100_000).default(fallback);

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number({ message: "must be a port number" }).int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  PUBLIC_URL: z.url({ message: "must be an absolute URL such as https://pinglass.ru" }).optional(),
  DATABASE_URL: optional,
  DATABASE_DRIVER: z.enum(["neon"], { message: "can only be 'neon' (or unset to pick from the URL)" }).optional(),
  SESSION_SECRET: z.string().min(32, { message: "must be at least 32 characters (openssl rand -hex 32)" }).optional(),
  SESSION_TTL_SECONDS: z.coerce.number().int().positive().default(60 * 60 * 24 * 30),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  WEB_DIST: optional,
  GENERATION_WORKER: z.enum(["in-process", "off"], { message: "must be in-process or off (then run `pnpm worker`)" }).default("in-process"),
  GENERATION_CONCURRENCY_PER_JOB: z.coerce.number({ message: "must be a number" }).int().min(1).max(23).default(4),
  GENERATION_LEASE_SECONDS: z.coerce.number({ message: "must be a number" }).int().min(1).max(3600).default(60),
  LIKENESS_GATE: z.enum(["on", "off"], { message: "must be on or off" }).default("on"),
  LIKENESS_RETRIES: z.coerce.number({ message: "must be a number" }).int().min(0).max(10).default(2),
  FACE_WORKERS: z.coerce.number({ message: "must be a number" }).int().min(1).max(4).default(1),
  MEDIA_STORAGE: z.enum(["filesystem", "s3"], { message: "must be filesystem or s3" }).default("filesystem"),
  MEDIA_DIR: optional,
  MEDIA_SIGNING_SECRET: optional.refine((v) => v === undefined || v.length >= 32, { message: "must be at least 32 characters (openssl rand -hex 32)" }),
  S3_BUCKET: optional,
  S3_REGION: z.string().min(1).default("auto"),
  S3_ENDPOINT: optional.refine((v) => v === undefined || URL.canParse(v), { message: "must be an absolute URL such as https://<account>.r2.cloudflarestorage.com" }),
  S3_ACCESS_KEY_ID: optional,
  S3_SECRET_ACCESS_KEY: optional,
  S3_FORCE_PATH_STYLE: z.enum(["true", "false"], { message: "must be true or false" }).default("false"),
  UPLOAD_MAX_BYTES_PER_USER: z.coerce.number({ message: "must be a number of bytes" }).int({ message: "must be a whole number of bytes" }).min(1024 * 1024, { message: "must be at least 1048576 (1 MB)" }).default(defaultMaxSelfieBytesPerUser),
  TBANK_TERMINAL_KEY: optional,
  TBANK_PASSWORD: optional,
  TBANK_API_URL: z.url({ message: "must be an absolute URL such as https://securepay.tinkoff.ru/v2" }).default(tbankProductionUrl),
  TBANK_TAXATION: z.enum(taxations, { message: `must be one of ${taxations.join(", ")}` }).default("usn_income"),
  TBANK_VAT: z.enum(vats, { message: `must be one of ${vats.join(", ")}` }).default("none"),
  PAYMENTS_TEST_CHECKOUT: z.enum(["true", "false"], { message: "must be true or false" }).default("false"),
  IMAGE_PROVIDER: z.enum(["local", "kie", "replicate"], { message: "must be local, kie or replicate" }).optional(),
  KIE_API_KEY: optional,
  KIE_API_URL: z.url({ message: "must be an absolute URL such as https://api.kie.ai" }).default("https://api.kie.ai"),
  KIE_MODEL: z.string().min(1).default("nano-banana-pro"),
  KIE_WEBHOOK_HMAC_KEY: optional,
  KIE_MAX_CONCURRENCY: z.coerce.number({ message: "must be a number" }).int().min(1).max(100).default(8),
  REPLICATE_API_TOKEN: optional,
  REPLICATE_API_URL: z.url({ message: "must be an absolute URL such as https://api.replicate.com" }).default("https://api.replicate.com"),
  REPLICATE_MODEL: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+(:\w+)?$/, { message: "must be owner/name or owner/name:version" })
    .default("google/nano-banana-pro"),
  REPLICATE_WEBHOOK_SECRET: optional.refine((v) => v === undefined || /^whsec_[A-Za-z0-9+/=]+$/.test(v), { message: "must look like whsec_<base64>" }),
  REPLICATE_MAX_CONCURRENCY: z.coerce.number({ message: "must be a number" }).int().min(1).max(100).default(8),
  TELEGRAM_BOT_TOKEN: optional.refine((v) => v === undefined || /^\d+:[A-Za-z0-9_-]{20,}$/.test(v), { message: "must look like 123456789:AA… (from @BotFather)" }),
  TELEGRAM_BOT_USERNAME: optional.refine((v) => v === undefined || /^[A-Za-z][A-Za-z0-9_]{3,31}$/.test(v), { message: "must be the bot's username without @, such as PinGlassBot" }),
  TELEGRAM_WEBHOOK_SECRET: optional.refine((v) => v === undefined || /^[A-Za-z0-9_-]{16,256}$/.test(v), { message: "must be 16–256 characters of A-Z, a-z, 0-9, _ and - (openssl rand -hex 32)" }),
  TELEGRAM_INIT_DATA_MAX_AGE_SECONDS: z.coerce.number({ message: "must be a number of seconds" }).int().positive().default(86_400),
  TELEGRAM_API_URL: z.url({ message: "must be an absolute URL such as https://api.telegram.org" }).default("https://api.telegram.org"),
  TELEGRAM_MINIAPP_CARD_PAYMENTS: z.enum(["true", "false"], { message: "must be true or false" }).default("false"),
  STARS_PRICE_STARTER: starsPrice(250),
  STARS_PRICE_STANDARD: starsPrice(500),
  STARS_PRICE_PREMIUM: starsPrice(750),
  TRUST_PROXY: z.enum(["true", "false"], { message: "must be true or false" }).default("false"),
  ADMIN_TELEGRAM_IDS: optional
    .refine((v) => v === undefined || /^\s*[1-9]\d{0,18}\s*(,\s*[1-9]\d{0,18}\s*)*$/.test(v), { message: "must be Telegram user ids separated by commas, such as 123456789,987654321" })
    .transform((v) => [...new Set((v ?? "").split(",").flatMap((id) => (id.trim() ? [BigInt(id.trim())] : [])))]),
  METRICS_TOKEN: optional.refine((v) => v === undefined || /^[\x21-\x7e]{16,256}$/.test(v), { message: "must be 16–256 printable characters without spaces (openssl rand -hex 32)" }),
  MAX_AVATARS_PER_USER: z.coerce.number({ message: "must be a number" }).int().min(1).max(10_000).default(50),
  MAX_OPEN_STREAMS_PER_USER: z.coerce.number({ message: "must be a number" }).int().min(1).max(100).default(5),
  RATE_LIMIT_SESSION_START_PER_IP: rate("20/60"),
  RATE_LIMIT_UPLOADS_PER_USER: rate("60/600"),
  RATE_LIMIT_UPLOADS_PER_IP: rate("300/600"),
  RATE_LIMIT_PAYMENTS_PER_USER: rate("10/60"),
  RATE_LIMIT_PAYMENTS_PER_IP: rate("30/60"),
  RATE_LIMIT_ZIP_PER_USER: rate("10/60"),
  RATE_LIMIT_ZIP_PER_IP: rate("30/60"),
  RATE_LIMIT_STREAMS_PER_USER: rate("30/60"),
  RATE_LIMIT_STREAMS_PER_IP: rate("120/60"),
  RATE_LIMIT_API_KEY: rate("600/60"),
  WEBHOOKS_ALLOW_PRIVATE_URLS: z.enum(["true", "false"], { message: "must be true or false" }).optional(),
});

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

/** For the entry points: the configuration, or the list of what is wrong on stderr and exit code 1. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/** Reads and checks the environment; the message names every wrong variable and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  if (!c.TBANK_TERMINAL_KEY !== !c.TBANK_PASSWORD) {
    throw new ConfigError("Invalid configuration:\n  TBANK_TERMINAL_KEY, TBANK_PASSWORD: set both (real T-Bank payments) or neither (the local test checkout)");
  }
  const tbankConfigured = Boolean(c.TBANK_TERMINAL_KEY && c.TBANK_PASSWORD);
  if (tbankConfigured && c.PAYMENTS_TEST_CHECKOUT === "true") {
    throw new ConfigError("Invalid configuration:\n  PAYMENTS_TEST_CHECKOUT: cannot be true with TBANK_TERMINAL_KEY/TBANK_PASSWORD (real payments have no test checkout); unset one of them");
  }
  const missingInProduction: string[] = [];
  if (c.NODE_ENV === "production" && !c.SESSION_SECRET) missingInProduction.push("  SESSION_SECRET: is required in production (openssl rand -hex 32)");
  // The test checkout's notification password is public: in production it would hand out paid photosets for free.
  if (c.NODE_ENV === "production" && !tbankConfigured && c.PAYMENTS_TEST_CHECKOUT !== "true") {
    missingInProduction.push(
      "  TBANK_TERMINAL_KEY, TBANK_PASSWORD: are required in production (real payments). To run the local test checkout instead, where anyone can pay without money, set PAYMENTS_TEST_CHECKOUT=true",
    );
  }
  if (missingInProduction.length > 0) throw new ConfigError(`Invalid configuration:\n${missingInProduction.join("\n")}`);
  return {
    nodeEnv: c.NODE_ENV,
    port: c.PORT,
    host: c.HOST,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ""),
    databaseUrl: c.DATABASE_URL,
    databaseDriver: c.DATABASE_DRIVER,
    sessionSecret: c.SESSION_SECRET ?? embeddedSessionSecret(),
    sessionTtlSeconds: c.SESSION_TTL_SECONDS,
    logLevel: c.LOG_LEVEL,
    webDist: c.WEB_DIST,
    media: mediaConfig(c),
    /** Null means the local test checkout: no bank, no money (in production only with PAYMENTS_TEST_CHECKOUT=true). */
    tbank: c.TBANK_TERMINAL_KEY && c.TBANK_PASSWORD ? { terminalKey: c.TBANK_TERMINAL_KEY, password: c.TBANK_PASSWORD, apiUrl: c.TBANK_API_URL } : null,
    receipt: { taxation: c.TBANK_TAXATION, vat: c.TBANK_VAT },
    imageProvider: imageProviderConfig(c),
    generation: {
      inProcessWorker: c.GENERATION_WORKER === "in-process",
      perJobConcurrency: c.GENERATION_CONCURRENCY_PER_JOB,
      leaseSeconds: c.GENERATION_LEASE_SECONDS,
      likenessGate: c.LIKENESS_GATE === "on",
      likenessRetries: c.LIKENESS_RETRIES,
    },
    faceWorkers: c.FACE_WORKERS,
    telegram: telegramConfig(c),
    /** Telegram Stars (used only with a bot): each tier's price in whole Stars, and whether the Mini App also offers cards. */
    stars: { prices: { starter: c.STARS_PRICE_STARTER, standard: c.STARS_PRICE_STANDARD, premium: c.STARS_PRICE_PREMIUM }, miniAppCardPayments: c.TELEGRAM_MINIAPP_CARD_PAYMENTS === "true" },
    limits: limitsConfig(c),
    /** The operators' console: the Telegram users who are operators (none: nobody is). */
    admin: { telegramIds: c.ADMIN_TELEGRAM_IDS },
    /** The bearer token of GET /metrics; null: the route is off. */
    metricsToken: c.METRICS_TOKEN ?? null,
    /** Webhooks to loopback, private and link-local addresses: allowed outside production (a receiver on your machine), refused in it unless this says so. */
    webhooks: { allowPrivateUrls: (c.WEBHOOKS_ALLOW_PRIVATE_URLS ?? (c.NODE_ENV === "production" ? "false" : "true")) === "true" },
  };
}

/** Request rates per client IP and per user, and the caps; TRUST_PROXY says where the client IP comes from. */
function limitsConfig(c: z.infer<typeof envSchema>) {
  return {
    trustProxy: c.TRUST_PROXY === "true",
    avatarsPerUser: c.MAX_AVATARS_PER_USER,
    openStreamsPerUser: c.MAX_OPEN_STREAMS_PER_USER,
    rates: {
      sessionStart: { perIp: c.RATE_LIMIT_SESSION_START_PER_IP, perUser: null },
      upload: { perIp: c.RATE_LIMIT_UPLOADS_PER_IP, perUser: c.RATE_LIMIT_UPLOADS_PER_USER },
      paymentCreate: { perIp: c.RATE_LIMIT_PAYMENTS_PER_IP, perUser: c.RATE_LIMIT_PAYMENTS_PER_USER },
      zipDownload: { perIp: c.RATE_LIMIT_ZIP_PER_IP, perUser: c.RATE_LIMIT_ZIP_PER_USER },
      progressStream: { perIp: c.RATE_LIMIT_STREAMS_PER_IP, perUser: c.RATE_LIMIT_STREAMS_PER_USER },
    } satisfies Record<RateLimitedAction, { perIp: Rate; perUser: Rate }>,
    /** Every call made with one API key. */
    perApiKey: c.RATE_LIMIT_API_KEY,
  };
}

export type Rate = { points: number; seconds: number } | null;

/** The bot, or null without TELEGRAM_BOT_TOKEN (the app then runs without Telegram features). */
function telegramConfig(c: z.infer<typeof envSchema>) {
  if (!c.TELEGRAM_BOT_TOKEN) return null;
  if (!c.TELEGRAM_BOT_USERNAME || !c.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError("Invalid configuration:\n  TELEGRAM_BOT_USERNAME, TELEGRAM_WEBHOOK_SECRET: both are required with TELEGRAM_BOT_TOKEN");
  }
  return {
    botToken: c.TELEGRAM_BOT_TOKEN,
    botUsername: c.TELEGRAM_BOT_USERNAME,
    webhookSecret: c.TELEGRAM_WEBHOOK_SECRET,
    initDataMaxAgeSeconds: c.TELEGRAM_INIT_DATA_MAX_AGE_SECONDS,
    apiUrl: c.TELEGRAM_API_URL,
  };
}

/** The image provider: IMAGE_PROVIDER, or else the one whose key is set (Kie.ai first), or else the local renderer. */
function imageProviderConfig(c: z.infer<typeof envSchema>) {
  const kind = c.IMAGE_PROVIDER ?? (c.KIE_API_KEY ? "kie" : c.REPLICATE_API_TOKEN ? "replicate" : "local");
  if (kind === "kie") {
    if (!c.KIE_API_KEY) throw new ConfigError("Invalid configuration:\n  KIE_API_KEY: is required with IMAGE_PROVIDER=kie");
    return { kind, apiKey: c.KIE_API_KEY, apiUrl: c.KIE_API_URL, model: c.KIE_MODEL, webhookHmacKey: c.KIE_WEBHOOK_HMAC_KEY, maxConcurrency: c.KIE_MAX_CONCURRENCY } as const;
  }
  if (kind === "replicate") {
    if (!c.REPLICATE_API_TOKEN || !c.REPLICATE_WEBHOOK_SECRET) {
      throw new ConfigError(
        "Invalid configuration:\n  REPLICATE_API_TOKEN, REPLICATE_WEBHOOK_SECRET: both are required with Replicate (the secret: GET https://api.replicate.com/v1/webhooks/default/secret)",
      );
    }
    return { kind, apiToken: c.REPLICATE_API_TOKEN, apiUrl: c.REPLICATE_API_URL, model: c.REPLICATE_MODEL, webhookSecret: c.REPLICATE_WEBHOOK_SECRET, maxConcurrency: c.REPLICATE_MAX_CONCURRENCY } as const;
  }
  return { kind } as const;
}

/** Local files by default; with MEDIA_STORAGE=s3 the bucket and both keys are required. */
function mediaConfig(c: z.infer<typeof envSchema>) {
  const media = { dir: c.MEDIA_DIR, signingSecret: c.MEDIA_SIGNING_SECRET, maxSelfieBytesPerUser: c.UPLOAD_MAX_BYTES_PER_USER, s3: null as S3StorageOptions | null };
  if (c.MEDIA_STORAGE === "filesystem") return media;
  const missing = (["S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const).filter((name) => !c[name]);
  if (missing.length > 0) throw new ConfigError(`Invalid configuration:\n${missing.map((name) => `  ${name}: is required when MEDIA_STORAGE=s3`).join("\n")}`);
  media.s3 = {
    bucket: c.S3_BUCKET!,
    region: c.S3_REGION,
    endpoint: c.S3_ENDPOINT,
    accessKeyId: c.S3_ACCESS_KEY_ID!,
    secretAccessKey: c.S3_SECRET_ACCESS_KEY!,
    forcePathStyle: c.S3_FORCE_PATH_STYLE === "true",
  };
  return media;
}

/** Outside production a missing secret is generated once and kept in .data, so sessions survive restarts. */
function embeddedSessionSecret(): string {
  const file = join(embeddedDataDir, "session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(embeddedDataDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
