import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { serializePlainData, transformer } from "./transformer.ts";

/** A deterministic source of varied plain data, so every run checks the same thousand values. */
function randomPlainData(seed: number) {
  let state = seed;
  const next = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const keys = ["id", "createdAt", "a.b", "back\\slash", "0", "", "имя", "x.y.z", "with space"];
  const leaf = (): unknown =>
    [
      () => Math.floor(next() * 1000) - 500,
      () => next() * 10,
      () => [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0][Math.floor(next() * 4)],
      () => `s${Math.floor(next() * 100)}`,
      () => next() > 0.5,
      () => null,
      () => undefined,
      () => new Date(Math.floor(next() * 2e12)),
      () => BigInt(Math.floor(next() * 1e9)) * 1_000_000_007n,
    ][Math.floor(next() * 9)]!();
  const value = (depth: number): unknown => {
    const roll = next();
    if (depth > 3 || roll < 0.5) return leaf();
    if (roll < 0.75) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    const object: Record<string, unknown> = next() > 0.9 ? Object.create(null) : {};
    for (let i = Math.floor(next() * 5); i > 0; i--) object[keys[Math.floor(next() * keys.length)]!] = value(depth + 1);
    return object;
  };
  return () => (next() > 0.3 ? { root: value(0), list: [value(1), value(1)] } : [value(0)]);
}

describe("the API's serializer", () => {
  it("writes exactly what superjson writes for plain data", () => {
    const generate = randomPlainData(20261202);
    let written = 0;
    for (let i = 0; i < 1000; i++) {
      const value = generate();
      const ours = serializePlainData(value);
      if (ours) written++;
      expect(ours ?? transformer.serialize(value), JSON.stringify(superjson.serialize(value))).toEqual(superjson.serialize(value));
    }
    // Most of the corpus is written by our serializer (a second NaN goes to superjson: it records NaN like an object).
    expect(written).toBeGreaterThan(800);
  });

  it("reads back, through superjson on the client, what the procedures return", () => {
    const page = {
      items: [{ id: 7, createdAt: new Date("2026-12-02T10:00:00Z"), imageUrl: "/media/a.jpg?sig=1", prompt: "Альпы. Портрет", telegramUserId: 5_000_000_000n, error: undefined }],
      nextCursor: null,
    };
    const wire = JSON.parse(JSON.stringify(transformer.serialize(page)));
    expect(superjson.deserialize(wire)).toEqual(page);
  });

  it("hands to superjson what is not plain data, so the answer is still superjson's", () => {
    const shared = { at: new Date(0) };
    const sharedDate = new Date(1);
    class Point {
      constructor(public x: number) {}
    }
    for (const value of [
      { twice: shared, again: shared },
      { a: sharedDate, b: sharedDate },
      { set: new Set([1]) },
      { map: new Map([["k", 1]]) },
      { point: new Point(1) },
      { bad: new Date(Number.NaN) },
      { re: /x/ },
      new Date(0),
      "text",
      42,
      undefined,
    ]) {
      expect(serializePlainData(value)).toBeNull();
      expect(transformer.serialize(value)).toEqual(superjson.serialize(value));
    }
    expect(() => transformer.serialize(JSON.parse('{"__proto__":{"polluted":true}}'))).toThrow(/prototype pollution/);
  });
});
