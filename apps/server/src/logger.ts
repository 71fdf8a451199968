import { type DestinationStream, type Logger, pino } from "pino";

/**
 * The one logger of the server and the worker processes: JSON lines, errors without personal
 * data. Lines about a request carry its `requestId`: the server's handlers log through
 * requestLogger (http/request-id.ts), and the worker's lines about a job carry the request that
 * started it.
 */
export function createLogger(options: { level: string; service: string }, destination?: DestinationStream): Logger {
  const settings = { level: options.level, base: { service: options.service }, serializers: { err: serializeError } };
  return destination ? pino(settings, destination) : pino(settings);
}

/**
 * pino's error serializer, over a copy of the error and its causes with no values a query carried:
 * a failed query's parameters (receipt e-mails, avatar names…) are in drizzle's `params` and in its
 * message, and PostgreSQL quotes the offending value in its own message and `detail`. The SQL text
 * stays (it has placeholders, not values), and so do the database's error code and the names of
 * the table, column and constraint.
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(withoutValues(error, 0) as Error) as unknown;
  const database = databaseErrorIn(error);
  return database && typeof serialized === "object" ? { ...serialized, database: namesOf(database) } : serialized;
}

/** The PostgreSQL error in a chain of causes (it is what drizzle's DrizzleQueryError wraps). */
function databaseErrorIn(error: unknown): Record<string, unknown> | null {
  for (let depth = 0; error instanceof Error && depth <= maxCauses; depth++, error = error.cause) {
    if (isDatabaseError(error as unknown as Record<string, unknown>)) return error as unknown as Record<string, unknown>;
  }
  return null;
}

/** What names the failure without a value: the SQLSTATE code, and the table, column and constraint. */
const namesOf = (error: Record<string, unknown>) =>
  Object.fromEntries(["code", "table", "column", "constraint"].filter((key) => typeof error[key] === "string").map((key) => [key, error[key]]));

/** Fields of database errors that repeat a row's or a parameter's values. */
const valueFields = new Set(["params", "parameters", "detail", "where", "internalQuery", "hint"]);
const maxCauses = 8;

function withoutValues(error: unknown, depth: number): unknown {
  if (!(error instanceof Error) || depth > maxCauses) return error;
  const record = error as Error & Record<string, unknown>;
  let message = error.message;
  if ("params" in record) message = message.replace(/\nparams: [\s\S]*$/, "");
  if (isDatabaseError(record)) message = message.replace(/"[^"]*"/g, '"…"');
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Record<string, unknown>;
  for (const key of Object.keys(error)) if (!valueFields.has(key) && key !== "cause") copy[key] = record[key];
  copy.message = message;
  copy.stack = message === error.message ? error.stack : stackWith(error, message);
  if (error.cause !== undefined) copy.cause = withoutValues(error.cause, depth + 1);
  return copy;
}

/** The stack with its first line (the message) replaced; only that line when the stack does not start with it. */
function stackWith(error: Error, message: string): string {
  const header = `${error.name}: ${error.message}`;
  return error.stack?.startsWith(header) ? `${error.name}: ${message}${error.stack.slice(header.length)}` : `${error.name}: ${message}`;
}

/** PostgreSQL's errors (node-postgres, PGlite, Neon): a SQLSTATE code and a severity. */
const isDatabaseError = (error: Record<string, unknown>) => typeof error.code === "string" && /^[0-9A-Z]{5}$/.test(error.code) && "severity" in error;
