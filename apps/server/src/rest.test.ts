import { brotliDecompressSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { proceduresWithoutRestMeta } from "@pinglass/api";
import { rowsOf } from "@pinglass/db";
import { photoJpeg } from "@pinglass/media/testing";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { buildLimits } from "./rate-limits.ts";
import { startTestServer, type TestApi } from "./testing.ts";

let api: TestApi;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => void ({ api, base, close } = await startTestServer()));
afterAll(() => close());

const count = async (table: string) => Number(rowsOf<{ n: number | string }>(await api.testDb.db.execute(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

/** A call of /api/v1 with JSON in and out. */
async function rest(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      "accept-language": "en",
      ...options.headers,
    },
    body: options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

interface ErrorBody {
  code: string;
  messageKey: string;
  message: string;
  fieldErrors?: Record<string, string>;
}
const errorOf = (answer: Awaited<ReturnType<typeof rest>>) => (answer.json as { error: ErrorBody }).error;

/** The parts of the OpenAPI document the tests read. */
interface Operation {
  operationId: string;
  summary?: string;
  tags?: string[];
  security?: unknown;
  parameters?: { name: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema: { allOf: [{ $ref: string }, { properties: { error: { properties: { code: { enum: string[] } } } } }] } }> }>;
  "x-codeSamples"?: { lang: string; source: string }[];
}
interface OpenApi {
  info: { description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: { Error: { properties: { error: { properties: { messageKey: { enum: string[]; "x-enumDescriptions": Record<string, string> } } } } } } };
}

describe("the REST API (/api/v1)", () => {
  it("serves the procedures at their methods and paths: a session, an avatar, selfies, photos, payments", async () => {
    const session = await rest("POST", "/sessions", { body: { deviceId: crypto.randomUUID() } });
    expect(session.status).toBe(200);
    expect(session.json).toMatchObject({ token: expect.any(String), userId: expect.any(Number), expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
    const token = session.json!.token as string;

    const created = await rest("POST", "/avatars", { token, body: { name: "REST" } });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ name: "REST", status: "draft", photoCount: 0 });
    const avatarId = created.json!.id as number;
    expect((await rest("GET", "/avatars", { token })).json).toMatchObject({ items: [{ id: avatarId }], nextCursor: null });
    expect((await rest("GET", `/avatars/${avatarId}`, { token })).json).toMatchObject({ id: avatarId, name: "REST" });
    expect((await rest("PATCH", `/avatars/${avatarId}`, { token, body: { name: "Renamed" } })).json).toMatchObject({ id: avatarId, name: "Renamed" });

    // Selfies go up as multipart through the same route as the app's.
    const form = new FormData();
    form.append("files", new Blob([new Uint8Array(await photoJpeg(800, 1000))], { type: "image/jpeg" }), "me.jpg");
    const upload = await fetch(`${base}/api/v1/avatars/${avatarId}/references`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
    expect(upload.status).toBe(200);
    const uploaded = (await upload.json()) as { accepted: { id: number }[]; rejected: unknown[] };
    expect(uploaded.accepted).toHaveLength(1);
    expect((await rest("GET", `/avatars/${avatarId}/references`, { token })).json).toMatchObject([{ id: uploaded.accepted[0]!.id, avatarId }]);

    // A query's numbers come from the query string and the path.
    expect((await rest("GET", `/photos?avatarId=${avatarId}&limit=5`, { token })).json).toEqual({ items: [], nextCursor: null });
    expect((await rest("GET", "/pricing")).json).toEqual(expect.arrayContaining([expect.objectContaining({ id: "starter", amountRub: "499.00" })]));
    const payment = await rest("POST", "/payments", { token, body: { tierId: "starter", email: "rest@example.com" } });
    expect(payment.status).toBe(200);
    expect(payment.json).toMatchObject({ method: "card", paymentId: expect.any(Number), paymentUrl: expect.any(String) });
    const paymentId = payment.json!.paymentId as number;
    expect((await rest("GET", `/payments/${paymentId}`, { token })).json).toMatchObject({ paymentId, status: "pending" });

    expect((await rest("DELETE", `/avatars/${avatarId}`, { token })).json).toEqual({ deleted: true });
    expect(await count("avatars")).toBe(0);
  });

  it("refuses a wrong input with 400 naming each field in the caller's language, and does nothing", async () => {
    const { token } = await api.signIn();
    const before = await count("avatars");
    const unknown = await rest("POST", "/avatars", { token, body: { nam: "x" } });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({
      error: { code: "BAD_REQUEST", messageKey: "errors.input.unknownField", message: "Unknown field “nam”.", fieldErrors: { nam: "Unknown field “nam”." } },
    });
    const russian = await rest("POST", "/avatars", { token, body: { nam: "x" }, headers: { "accept-language": "ru" } });
    expect(errorOf(russian).message).toBe("Неизвестное поле «nam».");
    expect(await count("avatars")).toBe(before);

    const notANumber = await rest("GET", "/photos?avatarId=abc", { token });
    expect(notANumber.status).toBe(400);
    expect(errorOf(notANumber).fieldErrors).toEqual({ avatarId: "The field “avatarId” has an invalid value." });
    expect(errorOf(await rest("GET", "/photos?avatarId=2147483647", { token }))).toMatchObject({ code: "NOT_FOUND", messageKey: "errors.avatar.notFound" });
    expect(errorOf(await rest("GET", "/photos?avatarid=1", { token })).fieldErrors).toEqual({ avatarid: "Unknown field “avatarid”." });
    expect(errorOf(await rest("PATCH", "/avatars/1", { token, body: {} })).fieldErrors).toEqual({ name: "The field “name” is missing." });

    // The query string's "13" is read as 13 here, and nowhere else: /trpc still refuses a string for a number.
    const trpc = await fetch(`${base}/trpc/photos.list?input=${encodeURIComponent(JSON.stringify({ avatarId: "13" }))}`, { headers: { authorization: `Bearer ${token}` } });
    expect(trpc.status).toBe(400);
  });

  it("answers every other mistake with its status and the same error shape, never a stack trace", async () => {
    const { token } = await api.signIn();
    const cases: [string, Awaited<ReturnType<typeof rest>>, number, string][] = [
      ["no session", await rest("GET", "/avatars"), 401, "errors.unauthorized"],
      ["a body that is not JSON", await rest("POST", "/avatars", { token, body: "name=x", headers: { "content-type": "text/plain" } }), 415, "errors.rest.jsonOnly"],
      ["broken JSON", await rest("POST", "/avatars", { token, body: "{nope" }), 400, "errors.rest.invalidJson"],
      ["a JSON array", await rest("POST", "/avatars", { token, body: "[1]" }), 400, "errors.rest.notAnObject"],
      ["an unknown path", await rest("GET", "/nope", { token }), 404, "errors.notFound"],
      ["a method the path does not take", await rest("PUT", "/avatars", { token }), 405, "errors.methodNotAllowed"],
      ["a body over 1 MB", await rest("POST", "/avatars", { token, body: { name: "x".repeat(1_100_000) } }), 413, "errors.requestTooLarge"],
    ];
    for (const [name, answer, status, messageKey] of cases) {
      expect({ name, status: answer.status, type: answer.headers.get("content-type"), messageKey: errorOf(answer).messageKey }).toEqual({ name, status, type: "application/json; charset=utf-8", messageKey });
      expect(errorOf(answer).message).toEqual(expect.any(String));
      expect(answer.text).not.toContain("stack");
    }
    expect(cases[5]![1].headers.get("allow")).toBe("GET, POST");
    expect(errorOf(cases[6]![1]).message).toBe("The request is too large: at most 1024 KB.");
  });

  it("counts calls against the same rate limits as /trpc: 429 with Retry-After", async () => {
    const previous = api.deps.limits;
    api.deps.limits = buildLimits(loadConfig({ SESSION_SECRET: "x".repeat(32), RATE_LIMIT_SESSION_START_PER_IP: "1/60" }).limits, api.testDb.handle);
    try {
      expect((await rest("POST", "/sessions", { body: { deviceId: crypto.randomUUID() } })).status).toBe(200);
      const refused = await rest("POST", "/sessions", { body: { deviceId: crypto.randomUUID() } });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(errorOf(refused)).toMatchObject({ code: "TOO_MANY_REQUESTS", messageKey: "errors.tooManyRequests" });
      // The same IP's budget on /trpc is spent too.
      const viaTrpc = await fetch(`${base}/trpc/session.start`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ deviceId: crypto.randomUUID() }) });
      expect(viaTrpc.status).toBe(429);
    } finally {
      api.deps.limits = previous;
    }
  });
});

