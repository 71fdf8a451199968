import { describe, expect, it } from "vitest";
import en from "./en.json";
import ru from "./ru.json";

/** Every key of a nested catalogue, with plural suffixes folded (Russian has _few/_many where English has none). */
function keysOf(catalogue: object, prefix = ""): Set<string> {
  const keys = new Set<string>();
  for (const [name, value] of Object.entries(catalogue)) {
    const key = `${prefix}${name}`;
    if (value && typeof value === "object") for (const inner of keysOf(value, `${key}.`)) keys.add(inner);
    else keys.add(key.replace(/_(zero|one|two|few|many|other)$/, ""));
  }
  return keys;
}

describe("the web app's catalogues", () => {
  // The compiler checks every t() key against ru.json (src/i18n/i18next.d.ts); this keeps en.json in step with it.
  it("have the same keys in Russian and English", () => {
    expect([...keysOf(en)].sort()).toEqual([...keysOf(ru)].sort());
  });
});
