/** Calling procedures over HTTP the way the web app does (the router's own transformer, Bearer token). */
import type { Agent } from "node:http";
import { appRouter } from "@pinglass/api";
import { type Outcome, send } from "./http.ts";

export type ProcedureType = "query" | "mutation" | "subscription";

export class CallError extends Error {
  constructor(
    readonly name: string,
    readonly outcome: Outcome,
  ) {
    super(`${name} answered ${outcome.status}: ${outcome.body?.toString("utf8").slice(0, 300) ?? ""}`);
  }
}

interface Transformer {
  input: { serialize(value: unknown): unknown };
  output: { deserialize(value: unknown): unknown };
}

/** The wire format is whatever the app's router is configured with (superjson, or plain JSON without a transformer). */
const transformer = (appRouter._def as unknown as { _config: { transformer: Transformer } })._config.transformer;
export const encodeInput = (value: unknown) => JSON.stringify(transformer.input.serialize(value));
export const decodeOutput = <T>(data: unknown) => transformer.output.deserialize(data) as T;
/** Whether inputs travel in superjson's {"json": …, "meta": …} envelope. */
export const usesEnvelope = encodeInput({ probe: 1 }).startsWith('{"json"');
/** A hand-written input (JSON text) as the wire carries it. */
export const wire = (jsonText: string) => (usesEnvelope ? `{"json":${jsonText}}` : jsonText);

export const bearer = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** The request of one call: a GET with ?input= for queries, a POST with the envelope for mutations. */
export function callSpec(name: string, type: "query" | "mutation", input: unknown, headers: Record<string, string> = {}) {
  const envelope = input === undefined ? undefined : encodeInput(input);
  if (type === "query") {
    return { kind: "http" as const, method: "GET", path: `/trpc/${name}${envelope === undefined ? "" : `?input=${encodeURIComponent(envelope)}`}`, headers };
  }
  return { kind: "http" as const, method: "POST", path: `/trpc/${name}`, headers: { "content-type": "application/json", ...headers }, body: envelope ?? "" };
}

/** One call; resolves with the outcome and the decoded data of a 200. */
export async function call<T = unknown>(
  port: number,
  agent: Agent,
  token: string | undefined,
  name: string,
  type: "query" | "mutation",
  input?: unknown,
  timeoutMs = 30_000,
): Promise<{ outcome: Outcome; data?: T }> {
  const outcome = await send(port, callSpec(name, type, input, bearer(token)), { agent, timeoutMs });
  if (outcome.status !== 200 || !outcome.body) return { outcome };
  const parsed = JSON.parse(outcome.body.toString("utf8")) as { result: { data: unknown } };
  return { outcome, data: decodeOutput<T>(parsed.result.data) };
}

/** A call that must succeed (set-up steps). */
export async function must<T = unknown>(port: number, agent: Agent, token: string | undefined, name: string, type: "query" | "mutation", input?: unknown): Promise<T> {
  const { outcome, data } = await call<T>(port, agent, token, name, type, input);
  if (outcome.status !== 200) throw new CallError(name, outcome);
  return data as T;
}

/** session.start for a fresh device: a new user and its token. */
export async function newUser(port: number, agent: Agent): Promise<{ token: string; userId: number; deviceId: string }> {
  const deviceId = crypto.randomUUID();
  const session = await must<{ token: string; userId: number }>(port, agent, undefined, "session.start", "mutation", { deviceId });
  return { ...session, deviceId };
}
