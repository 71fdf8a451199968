import { describe, expect, it } from "vitest";
import { inPhotosetOrder } from "./photoOrder.ts";

describe("the order of photos", () => {
  it("keeps the newest photoset first and each photoset in the order it was made", () => {
    // As photos.list pages them: newest first across two photosets.
    const newestFirst = [
      { id: 9, jobId: 2 },
      { id: 8, jobId: 2 },
      { id: 7, jobId: 2 },
      { id: 3, jobId: 1 },
      { id: 2, jobId: 1 },
    ];
    expect(inPhotosetOrder(newestFirst).map((p) => p.id)).toEqual([7, 8, 9, 2, 3]);
  });

  it("keeps photos of no photoset together, where the server put the first of them", () => {
    expect(inPhotosetOrder([{ id: 5, jobId: 1 }, { id: 4, jobId: null }, { id: 1, jobId: 1 }, { id: 2, jobId: null }]).map((p) => p.id)).toEqual([1, 5, 2, 4]);
  });
});
