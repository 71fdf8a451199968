import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { sleep } from "./sleep.ts";

describe("sleep", () => {
  it("leaves no abort listener behind, however many times it sleeps on one signal", async () => {
    const controller = new AbortController();
    for (let i = 0; i < 1000; i++) await sleep(0, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("wakes when the signal aborts, and removes its listener then too", async () => {
    const controller = new AbortController();
    const sleeping = sleep(3_600_000, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort();
    await sleeping;
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    // An aborted signal does not wait at all.
    await sleep(3_600_000, controller.signal);
  });
});
