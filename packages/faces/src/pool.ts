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

/** More analyses are waiting than the queue holds, or this one waited longer than it may: try again in a moment. */
export class FaceAnalyzerBusyError extends Error {
  constructor(reason: string) {
    super(`face analysis: ${reason}`);
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
  /**
   * The faces of one image (JPEG, PNG, WebP, AVIF bytes), biggest first. With `maxWaitMs`, an
   * analysis that has not reached a worker by then is refused with FaceAnalyzerBusyError (someone
   * waiting on the answer would rather hear "busy" than wait on a queue).
   */
  analyse(image: Uint8Array, options?: { maxWaitMs?: number }): Promise<FaceAnalysis>;
  /**
   * How long an analysis asked for now would wait for a worker, from the queue ahead of it and
   * the recent analysis times: lets a caller refuse before doing its own work for nothing.
   */
  expectedWaitMs(): number;
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
  /** Refuses the job if it is still queued when it fires; cleared when a worker takes it. */
  waitTimer?: NodeJS.Timeout;
  /** When it went to its worker. */
  sentAt?: number;
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
  /** Recent time of one analysis in a worker (moving average), for expectedWaitMs. */
  let analysisMs = 0;
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
        job.sentAt = performance.now();
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
        const took = performance.now() - (job.sentAt ?? performance.now());
        analysisMs = analysisMs === 0 ? took : 0.8 * analysisMs + 0.2 * took;
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
      clearTimeout(job.waitTimer);
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

  function submit<T>(message: Job["message"], maxWaitMs?: number): Promise<T> {
    if (closed) return Promise.reject(new Error("the face analyser is closed"));
    if (fatal) return Promise.reject(fatal);
    if (queue.length >= maxQueue) return Promise.reject(new FaceAnalyzerBusyError(`${queue.length} images are already waiting`));
    if (maxWaitMs !== undefined && expectedWaitMs() > maxWaitMs) return Promise.reject(new FaceAnalyzerBusyError(`about ${Math.round(expectedWaitMs())} ms of analyses are ahead`));
    return new Promise<T>((resolve, reject) => {
      const job: Job = { message, resolve: resolve as (value: unknown) => void, reject };
      queue.push(job);
      pump();
      if (maxWaitMs !== undefined && queue.includes(job)) {
        job.waitTimer = setTimeout(() => {
          const index = queue.indexOf(job);
          if (index < 0) return;
          queue.splice(index, 1);
          reject(new FaceAnalyzerBusyError(`no worker was free within ${maxWaitMs} ms`));
        }, maxWaitMs);
        job.waitTimer.unref();
      }
    });
  }

  /** Every worker busy: the queue ahead, shared among the workers, each analysis taking about the recent time. */
  function expectedWaitMs(): number {
    const free = slots.filter((s) => s.job === null).length + (poolSize - slots.length);
    if (free > queue.length) return 0;
    return Math.ceil((queue.length + 1 - free) / poolSize) * analysisMs;
  }

  /** A copy the worker can own: the caller's buffer may be a view into a larger pool (Node's Buffer). */
  const transferable = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;

  return {
    analyse: (image, options) => submit<FaceAnalysis>({ bytes: transferable(image) }, options?.maxWaitMs),
    expectedWaitMs,
    detectOnly: (rgb, width, height) => submit({ detectOnly: { rgb: transferable(rgb), width, height } }),
    async close() {
      closed = true;
      for (const job of queue.splice(0)) {
        clearTimeout(job.waitTimer);
        job.reject(new Error("the face analyser is closed"));
      }
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
