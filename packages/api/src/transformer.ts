import type { DataTransformer } from "@trpc/server";
import superjson from "superjson";

/**
 * The wire format is superjson's, on both sides. Answers are written by a serializer for plain
 * data (objects, arrays, strings, numbers, booleans, null, Date, bigint, undefined): on a page of
 * photos it takes a third of superjson's time, which `pnpm bench` counts on every request. Its
 * output equals superjson.serialize's (tested on a corpus); anything else (Map, Set, class
 * instances, an object met twice, an invalid Date…) is handed to superjson itself.
 */
export const transformer: DataTransformer = {
  serialize: (value: unknown) => serializePlainData(value) ?? superjson.serialize(value),
  deserialize: (value) => superjson.deserialize(value as Parameters<typeof superjson.deserialize>[0]),
};

type Annotations = Record<string, [string]>;

/** Null when the value is not plain data (superjson then serializes it). */
export function serializePlainData(value: unknown): { json: unknown; meta?: { values: Annotations; v: 1 } } | null {
  if (typeof value !== "object" || value === null || !(Array.isArray(value) || isPlainObject(value))) return null;
  const annotations: Annotations = {};
  try {
    const json = encode(value, "", annotations, new Set());
    return Object.keys(annotations).length > 0 ? { json, meta: { values: annotations, v: 1 } } : { json };
  } catch (error) {
    if (error === notPlain) return null;
    throw error;
  }
}

const notPlain = Symbol("not plain data");

const isPlainObject = (value: object) => {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** superjson's path syntax: keys joined by dots, with dots and backslashes in a key escaped. */
const escapeKey = (key: string) => (key.includes("\\") || key.includes(".") ? key.replace(/\\/g, "\\\\").replace(/\./g, "\\.") : key);

function encode(value: unknown, path: string, annotations: Annotations, seen: Set<unknown>): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      // superjson tracks NaN like an object (a second one becomes a referential equality).
      if (Number.isNaN(value)) {
        if (seen.has(value)) throw notPlain;
        seen.add(value);
      }
      annotations[path] = ["number"];
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      annotations[path] = ["bigint"];
      return value.toString();
    case "undefined":
      annotations[path] = ["undefined"];
      return null;
    case "object": {
      if (value === null) return null;
      // superjson records objects met twice as referential equalities: left to it.
      if (seen.has(value)) throw notPlain;
      seen.add(value);
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw notPlain;
        annotations[path] = ["Date"];
        return value.toISOString();
      }
      const prefix = path === "" ? "" : `${path}.`;
      if (Array.isArray(value)) {
        // Like superjson: holes stay unvisited, so trailing ones are not kept.
        const out: unknown[] = [];
        for (const [index, item] of Object.entries(value)) out[Number(index)] = encode(item, prefix + index, annotations, seen);
        return out;
      }
      if (!isPlainObject(value)) throw notPlain;
      const out: Record<string, unknown> = {};
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        // superjson refuses these (prototype pollution): its own error is the answer.
        if (key === "__proto__" || key === "constructor" || key === "prototype") throw notPlain;
        out[key] = encode((value as Record<string, unknown>)[key], prefix + escapeKey(key), annotations, seen);
      }
      return out;
    }
    default:
      throw notPlain;
  }
}
