import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
// @ts-expect-error plain JavaScript module (it also runs in worker threads), typed by its use here
import { humanPaths } from "./engine.mjs";
import type { FaceAnalysis } from "./faces.ts";

/** The analyser is missing its models or runtime: a deployment problem, not the user's picture. */
export class FaceModelsUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FaceModelsUnavailableError";
  }
}

/** More analyses are waiting than the queue holds: try again in a moment. */
export class FaceAnalyzerBusyError extends Error {
  constructor(queued: number) {
    super(`face analysis: ${queued} images are already waiting`);
    this.name = "FaceAnalyzerBusyError";
  }
}

/** The bytes are not an image the analyser can decode. */
export class UnreadableImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnreadableImageError";
  }
}

export interface FaceAnalyzer {
  /** The faces of one image (JPEG, PNG, WebP, AVIF bytes), biggest first. */
  analyse(image: Uint8Array): Promise<FaceAnalysis>;
  /** Human's detection alone on raw RGB pixels, timed inside the worker (the benchmark's yardstick). */
  detectOnly(rgb: Uint8Array, width: number, height: number): Promise<{ faces: number; ms: number }>;
  /** Stops the worker threads; analyses still waiting are refused. */
  close(): Promise<void>;
}

export interface FaceAnalyzerOptions {
  /** Worker threads, each with its own copy of the models (about 150 MB each). */
  poolSize?: number;
  /** Analyses allowed to wait for a free worker; one more is refused with FaceAnalyzerBusyError. */
  maxQueue?: number;
  /** Where the models are, when not in @vladmandic/human's package (tests of a broken install). */
  modelsDir?: string;
}

interface HumanPaths {
  bundle: string;
  models: string;
  wasm: string;
}

const pathsFor = (modelsDir?: string): HumanPaths => ({ ...(humanPaths() as HumanPaths), ...(modelsDir ? { models: modelsDir } : {}) });

/**
 * Checks that Human's bundle, the three face models and the wasm binaries are where the workers
 * will look, so a broken install stops the server at start with a message saying what is missing,
 * rather than on the first selfie. The models themselves load lazily, in the workers.
 */
export function checkFaceModels(modelsDir?: string): void {
  const paths = pathsFor(modelsDir);
  const files = [paths.bundle, ...["blazeface", "facemesh", "faceres"].flatMap((m) => [join(paths.models, `${m}.json`), join(paths.models, `${m}.bin`)]), join(paths.wasm, "tfjs-backend-wasm-simd.wasm"), join(paths.wasm, "tfjs-backend-wasm.wasm")];
  for (const file of files) {
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new FaceModelsUnavailableError(`face analysis: ${file} is missing (it ships in @vladmandic/human / @tensorflow/tfjs-backend-wasm; reinstall the dependencies)`);
    }
  }
}

interface Job {
  message: { bytes: ArrayBuffer } | { detectOnly: { rgb: ArrayBuffer; width: number; height: number } };
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  /** Settles when the worker's models are loaded (or could not be). */
  ready: Promise<void>;
  /** The job the worker is on; one at a time. */
  job: Job | null;
  send(job: Job): void;
}

const workerUrl = new URL("./worker.mjs", import.meta.url);

/**
 * A small pool of worker threads running Human on the wasm backend, started on the first analysis
 * (the models load once per worker), so the event loop that answers HTTP never runs a model. Jobs
 * wait in a bounded queue; a worker that dies is replaced on the next job, and the job it held is
 * refused.
 */
export function createFaceAnalyzer(options: FaceAnalyzerOptions = {}): FaceAnalyzer {
  const poolSize = Math.max(1, options.poolSize ?? 1);
  const maxQueue = options.maxQueue ?? 64;
  const paths = pathsFor(options.modelsDir);
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let fatal: FaceModelsUnavailableError | null = null;
  let closed = false;

  function start(): Slot {
    const worker = new Worker(workerUrl, { workerData: { paths } });
    const pending = new Map<number, Job>();
    const slot: Slot = {
      worker,
      job: null,
      ready: Promise.resolve(),
      send(job) {
        const id = nextId++;
        pending.set(id, job);
        const transfer = "bytes" in job.message ? [job.message.bytes] : [job.message.detectOnly.rgb];
        worker.postMessage({ id, ...job.message }, transfer);
      },
    };
    slot.ready = new Promise<void>((resolve, reject) => {
      worker.on("message", (message: { ready?: true; fatal?: string; id?: number; result?: unknown; error?: string }) => {
        if (message.ready) return resolve();
        if (message.fatal) {
          fatal = new FaceModelsUnavailableError(message.fatal);
          reject(fatal);
          return;
        }
        const job = pending.get(message.id!);
        if (!job) return;
        pending.delete(message.id!);
        slot.job = null;
        worker.unref();
        if (message.error !== undefined) job.reject(new UnreadableImageError(message.error));
        else job.resolve(message.result);
        pump();
      });
      worker.on("error", (error) => reject(new FaceModelsUnavailableError(`face analysis worker failed: ${error.message}`)));
      worker.on("exit", () => {
        const index = slots.indexOf(slot);
        if (index >= 0) slots.splice(index, 1);
        for (const job of pending.values()) job.reject(new Error("face analysis worker stopped during an analysis"));
        pending.clear();
        reject(new FaceModelsUnavailableError("face analysis worker stopped while loading"));
        if (!closed) pump();
      });
    });
    worker.unref();
    slots.push(slot);
    return slot;
  }

  function pump() {
    while (queue.length > 0 && !closed) {
      if (fatal) {
        for (const job of queue.splice(0)) job.reject(fatal);
        return;
      }
      let slot = slots.find((s) => s.job === null);
      if (!slot && slots.length < poolSize) slot = start();
      if (!slot) return;
      const job = queue.shift()!;
      slot.job = job;
      // A worker with work keeps the process alive (also while its models load); an idle one does not.
      slot.worker.ref();
      const chosen = slot;
      chosen.ready.then(
        () => chosen.send(job),
        (error: Error) => {
          chosen.job = null;
          chosen.worker.unref();
          job.reject(error);
          void chosen.worker.terminate();
        },
      );
    }
  }

  function submit<T>(message: Job["message"]): Promise<T> {
    if (closed) return Promise.reject(new Error("the face analyser is closed"));
    if (fatal) return Promise.reject(fatal);
    if (queue.length >= maxQueue) return Promise.reject(new FaceAnalyzerBusyError(queue.length));
    return new Promise<T>((resolve, reject) => {
      queue.push({ message, resolve: resolve as (value: unknown) => void, reject });
      pump();
    });
  }

  /** A copy the worker can own: the caller's buffer may be a view into a larger pool (Node's Buffer). */
  const transferable = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;

  return {
    analyse: (image) => submit<FaceAnalysis>({ bytes: transferable(image) }),
    detectOnly: (rgb, width, height) => submit({ detectOnly: { rgb: transferable(rgb), width, height } }),
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error("the face analyser is closed"));
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
