/**
 * The OpenAPI 3.1 document of the REST API (/api/v1): every public query and mutation, from the
 * same zod schemas and meta as /trpc (trpc-to-openapi), plus what it cannot know: the selfie
 * upload route, every error answer (status, code, messageKey), a TypeScript example for each call
 * (x-codeSamples; the reference page makes the curl one), and the Russian texts.
 */
import { type ErrorCode, type Locale, messageKeys, translate } from "@pinglass/core";
import type { AnyTRPCProcedure } from "@trpc/server";
import { generateOpenApiDocument, type OpenAPIObject, type OpenApiRouter } from "trpc-to-openapi";
import { appRouter } from "./root.ts";
import { type DocsMeta, type ProcedureMeta, restTags } from "./rest-meta.ts";
import { procedureAccess } from "./scopes.ts";

/** Where the REST API lives under the server's origin. */
export const restBasePath = "/api/v1";
/** The one route of the REST API that is not a procedure: selfies go up as multipart/form-data. */
export const uploadRestPath = "/avatars/{avatarId}/references";

/** The HTTP status of each error code, as /trpc and /api/v1 answer it. */
export const errorStatus: Record<ErrorCode | "UNSUPPORTED_MEDIA_TYPE", number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_SUPPORTED: 405,
  TIMEOUT: 408,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  BAD_GATEWAY: 502,
};
type DocumentedCode = keyof typeof errorStatus;

/** What each error answer means, in both languages. */
const errorMeaning: Record<DocumentedCode, [string, string]> = {
  BAD_REQUEST: ["The input is wrong: `fieldErrors` names each field and what is wrong with it.", "Неверные входные данные: `fieldErrors` называет каждое поле и что с ним не так."],
  UNAUTHORIZED: ["No valid session token or API key in `Authorization: Bearer …` (expired, revoked, or its account is gone).", "Нет действующего токена сессии или API-ключа в `Authorization: Bearer …` (истёк, отозван или аккаунта больше нет)."],
  FORBIDDEN: ["The API key lacks the scope this call needs, or the call is for sessions only.", "У API-ключа нет нужного разрешения, или вызов доступен только сессии."],
  NOT_FOUND: ["No such object among yours (someone else's is reported the same way).", "Среди ваших такого объекта нет (чужой описывается так же)."],
  METHOD_NOT_SUPPORTED: ["This path does not take this method; `Allow` lists the ones it takes.", "Этот путь не принимает такой метод; `Allow` перечисляет допустимые."],
  TIMEOUT: ["The request body took too long to arrive.", "Тело запроса шло слишком долго."],
  CONFLICT: ["The object is busy or at a limit (generating, a refund on its way, too many avatars or selfies).", "Объект занят или упёрся в предел (идёт генерация или возврат, слишком много аватаров или селфи)."],
  PRECONDITION_FAILED: ["Something must happen first (enough selfies, a paid photoset, a configured Telegram bot).", "Сначала нужно другое (достаточно селфи, оплаченный фотосет, настроенный бот Telegram)."],
  PAYLOAD_TOO_LARGE: ["The body is over its limit (1 MB of JSON; 15 MB per selfie).", "Тело больше предела (1 МБ JSON; 15 МБ на селфи)."],
  UNSUPPORTED_MEDIA_TYPE: ["The body is not `application/json` (`multipart/form-data` for selfies).", "Тело не `application/json` (для селфи — `multipart/form-data`)."],
  TOO_MANY_REQUESTS: ["Over a rate limit: wait the seconds of `Retry-After`.", "Превышен лимит запросов: подождите столько секунд, сколько в `Retry-After`."],
  INTERNAL_SERVER_ERROR: ["Our failure; nothing of the request was kept half-done. Try again later.", "Сбой на нашей стороне; ничего не сохранено наполовину. Повторите позже."],
  BAD_GATEWAY: ["The bank could not be reached or refused; nothing was charged. Try again.", "Банк недоступен или отказал; деньги не списаны. Повторите."],
};

type Json = Record<string, unknown>;
type Operation = Json & { operationId: string; summary?: string; description?: string; tags?: string[]; security?: unknown; parameters?: Json[]; requestBody?: Json; responses: Record<string, unknown> };

const publicProcedures = () =>
  Object.entries(appRouter._def.procedures as unknown as Record<string, AnyTRPCProcedure>).filter(([path, procedure]) => !path.startsWith("admin.") && procedure._def.type !== "subscription");

/** The public queries and mutations that have no REST place (trpc-to-openapi would leave them out without a word). */
export function proceduresWithoutRestMeta(): string[] {
  return publicProcedures()
    .filter(([, procedure]) => !(procedure._def.meta as ProcedureMeta | undefined)?.openapi)
    .map(([path]) => path);
}