describe("the OpenAPI document (GET /api/openapi.json)", () => {
  const documentIn = async (lang: string) => (await (await fetch(`${base}/api/openapi.json?lang=${lang}`)).json()) as OpenApi;

  it("is an OpenAPI 3.1 document the validator accepts, in English and in Russian", async () => {
    for (const lang of ["en", "ru"]) {
      const validator = new Validator();
      const result = await validator.validate((await documentIn(lang)) as never);
      expect({ lang, ...result }).toEqual({ lang, valid: true });
      expect(validator.version).toBe("3.1");
    }
  });

  it("has every public query and mutation (none left out for want of meta) and the selfie upload", async () => {
    expect(proceduresWithoutRestMeta()).toEqual([]);
    const document = await documentIn("en");
    const operations = Object.values(document.paths).flatMap((byMethod) => Object.values(byMethod));
    expect(operations.map((o) => o.operationId)).toEqual(expect.arrayContaining(["avatars-list", "avatars-create", "photos-list", "payments-create", "session-start", "references-upload"]));
    expect(document.paths["/photos"]!.get!.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(["avatarId", "cursor", "limit"]));
    expect(Object.keys(document.paths["/avatars/{avatarId}/references"]!.post!.requestBody!.content)).toEqual(["multipart/form-data"]);
    expect(JSON.stringify(document)).not.toContain("x-description-ru");
  });

  it("describes every error answer (status, code, messageKey) and has a TypeScript example for every call (the page makes the curl one)", async () => {
    const document = await documentIn("en");
    const error = document.components.schemas.Error.properties.error;
    expect(error.properties.messageKey.enum).toEqual(expect.arrayContaining(["errors.avatar.notFound", "errors.input.unknownField", "errors.tooManyRequests"]));
    expect(error.properties.messageKey["x-enumDescriptions"]["errors.avatar.notFound"]).toBe("Avatar not found.");
    for (const [path, byMethod] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(byMethod)) {
        const name = `${method} ${path}`;
        const statuses = Object.keys(operation.responses);
        expect({ name, has500: statuses.includes("500"), has429: statuses.includes("429") }).toEqual({ name, has500: true, has429: true });
        for (const status of statuses.filter((s) => Number(s) >= 400)) {
          const schema = operation.responses[status]!.content!["application/json"]!.schema;
          expect({ name, status, ref: schema.allOf[0].$ref }).toEqual({ name, status, ref: "#/components/schemas/Error" });
          expect(schema.allOf[1].properties.error.properties.code.enum.length).toBeGreaterThan(0);
        }
        if (operation.security) expect({ name, statuses }).toEqual({ name, statuses: expect.arrayContaining(["401", "403"]) });
        if (operation.operationId !== "references-upload") {
          expect({ name, samples: operation["x-codeSamples"]?.map((s) => s.lang) }).toEqual({ name, samples: ["TypeScript"] });
          expect(operation["x-codeSamples"]![0]!.source).toContain("createPinglassClient");
        }
      }
    }
    expect(document.paths["/avatars/{avatarId}"]!.patch!["x-codeSamples"]![0]!.source).toContain('pinglass.avatars.rename.mutate({ avatarId: 1, name: "Holiday" })');
  });

  it("speaks Russian where the descriptions allow", async () => {
    const document = await documentIn("ru");
    expect(document.paths["/avatars"]!.get!.summary).toBe("Список аватаров");
    expect(document.paths["/avatars"]!.get!.tags).toEqual(["Аватары"]);
    expect(document.components.schemas.Error.properties.error.properties.messageKey["x-enumDescriptions"]["errors.avatar.notFound"]).toBe("Аватар не найден.");
    const russian = (await (await fetch(`${base}/api/openapi.json`, { headers: { "accept-language": "ru-RU" } })).json()) as OpenApi;
    expect(russian.info.description).toContain("PinGlass делает фотосет");
  });
});

