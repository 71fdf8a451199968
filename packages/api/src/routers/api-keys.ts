import { apiKeyNameMaxLength, createApiKey, listApiKeys, revokeApiKey } from "@pinglass/accounts";
import { apiKeyScopes } from "@pinglass/db";
import { z } from "zod";
import { idempotencyKeyInput } from "../idempotency.ts";
import { adminKeyPermit } from "../operators.ts";
import { id, plainText } from "../inputs.ts";
import { described, timestamp } from "../outputs.ts";
import { rest } from "../rest-meta.ts";
import { authedProcedure, router } from "../trpc.ts";

const scope = z.enum(apiKeyScopes, { message: "errors.invalidInput" });

const apiKeyOutput = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  prefix: z.string().meta(described("The key's first characters, to tell keys apart; it cannot be used to call.", "Первые символы ключа, чтобы отличать ключи; вызывать с ним нельзя.")),
  scopes: z.array(scope),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable().meta(described("The last call made with it (to the minute).", "Последний вызов с ним (с точностью до минуты).")),
});

/** API keys are the app's to manage: a key can neither make nor see keys (see scopes.ts). */
export const apiKeysRouter = router({
  /** A new key; its secret is in this answer only. */
  create: authedProcedure
    .meta(
      rest("POST", "/account/api-keys", {
        tag: "Account",
        summary: ["Create an API key", "Создать ключ API"],
        description: [
          "A secret key (`pg_live_…`) for `Authorization: Bearer`, limited to its scopes: `read` (lists, statuses, links), `create` (avatars, selfies, webhook endpoints), `generate` (start a paid photoset), `pay` (payments), and for operators alone `admin` (the operators' console's procedures, while its holder stays an operator). The secret is in this answer only. Only from the app (a session), never with a key.",
          "Секретный ключ (`pg_live_…`) для `Authorization: Bearer` с ограниченными правами: `read` (списки, статусы, ссылки), `create` (аватары, селфи, вебхуки), `generate` (запуск оплаченного фотосета), `pay` (платежи), а только для операторов — `admin` (процедуры консоли оператора, пока его владелец остаётся оператором). Секрет есть только в этом ответе. Только из приложения (по сессии), не по ключу.",
        ],
        errors: ["FORBIDDEN"],
      }),
    )
    .input(
      z.strictObject({
        name: plainText("errors.apiKey.nameEmpty")
          .trim()
          .min(1, { message: "errors.apiKey.nameEmpty" })
          .max(apiKeyNameMaxLength, { message: "errors.apiKey.nameTooLong" }),
        scopes: z.array(scope).min(1, { message: "errors.apiKey.scopesEmpty" }).max(apiKeyScopes.length),
        idempotencyKey: idempotencyKeyInput,
      }),
    )
    .output(apiKeyOutput.extend({ secret: z.string().meta(described("The secret: shown once, keep it safe.", "Секрет: показывается один раз, сохраните его.")) }))
    .mutation(async ({ ctx, input }) =>
      createApiKey(ctx.deps.db, ctx.userId, { name: input.name, scopes: input.scopes }, ctx.deps.clock.now(), input.scopes.includes("admin") ? await adminKeyPermit(ctx.deps, ctx.userId, ctx.requestId) : undefined),
    ),

  /** The keys that work, oldest first (without their secrets). */
  list: authedProcedure
    .meta(rest("GET", "/account/api-keys", { tag: "Account", summary: ["List API keys", "Ключи API"] }))
    .output(z.object({ items: z.array(apiKeyOutput) }))
    .query(async ({ ctx }) => ({ items: await listApiKeys(ctx.deps.db, ctx.userId) })),

  /** Revokes a key: its next call is refused. */
  revoke: authedProcedure
    .meta(rest("DELETE", "/account/api-keys/{keyId}", { tag: "Account", summary: ["Revoke an API key", "Отозвать ключ API"], errors: ["NOT_FOUND"] }))
    .input(z.strictObject({ keyId: id }))
    .output(z.object({ revoked: z.literal(true) }))
    .mutation(({ ctx, input }) => revokeApiKey(ctx.deps.db, ctx.userId, input.keyId, ctx.deps.clock.now())),
});