const documents = new Map<string, OpenAPIObject>();

/** The document for a server at `publicUrl`, in a language; made once per both. */
export function openApiDocument(publicUrl: string, locale: Locale): OpenAPIObject {
  const cacheKey = `${locale} ${publicUrl}`;
  let document = documents.get(cacheKey);
  if (!document) documents.set(cacheKey, (document = buildDocument(publicUrl.replace(/\/$/, ""), locale)));
  return document;
}

function buildDocument(origin: string, locale: Locale): OpenAPIObject {
  const ru = locale === "ru";
  const say = ([en, russian]: readonly [string, string]) => (ru ? russian : en);
  const generated = generateOpenApiDocument(appRouter as unknown as OpenApiRouter, {
    title: "PinGlass API",
    version: "1.0.0",
    baseUrl: `${origin}${restBasePath}`,
    description: say(apiDescription),
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer", description: say(["A session token (POST /sessions) or an API key (`pg_live_…`).", "Токен сессии (POST /sessions) или API-ключ (`pg_live_…`)."]) },
    },
    filter: ({ metadata }) => !String(metadata.openapi.path).startsWith("/admin"),
  }) as unknown as Json & { paths: Record<string, Record<string, Operation>>; components: Json };

  const metaByOperation = new Map(publicProcedures().map(([path, procedure]) => [path.replace(/\./g, "-"), { path, procedure, meta: procedure._def.meta as (ProcedureMeta & DocsMeta) | undefined }]));
  generated.paths[uploadRestPath] = { ...generated.paths[uploadRestPath], post: uploadOperation(locale) };

  for (const operations of Object.values(generated.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const known = metaByOperation.get(operation.operationId);
      if (ru && known?.meta?.ru) {
        operation.summary = known.meta.ru.summary;
        if (known.meta.ru.description) operation.description = known.meta.ru.description;
      }
      if (ru) operation.tags = operation.tags?.map((tag) => restTags[tag as keyof typeof restTags] ?? tag);
      const takesBody = method !== "get" && method !== "delete";
      const hasInput = Boolean(operation.requestBody) || (operation.parameters?.length ?? 0) > 0;
      const own: DocumentedCode[] = operation.operationId === "references-upload" ? ["NOT_FOUND", "CONFLICT"] : (known?.meta?.errors ?? []);
      const codes = new Set<DocumentedCode>(["TOO_MANY_REQUESTS", "INTERNAL_SERVER_ERROR", ...own]);
      if (hasInput || takesBody) codes.add("BAD_REQUEST");
      if (operation.security) ["UNAUTHORIZED", "FORBIDDEN"].forEach((code) => codes.add(code as DocumentedCode));
      if (takesBody) ["PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "TIMEOUT"].forEach((code) => codes.add(code as DocumentedCode));
      const success = operation.responses["200"];
      operation.responses = { "200": success, ...errorResponses([...codes], locale) };
      if (known) operation["x-codeSamples"] = [{ lang: "TypeScript", label: "@pinglass/client", source: typescriptSample(known.path, known.procedure._def.type, operation, origin) }];
    }
  }

  const document = {
    ...generated,
    tags: Object.entries(restTags).map(([name, russian]) => ({ name: ru ? russian : name })),
    components: { ...generated.components, schemas: { ...(generated.components.schemas as Json | undefined), Error: errorSchema(locale), UploadResult: uploadResultSchema } },
  };
  return localise(document, locale) as OpenAPIObject;
}

