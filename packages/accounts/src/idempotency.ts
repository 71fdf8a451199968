/**
 * Idempotency keys, as Stripe's: a mutation sent with a key (the `idempotencyKey` input, or the
 * Idempotency-Key header on REST) runs once per caller and key; the same key again within 24
 * hours gets the first answer back without the work being done again, the same key with another
 * request is refused (409), and while the first is still running a second is refused as in
 * progress (409) rather than made to wait. Only answers are kept: a request that failed leaves
 * its key free, so the caller can fix it and send it again. The caller is the user (a session or
 * any of its API keys); packages/api runs every mutation through `idempotently`.
 */
import { createHash } from "node:crypto";
import { type Clock, DomainError } from "@pinglass/core";
import { type Db, idempotencyKeys } from "@pinglass/db";
import { and, eq, isNull, lte, or } from "drizzle-orm";

export const idempotencyKeyTtlMs = 24 * 3_600_000;
/** A first request still without an answer after this long died with its process: its key may run again. */
export const abandonedAfterMs = 5 * 60_000;

/** What an idempotency key may be: 1 to 255 visible ASCII characters (Stripe takes the same). */
export const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

export interface IdempotentRequest {
  key: string;
  /** The input without its key: what the procedure parses, and what the key is bound to. */
  input: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The key of a mutation (its input's `idempotencyKey`, else the header) and its input without it; null without a key. */
export function idempotentRequest(rawInput: unknown, header: string | null): IdempotentRequest | null {
  const fromInput = isRecord(rawInput) ? rawInput.idempotencyKey : undefined;
  const key = fromInput ?? header;
  if (key === undefined || key === null) return null;
  if (typeof key !== "string" || !idempotencyKeyPattern.test(key)) throw new DomainError("BAD_REQUEST", "errors.idempotency.keyInvalid");
  if (fromInput === undefined) return { key, input: rawInput };
  const { idempotencyKey: _key, ...input } = rawInput as Record<string, unknown>;
  return { key, input };
}

/** JSON with every object's keys sorted: two inputs that differ only in key order are the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

const requestHash = (procedure: string, input: unknown) => createHash("sha256").update(`${procedure}\n${canonicalJson(input)}`).digest("hex");

const stored = (userId: number, key: string) => and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key));

/**
 * Takes the key for this request (new, expired, or abandoned by a dead first request), or says
 * what became of the first: its answer to replay, or a 409.
 */
async function claimKey(db: Db, now: Date, userId: number, key: string, hash: string): Promise<{ claimedAt: Date } | { replay: unknown }> {
  // A first request that failed frees its key between our insert and our read: then try again.
  for (let round = 0; round < 3; round++) {
    const [mine] = await db
      .insert(idempotencyKeys)
      .values({ userId, key, requestHash: hash, createdAt: now })
      .onConflictDoUpdate({
        target: [idempotencyKeys.userId, idempotencyKeys.key],
        set: { requestHash: hash, response: null, createdAt: now },
        setWhere: or(
          lte(idempotencyKeys.createdAt, new Date(now.getTime() - idempotencyKeyTtlMs)),
          and(isNull(idempotencyKeys.response), lte(idempotencyKeys.createdAt, new Date(now.getTime() - abandonedAfterMs))),
        ),
      })
      .returning({ createdAt: idempotencyKeys.createdAt });
    if (mine) return { claimedAt: mine.createdAt };
    const [first] = await db.select().from(idempotencyKeys).where(stored(userId, key));
    if (!first) continue;
    if (first.requestHash !== hash) throw new DomainError("CONFLICT", "errors.idempotency.mismatch");
    if (first.response === null) throw new DomainError("CONFLICT", "errors.idempotency.inProgress");
    return { replay: (first.response as { data?: unknown }).data };
  }
  throw new DomainError("CONFLICT", "errors.idempotency.inProgress");
}

/**
 * Runs `run` once for this caller, procedure and key. `run` gives a tRPC middleware result: an
 * ok one's data is kept as the answer (plain JSON: what the wire carries), a failed one frees the key.
 */
export async function idempotently<Result extends { ok: boolean }>(
  deps: { db: Db; clock: Clock },
  userId: number,
  procedure: string,
  request: IdempotentRequest,
  run: () => Promise<Result>,
): Promise<{ ran: true; result: Result } | { ran: false; data: unknown }> {
  const claim = await claimKey(deps.db, deps.clock.now(), userId, request.key, requestHash(procedure, request.input));
  if ("replay" in claim) return { ran: false, data: claim.replay };
  const ours = and(stored(userId, request.key), eq(idempotencyKeys.createdAt, claim.claimedAt), isNull(idempotencyKeys.response));
  let result: Result | undefined;
  try {
    result = await run();
  } finally {
    if (result?.ok) {
      await deps.db
        .update(idempotencyKeys)
        .set({ response: { data: (result as { data?: unknown }).data ?? null } })
        .where(ours);
    } else {
      await deps.db.delete(idempotencyKeys).where(ours);
    }
  }
  return { ran: true, result };
}

/** Deletes the keys older than 24 hours; returns how many. */
export async function pruneIdempotencyKeys(db: Db, now: Date): Promise<number> {
  const deleted = await db
    .delete(idempotencyKeys)
    .where(lte(idempotencyKeys.createdAt, new Date(now.getTime() - idempotencyKeyTtlMs)))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}

/** The idempotency keys' part of a user's data (a UserDataOwner): they go with the user (ON DELETE CASCADE), and are not worth moving in a merge. */
export const idempotencyUserData = { userColumns: ["idempotency_keys.user_id"], avatarColumns: [] };
