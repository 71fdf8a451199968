import { describe, expect, it } from "vitest";
import { currentRequestId, withRequestId } from "./request-context.ts";

describe("the request context", () => {
  it("follows a request through awaits and timers, and keeps concurrent requests apart", async () => {
    const seen = await Promise.all(
      ["req-a", "req-b"].map((id) =>
        withRequestId(id, async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return [currentRequestId(), await Promise.resolve().then(currentRequestId)];
        }),
      ),
    );
    expect(seen).toEqual([
      ["req-a", "req-a"],
      ["req-b", "req-b"],
    ]);
    expect(currentRequestId()).toBeNull();
  });

  it("runs work of no request outside the one around it", () => {
    expect(withRequestId("outer", () => withRequestId(null, currentRequestId))).toBeNull();
  });
});