const apiDescription: [string, string] = [
  [
    "PinGlass makes a photoset of AI portraits from a handful of selfies. Every call of the typed client (`@pinglass/client`, tRPC at `/trpc`) is also a REST call here, with the same inputs and answers: plain JSON, timestamps as ISO 8601 strings.",
    "",
    "**Authentication**: `Authorization: Bearer <token>` with a session token (`POST /sessions`) or an API key (`pg_live_…`, made on the account screen, limited to its scopes).",
    "",
    "**Errors**: a status of 400 or more with `{ \"error\": { \"code\", \"message\", \"messageKey\", \"fieldErrors\"? } }`: `code` is the kind of failure, `messageKey` a stable name of the exact reason (branch on it), `message` the same in the caller's language (`Accept-Language` or `x-pinglass-locale`: `ru` or `en`), `fieldErrors` each wrong input field with its reason. An unknown field is an error, never ignored.",
    "",
    "**Limits**: JSON bodies up to 1 MB, selfies up to 15 MB each (20 per avatar), rate limits per IP, user and API key (429 with `Retry-After`). Mutations that create things take an `Idempotency-Key` header: the same key again within 24 hours answers the first answer.",
  ].join("\n"),
  [
    "PinGlass делает фотосет ИИ-портретов по нескольким селфи. Каждый вызов типизированного клиента (`@pinglass/client`, tRPC на `/trpc`) есть и здесь, в REST, с теми же входами и ответами: обычный JSON, время — строки ISO 8601.",
    "",
    "**Вход**: `Authorization: Bearer <токен>` — токен сессии (`POST /sessions`) или API-ключ (`pg_live_…`, создаётся на экране аккаунта, ограничен своими разрешениями).",
    "",
    "**Ошибки**: статус от 400 и тело `{ \"error\": { \"code\", \"message\", \"messageKey\", \"fieldErrors\"? } }`: `code` — вид отказа, `messageKey` — постоянное имя точной причины (ветвитесь по нему), `message` — то же на языке запроса (`Accept-Language` или `x-pinglass-locale`: `ru` или `en`), `fieldErrors` — каждое неверное поле входа с причиной. Неизвестное поле — ошибка, а не молча пропущенное поле.",
    "",
    "**Пределы**: тело JSON до 1 МБ, селфи до 15 МБ каждое (20 на аватар), лимиты запросов на IP, пользователя и API-ключ (429 с `Retry-After`). Мутации, которые что-то создают, принимают заголовок `Idempotency-Key`: тот же ключ в течение 24 часов возвращает первый ответ.",
  ].join("\n"),
];

/** The catalogue's failure keys with their English text: what `messageKey` can be. */
const errorKeys = () => messageKeys.filter((key) => key.startsWith("errors."));

function errorSchema(locale: Locale): Json {
  const keys = errorKeys();
  return {
    type: "object",
    required: ["error"],
    properties: {
      error: {
        type: "object",
        required: ["code", "message", "messageKey"],
        properties: {
          code: {
            type: "string",
            enum: Object.keys(errorStatus),
            description: "The kind of failure; the HTTP status follows from it.",
            "x-description-ru": "Вид отказа; HTTP-статус следует из него.",
          },
          message: { type: "string", description: "The reason, in the caller's language.", "x-description-ru": "Причина на языке запроса." },
          messageKey: {
            type: "string",
            enum: keys,
            "x-enumDescriptions": Object.fromEntries(keys.map((key) => [key, translate(key, locale)])),
            description: "The exact reason, a stable name to branch on.",
            "x-description-ru": "Точная причина, постоянное имя, по которому можно ветвиться.",
          },
          fieldErrors: {
            type: "object",
            additionalProperties: { type: "string" },
            description: "For wrong input: each field (a dotted path) with what is wrong with it.",
            "x-description-ru": "Для неверного входа: каждое поле (путь через точку) и что с ним не так.",
          },
        },
      },
    },
  };
}

/** One response per status, its `code` narrowed to the codes of that status. */
function errorResponses(codes: DocumentedCode[], locale: Locale): Record<string, unknown> {
  const byStatus = new Map<number, DocumentedCode[]>();
  for (const code of codes) byStatus.set(errorStatus[code], [...(byStatus.get(errorStatus[code]) ?? []), code]);
  const responses: Record<string, unknown> = {};
  for (const [status, ofStatus] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: ofStatus.map((code) => `\`${code}\`: ${errorMeaning[code][locale === "ru" ? 1 : 0]}`).join(" "),
      ...(status === 429 ? { headers: { "Retry-After": { description: locale === "ru" ? "Через сколько секунд повторить." : "Seconds to wait before trying again.", schema: { type: "integer" } } } } : {}),
      content: {
        "application/json": {
          schema: { allOf: [{ $ref: "#/components/schemas/Error" }, { type: "object", properties: { error: { type: "object", properties: { code: { type: "string", enum: ofStatus } } } } }] },
        },
      },
    };
  }
  return responses;
}

const uploadResultSchema: Json = {
  type: "object",
  required: ["accepted", "rejected"],
  properties: {
    accepted: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "avatarId", "url", "thumbnailUrl", "width", "height", "sizeBytes", "createdAt"],
        properties: {
          id: { type: "integer" },
          avatarId: { type: "integer" },
          url: { type: ["string", "null"] },
          thumbnailUrl: { type: ["string", "null"] },
          width: { type: "integer" },
          height: { type: "integer" },
          sizeBytes: { type: "integer" },
          createdAt: { type: "string", format: "date-time" },
        },
      },
    },
    rejected: {
      type: "array",
      items: { type: "object", required: ["name", "reason", "messageKey"], properties: { name: { type: "string" }, reason: { type: "string" }, messageKey: { type: "string" } } },
      description: "Files refused one by one, with the reason in the caller's language; the others are kept.",
      "x-description-ru": "Файлы, отклонённые по одному, с причиной на языке запроса; остальные сохранены.",
    },
  },
};

