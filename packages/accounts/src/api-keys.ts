/**
 * Secret API keys (`pg_live_…`): a developer's program calls the API as its user, limited to the
 * key's scopes. Only the key's SHA-256 is stored; the secret is in the create answer alone.
 */
import { createHash, randomBytes } from "node:crypto";
import { DomainError } from "@pinglass/core";
import { apiKeys, type ApiKeyScope, type DbOrTx, isRowId, preparedPerDb, type Tx, users } from "@pinglass/db";
import { and, asc, eq, isNull, sql } from "drizzle-orm";

export const apiKeySecretPrefix = "pg_live_";
export const apiKeyNameMaxLength = 100;
export const maxApiKeysPerUser = 20;
/** The prefix and this many characters of the secret are kept to show which key is which. */
const shownCharacters = 4;
/** A key's last use is written at most this often. */
const lastUsedResolutionMs = 60_000;

export interface ApiKeyView {
  id: number;
  name: string;
  /** `pg_live_` and the secret's next characters: enough to recognise a key, useless to call with. */
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Whether a bearer token is an API key rather than a session token. */
export const isApiKeySecret = (token: string) => token.startsWith(apiKeySecretPrefix);

const hashOf = (secret: string) => createHash("sha256").update(secret).digest("hex");

type ApiKeyRow = typeof apiKeys.$inferSelect;
const viewOf = (row: ApiKeyRow): ApiKeyView => ({ id: row.id, name: row.name, prefix: row.prefix, scopes: row.scopes, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt });

/** What a key with the `admin` scope takes: the caller says whether its user is an operator now, and what to write (the audit log) with it. */
export interface AdminKeyPermit {
  mayHoldAdmin: boolean;
  /** Runs in the transaction that makes the key. */
  alsoIn?: (tx: Tx, key: ApiKeyView) => Promise<void>;
}

/**
 * Makes a key: `pg_live_` and 32 random bytes (base64url). `admin` belongs to the operators'
 * console: only a user the caller has found to be an operator (`permit`) may hold it; everyone
 * else is refused.
 */
export async function createApiKey(
  db: DbOrTx,
  userId: number,
  input: { name: string; scopes: readonly ApiKeyScope[] },
  now: Date,
  permit: AdminKeyPermit = { mayHoldAdmin: false },
): Promise<ApiKeyView & { secret: string }> {
  if (input.scopes.includes("admin") && !permit.mayHoldAdmin) throw new DomainError("FORBIDDEN", "errors.apiKey.adminScope");
  const secret = `${apiKeySecretPrefix}${randomBytes(32).toString("base64url")}`;
  return db.transaction(async (tx) => {
    // Counted under a lock on the user, so two concurrent creations cannot pass the cap together.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
    const active = await tx.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)));
    if (active.length >= maxApiKeysPerUser) throw new DomainError("FORBIDDEN", "errors.apiKey.limit", { max: maxApiKeysPerUser });
    const [row] = await tx
      .insert(apiKeys)
      .values({
        userId,
        name: input.name,
        prefix: secret.slice(0, apiKeySecretPrefix.length + shownCharacters),
        secretHash: hashOf(secret),
        scopes: [...new Set(input.scopes)].sort(),
        createdAt: now,
      })
      .returning();
    if (input.scopes.includes("admin")) await permit.alsoIn?.(tx, viewOf(row!));
    return { ...viewOf(row!), secret };
  });
}

/** The user's keys that still work, oldest first. */
export async function listApiKeys(db: DbOrTx, userId: number): Promise<ApiKeyView[]> {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
    .orderBy(asc(apiKeys.id));
  return rows.map(viewOf);
}

/** Revokes a key of the user: its next call is refused. Someone else's key is reported as not found. */
export async function revokeApiKey(db: DbOrTx, userId: number, keyId: number, now: Date): Promise<{ revoked: true }> {
  const revoked = isRowId(keyId)
    ? await db
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id })
    : [];
  if (revoked.length === 0) throw new DomainError("NOT_FOUND", "errors.apiKey.notFound");
  return { revoked: true };
}

/** Who a working key calls as. */
export interface ApiKeyCaller {
  apiKeyId: number;
  userId: number;
  scopes: ApiKeyScope[];
}

const keyBySecret = preparedPerDb((db) =>
  db
    .select({ id: apiKeys.id, userId: apiKeys.userId, scopes: apiKeys.scopes, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.secretHash, sql.placeholder("secretHash")), isNull(apiKeys.revokedAt)))
    .prepare("api_key_by_secret"),
);

/**
 * The key a bearer secret names, if it still works: not revoked, and its user still there (a
 * deleted account's keys are deleted with it). Records the key's use, at most once a minute.
 */
export async function findApiKey(db: DbOrTx, secret: string, now: Date): Promise<ApiKeyCaller | null> {
  const [key] = await keyBySecret(db).execute({ secretHash: hashOf(secret) });
  if (!key) return null;
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= lastUsedResolutionMs) {
    await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, key.id));
  }
  return { apiKeyId: key.id, userId: key.userId, scopes: key.scopes };
}

/**
 * The API keys' part of a user's data (a UserDataOwner): deleting the user deletes its keys (ON
 * DELETE CASCADE); a merge moves them to the surviving account, so a developer's program keeps working.
 */
export const apiKeysUserData = {
  userColumns: ["api_keys.user_id"],
  avatarColumns: [],

  async reassignUserData(tx: Tx, fromUserId: number, toUserId: number): Promise<void> {
    await tx.update(apiKeys).set({ userId: toUserId }).where(eq(apiKeys.userId, fromUserId));
  },
};
