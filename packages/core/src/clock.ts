/**
 * Time is a dependency so tests can move it: every timestamp that is stored or compared with stored
 * ones comes from a Clock. Only in-process intervals (the worker's lease renewal timer) read Date.now().
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock for tests: starts at a fixed instant and only moves when told. */
export function manualClock(start = new Date("2026-01-01T00:00:00Z")) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
    set(date: Date) {
      current = date.getTime();
    },
  };
}
