import { idempotencyKeyPattern } from "@pinglass/accounts";
import { z } from "zod";
import { described } from "./outputs.ts";

/** The optional `idempotencyKey` input of the mutations that create things (see idempotently in @pinglass/accounts). */
export const idempotencyKeyInput = z
  .string()
  .regex(idempotencyKeyPattern, { message: "errors.idempotency.keyInvalid" })
  .optional()
  .meta(
    described(
      "Any unique string (a UUID): sending the same request again with it within 24 hours returns the first answer instead of doing it twice. REST callers may send the Idempotency-Key header instead.",
      "Любая уникальная строка (UUID): тот же запрос с ней в течение 24 часов вернёт первый ответ, а не выполнится дважды. В REST можно вместо этого прислать заголовок Idempotency-Key.",
    ),
  );
