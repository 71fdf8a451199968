import { getEventListeners } from "node:events";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { startLoops } from "./background.ts";

describe("background loops", () => {
  it("tick again and again without piling up abort listeners, keep going after a failure, and stop at once", async () => {
    const listeners: number[] = [];
    let ticks = 0;
    const loops = startLoops(
      [
        {
          name: "counting",
          intervalMs: 1,
          tick: async (signal) => {
            listeners.push(getEventListeners(signal, "abort").length);
            if (++ticks === 3) throw new Error("a bad tick");
          },
        },
        { name: "slow", intervalMs: 60_000, tick: async () => {} },
      ],
      pino({ level: "silent" }),
    );
    while (ticks < 40) await new Promise((resolve) => setTimeout(resolve, 5));
    const stopping = performance.now();
    await loops.stop();
    expect(performance.now() - stopping).toBeLessThan(1000);
    // Only the slow loop's one sleep may be waiting on the signal while the counting loop ticks.
    expect(Math.max(...listeners)).toBeLessThanOrEqual(1);
  });
});
