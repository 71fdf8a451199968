import { describe, expect, it } from "vitest";
import { groupCommit } from "./group-commit.ts";

describe("groupCommit", () => {
  it("writes items that arrive together, or while a write runs, in one write each, up to the batch size", async () => {
    const writes: number[][] = [];
    let finishFirst!: () => void;
    const firstWrite = new Promise<void>((resolve) => (finishFirst = resolve));
    const write = groupCommit<number>(
      async (items) => {
        writes.push(items);
        if (writes.length === 1) await firstWrite;
      },
      { maxBatch: 3 },
    );
    const first = [write(1), write(2)];
    await new Promise((resolve) => setImmediate(resolve));
    const later = [write(3), write(4), write(5), write(6)];
    finishFirst();
    await Promise.all([...first, ...later]);
    expect(writes).toEqual([[1, 2], [3, 4, 5], [6]]);
  });

  it("writes a failed batch's items one by one: the bad one fails alone", async () => {
    const written: number[] = [];
    const write = groupCommit<number>(
      async (items) => {
        if (items.includes(13)) throw new Error(`cannot write ${items.join(",")}`);
        written.push(...items);
      },
      { maxBatch: 10 },
    );
    const results = await Promise.allSettled([write(12), write(13), write(14)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error("cannot write 13"));
    expect(written).toEqual([12, 14]);
  });
});
