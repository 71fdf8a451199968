import type { ErrorCode } from "@pinglass/core";
import type { OpenApiMeta, OpenApiMethod } from "trpc-to-openapi";

/** The groups of the REST API, in the order the reference page shows them. */
export const restTags = {
  Session: "Сессия",
  Account: "Аккаунт",
  Avatars: "Аватары",
  Selfies: "Селфи",
  Generation: "Генерация",
  Photos: "Фото",
  Catalogue: "Каталог",
  Payments: "Платежи",
} as const;
export type RestTag = keyof typeof restTags;

/** What a procedure's meta says beyond trpc-to-openapi's `openapi`: its Russian texts and the failures it may answer with. */
export interface DocsMeta {
  /** The summary and description in Russian (the English ones are in `openapi`). */
  ru?: { summary: string; description?: string };
  /** Failures of the procedure's own (not found, conflicts…), besides those every call may meet (bad input, auth, limits). */
  errors?: ErrorCode[];
  /**
   * The procedure's one statement reads the caller's user row and refuses the call when it is gone
   * (a deleted or merged-away account), so authedProcedure leaves out its own live-user check: one
   * round trip instead of two.
   */
  readsCallerRow?: boolean;
}

export type ProcedureMeta = OpenApiMeta<DocsMeta>;

interface RestDoc {
  tag: RestTag;
  /** English, then Russian. */
  summary: readonly [string, string];
  description?: readonly [string, string];
  errors?: ErrorCode[];
  /** Open to anyone: no Authorization needed. */
  open?: boolean;
}

/**
 * A procedure's place in the REST API (/api/v1) and its reference text. Every query and mutation
 * has one: trpc-to-openapi silently leaves out a procedure without it (a test checks).
 */
export function rest(method: OpenApiMethod, path: `/${string}`, doc: RestDoc): ProcedureMeta {
  return {
    // Error answers are described by openapi.ts (status, code and messageKey), not trpc-to-openapi's defaults.
    openapi: { method, path, tags: [doc.tag], summary: doc.summary[0], description: doc.description?.[0], protect: !doc.open, errorResponses: [] },
    ru: { summary: doc.summary[1], description: doc.description?.[1] },
    errors: doc.errors,
  };
}
