import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { embeddedDataDir } from "@pinglass/db";
import { z } from "zod";

const optional = z
  .string()
  .optional()
  .transform((v) => (v === "" ? undefined : v));

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
});

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

/** Reads and checks the environment; the message names every wrong variable and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  if (c.NODE_ENV === "production" && !c.SESSION_SECRET) {
    throw new ConfigError("Invalid configuration:\n  SESSION_SECRET: is required in production (openssl rand -hex 32)");
  }
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
  };
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
