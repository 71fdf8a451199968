/**
 * One face-analysis worker thread: loads Human and its models once, then answers analyses one at
 * a time. Messages in: { id, bytes } (an ArrayBuffer, transferred) or { id, detectOnly: { rgb,
 * width, height } } for the benchmark. Out: { ready } or { fatal } once, then { id, result } or
 * { id, error } per message.
 */
import { setPriority } from "node:os";
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { analyseBytes } from "./analyse.mjs";
import { loadHuman } from "./engine.mjs";

// Analyses yield the CPU to the thread that answers HTTP: on Linux a thread's nice value is its
// own, so this lowers this worker alone. Lowering is always allowed; where it is not supported it is skipped.
try {
  setPriority(5);
} catch {
  // not supported on this system: the analyses run at normal priority
}

let engine;
try {
  engine = await loadHuman(workerData?.paths ?? undefined);
  parentPort.postMessage({ ready: true });
} catch (error) {
  parentPort.postMessage({ fatal: error instanceof Error ? error.message : String(error) });
}

parentPort.on("message", async (message) => {
  if (!engine) return;
  try {
    if (message.detectOnly) {
      const { rgb, width, height } = message.detectOnly;
      const started = performance.now();
      const result = await engine.detect(new Uint8Array(rgb), width, height);
      parentPort.postMessage({ id: message.id, result: { faces: result.face.length, ms: performance.now() - started } });
      return;
    }
    const result = await analyseBytes(engine, Buffer.from(message.bytes));
    parentPort.postMessage({ id: message.id, result: { ...result, tensorBytes: engine.tensorBytes() } });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