describe("the reference page (/docs/api)", () => {
  it("renders the document with Scalar from our own origin, under the app's CSP, in the caller's language", async () => {
    const page = await fetch(`${base}/docs/api`, { headers: { "accept-language": "en" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-eval");
    const html = await page.text();
    expect(html).toContain('<script src="/docs/api/scalar.js"></script>');
    expect(html).toContain('data-url="/api/openapi.json?lang=en"');
    // Nothing from another origin: no CDN, no web fonts, no telemetry; and no inline script to allow.
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>[^<]/);
    expect(html).toContain("&quot;withDefaultFonts&quot;:false");
    expect(await (await fetch(`${base}/docs/api?lang=ru`)).text()).toContain('data-url="/api/openapi.json?lang=ru"');

    const bundle = await fetch(`${base}/docs/api/scalar.js`, { headers: { "accept-encoding": "br" } });
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const standalone = readFileSync(join(dirname(createRequire(import.meta.url).resolve("@scalar/api-reference")), "browser", "standalone.js"));
    const raw = await new Promise<Buffer>((resolve, reject) => {
      // fetch decodes brotli itself: read the bytes as sent with node's http client.
      import("node:http").then(({ get }) =>
        get(`${base}/docs/api/scalar.js`, { headers: { "accept-encoding": "br" } }, (response) => {
          expect(response.headers["content-encoding"]).toBe("br");
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk)).on("end", () => resolve(Buffer.concat(chunks)));
        }).on("error", reject),
      );
    });
    expect(raw.length).toBeLessThan(standalone.length / 3);
    expect(brotliDecompressSync(raw).equals(standalone)).toBe(true);
  });
});