function uploadOperation(locale: Locale): Operation {
  const ru = locale === "ru";
  return {
    operationId: "references-upload",
    tags: ["Selfies"],
    summary: ru ? "Загрузить селфи" : "Upload selfies",
    description: ru
      ? "Селфи аватара в `multipart/form-data`, файлы в поле `files` (JPEG, PNG, WebP, AVIF; до 15 МБ каждый; до 20 на аватар, нужно 5 для генерации). Ответ — по каждому файлу: принятые и отклонённые с причиной. Тот же файл ещё раз отвечает уже сохранённым селфи, ничего не добавляя, так что повтор безопасен. Тот же путь есть вне `/api/v1`: `POST /uploads/avatars/{avatarId}/references`."
      : "An avatar's selfies as `multipart/form-data`, the files in the field `files` (JPEG, PNG, WebP, AVIF; up to 15 MB each; up to 20 per avatar, 5 needed to generate). The answer is per file: accepted, and refused with the reason. The same file again answers the selfie already stored and adds nothing, so a retry is safe. The same route lives outside `/api/v1` too: `POST /uploads/avatars/{avatarId}/references`.",
    security: [{ bearer: [] }],
    parameters: [{ in: "path", name: "avatarId", required: true, schema: { type: "integer", minimum: 1 } }],
    requestBody: {
      required: true,
      content: { "multipart/form-data": { schema: { type: "object", required: ["files"], properties: { files: { type: "array", items: { type: "string", format: "binary" } } } } } },
    },
    responses: { "200": { description: ru ? "Что стало с каждым файлом." : "What became of each file.", content: { "application/json": { schema: { $ref: "#/components/schemas/UploadResult" } } } } },
  };
}

/** An example value for a JSON schema, for the code samples. */
function exampleOf(name: string, schema: Json | undefined): unknown {
  if (!schema) return 1;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "integer" || type === "number") return name === "limit" ? 20 : 1;
  if (type === "boolean") return true;
  if (schema.format === "uuid") return "0f8fad5b-d9cb-469f-a165-70867728950e";
  if (schema.format === "email") return "you@example.com";
  if (type === "string") return name === "name" ? "Holiday" : "…";
  return undefined;
}

/** The same call through @pinglass/client, with the required fields filled in. */
function typescriptSample(path: string, type: string, operation: Operation, origin: string): string {
  const input: Record<string, unknown> = {};
  for (const parameter of operation.parameters ?? []) if (parameter.required) input[String(parameter.name)] = exampleOf(String(parameter.name), parameter.schema as Json);
  const body = (operation.requestBody?.content as Record<string, { schema?: Json }> | undefined)?.["application/json"]?.schema;
  const required = new Set((body?.required as string[] | undefined) ?? []);
  // The receipt e-mail is optional in the schema but needed to pay by card.
  for (const [name, schema] of Object.entries((body?.properties as Record<string, Json> | undefined) ?? {})) if (required.has(name) || name === "email") input[name] = exampleOf(name, schema);
  const argument = Object.keys(input).length > 0 ? JSON.stringify(input).replace(/"(\w+)":/g, "$1: ").replace(/,/g, ", ").replace(/^\{/, "{ ").replace(/\}$/, " }") : "";
  const call = `${path}.${type === "query" ? "query" : "mutate"}(${argument})`;
  const access = procedureAccess[path as keyof typeof procedureAccess];
  const credentials = access === "open" ? "" : access === "session" ? ", token: process.env.PINGLASS_TOKEN" : ", apiKey: process.env.PINGLASS_API_KEY";
  return [
    'import { createPinglassClient } from "@pinglass/client";',
    "",
    `const pinglass = createPinglassClient({ baseUrl: "${origin}"${credentials} });`,
    `const answer = await pinglass.${call};`,
  ].join("\n");
}

/** The Russian document takes each `x-description-ru` as its description; both lose the extension. */
function localise(value: unknown, locale: Locale): unknown {
  if (Array.isArray(value)) return value.map((item) => localise(item, locale));
  if (value === null || typeof value !== "object") return value;
  const out: Json = {};
  for (const [key, item] of Object.entries(value)) if (key !== "x-description-ru") out[key] = localise(item, locale);
  const russian = (value as Json)["x-description-ru"];
  if (locale === "ru" && typeof russian === "string") out.description = russian;
  return out;
}
