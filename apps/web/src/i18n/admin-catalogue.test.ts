import { describe, expect, it } from "vitest";
import en from "./admin.en.json";
import ru from "./admin.ru.json";

/** Every text of a nested catalogue by its path. */
const textsOf = (catalogue: object, prefix = ""): [string, unknown][] =>
  Object.entries(catalogue).flatMap(([name, value]) => (value && typeof value === "object" ? textsOf(value as object, `${prefix}${name}/`) : [[`${prefix}${name}`, value] as [string, unknown]]));

describe("the operators' console's catalogues", () => {
  // The compiler checks every t() key against admin.ru.json (src/i18n/i18next.d.ts); this keeps admin.en.json in step with it.
  it("have the same keys in Russian and English, none of them empty", () => {
    expect(textsOf(en).map(([key]) => key).sort()).toEqual(textsOf(ru).map(([key]) => key).sort());
    const empty = [...textsOf(en), ...textsOf(ru)].filter(([, text]) => typeof text !== "string" || text.trim() === "");
    expect(empty).toEqual([]);
  });
});
