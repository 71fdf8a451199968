import { type Clock, defaultLocale, sleep, translate } from "@pinglass/core";
import { type Db, generationJobs, referencePhotos, renewLease } from "@pinglass/db";
import { type FaceAnalyzer, identityOf, type PortraitVerdict, portraitVerdict, referenceQuality, UnreadableImageError } from "@pinglass/faces";
import { type MediaStorage, saveGeneratedImage } from "@pinglass/media";
import { asc, eq } from "drizzle-orm";
import { type ImageProvider, type ImageRequest, type ProviderOutcome, ProviderError, type SubmitResult } from "./providers/types.ts";
import { groupCommit } from "./group-commit.ts";
import { claimSlots, claimTask, failSlot, type FinishedSlot, finishSlots, type JobFinishHook, markSubmitted, type PhotosCreatedHook, markWaiting, renderAgain, scheduleRetry, type Slot, slotQueue } from "./slots.ts";
import { type Job, roundsBefore, seedFor } from "./start.ts";

export interface WorkerOptions {
  /** Slots of one job in flight at once. */
  perJobConcurrency: number;
  /** How long a claimed slot stays this worker's without a renewal; a crashed worker's come back after it. */
  leaseMs: number;
  /** When to look at a remote task again if its callback has not come (the lost-callback fallback). */
  pollMs: number;
  /** Attempts before a slot fails for good; between them, the queue's one backoff (retryDelayMs of @pinglass/db). */
  maxAttempts: number;
  /** Longest wait for one provider call. */
  callTimeoutMs: number;
  /** Lifetime of the signed reference URLs handed to remote providers. */
  referenceUrlTtlSeconds: number;
  /** The likeness gate (LIKENESS_GATE): every render is analysed before it becomes a photo (needs deps.faces). */
  likenessGate: boolean;
  /** Renders of one slot the gate may refuse and have made again (LIKENESS_RETRIES); one more and the slot fails. */
  likenessRetries: number;
}

export const defaultWorkerOptions: WorkerOptions = {
  perJobConcurrency: 4,
  leaseMs: 60_000,
  pollMs: 20_000,
  maxAttempts: 4,
  callTimeoutMs: 120_000,
  referenceUrlTtlSeconds: 3600,
  likenessGate: true,
  likenessRetries: 2,
};

export interface WorkerDeps {
  db: Db;
  clock: Clock;
  storage: MediaStorage;
  provider: ImageProvider;
  /** Where a remote provider calls back, e.g. https://pinglass.ru/webhooks/kie. */
  callbackUrl: string;
  hooks?: readonly JobFinishHook[];
  photoHooks?: readonly PhotosCreatedHook[];
  /** The face analyser of the likeness gate; without it (tests not about likeness) there is no gate. */
  faces?: FaceAnalyzer;
  logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface GenerationWorker {
  name: string;
  intervalMs: number;
  /**
   * Claims due slots up to the caps and works on them, claiming more as each one ends, until
   * nothing is due; then returns so the loop can sleep. An abort stops claiming and waits for the
   * slots in hand (a cut-off slot would come back anyway when its lease runs out).
   */
  tick(signal: AbortSignal): Promise<void>;
  /** A provider's callback (or anyone who learns a task is done): check it and finish its slot now. */
  completeTask(provider: string, taskId: string): Promise<"handled" | "not-waiting">;
}

/** A slot this worker works on; `atProvider` until the provider has answered it for good. */
interface Held {
  slot: Slot;
  atProvider: boolean;
  done: Promise<void>;
}

interface JobContext {
  job: Job;
  /** The best few selfies, each cropped around its face where it was checked. */
  referenceKeys: string[];
  /** The avatar's identity (the medoid of its good selfies), null for selfies from before face checks. */
  identity: number[] | null;
  rounds: Map<string, number>;
}

/** References sent to the provider: the best few (it weighs every one it gets, a weak one too). */
const maxReferences = 6;

const maxCachedJobs = 500;
const claimBatchWindowMs = 2;

async function loadJobContext(db: Db, jobId: number): Promise<JobContext> {
  const [job] = await db.select().from(generationJobs).where(eq(generationJobs.id, jobId));
  if (!job) throw new Error(`generation job ${jobId} is gone`);
  const selfies = await db
    .select({ key: referencePhotos.storageKey, faceKey: referencePhotos.faceKey, box: referencePhotos.faceBox, sharpness: referencePhotos.faceSharpness, embedding: referencePhotos.faceEmbedding, verdict: referencePhotos.faceVerdict })
    .from(referencePhotos)
    .where(eq(referencePhotos.avatarId, job.avatarId!))
    .orderBy(asc(referencePhotos.id));
  const good = selfies.filter((s) => s.verdict !== "otherPerson");
  // Sharp, frontal, big faces first; selfies from before face checks keep their upload order after them.
  const quality = (s: (typeof good)[number]) => (s.box && s.sharpness !== null ? referenceQuality({ sharpness: s.sharpness, ...s.box }) : -1e9);
  const best = [...good].sort((a, b) => quality(b) - quality(a)).slice(0, maxReferences);
  const identity = identityOf(good.flatMap((s) => (s.embedding ? [s.embedding] : [])));
  return { job, referenceKeys: best.map((s) => s.faceKey ?? s.key), identity, rounds: await roundsBefore(db, job) };
}

/**
 * The worker: the same code in the server process and in `pnpm worker`, any number of them side
 * by side; the slot rows in Postgres are the only coordination between them.
 */
export function createGenerationWorker(deps: WorkerDeps, options: Partial<WorkerOptions> = {}): GenerationWorker {
  const opts = { ...defaultWorkerOptions, ...options };
  const hooks = deps.hooks ?? [];
  const { provider, clock, db } = deps;
  const held = new Map<number, Held>();
  /** Wakes the claiming loop: a place at the provider came free. */
  let woken = false;
  let onWake: (() => void) | null = null;
  const wake = () => {
    woken = true;
    onWake?.();
  };
  const nextWake = (timeoutMs: number) =>
    woken
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          onWake = () => {
            clearTimeout(timer);
            resolve();
          };
        });

  const later = (ms: number) => new Date(clock.now().getTime() + ms);
  /** Stored photos get their rows in shared transactions: on PGlite every statement runs on the one thread, on PostgreSQL every commit waits for the disk. */
  const photoHooks = deps.photoHooks ?? [];
  const finish = groupCommit<FinishedSlot>((finished) => finishSlots(db, finished, clock.now(), hooks, photoHooks), { maxBatch: 100 });

  /**
   * What every slot of a job needs and what does not change while it runs (the job, its selfies,
   * the scenes' earlier rounds), read once per job rather than once per photo. Bounded: the
   * oldest entries go first, and are read again if their job still has work.
   */
  const contexts = new Map<number, Promise<JobContext>>();
  function contextOf(jobId: number): Promise<JobContext> {
    let context = contexts.get(jobId);
    if (!context) {
      context = loadJobContext(db, jobId);
      context.catch(() => contexts.delete(jobId));
      contexts.set(jobId, context);
      if (contexts.size > maxCachedJobs) contexts.delete(contexts.keys().next().value!);
    }
    return context;
  }

  async function requestFor(slot: Slot, { job, referenceKeys, rounds }: JobContext): Promise<ImageRequest> {
    const references = await Promise.all(referenceKeys.map(async (key) => ({ key, url: await deps.storage.signedUrl(key, { ttlSeconds: opts.referenceUrlTtlSeconds }) })));
    return {
      prompt: slot.prompt,
      references,
      // A render the likeness gate refused is made again from another seed, not the same picture again.
      seed: seedFor(job.avatarId!, job.styleId!, slot.sceneId, rounds.get(slot.sceneId) ?? 0) + (slot.likenessRejections > 0 ? `:again${slot.likenessRejections}` : ""),
      aspectRatio: "4:5",
      callbackUrl: deps.callbackUrl,
      scene: { styleId: job.styleId!, sceneId: slot.sceneId },
    };
  }

  const gate = opts.likenessGate && deps.faces !== undefined;

  /** Every log line about a slot carries the request that started its job. */
  const aboutJob = ({ job }: JobContext) => (job.requestId ? { requestId: job.requestId } : {});

  /** The likeness gate's verdict on a render; null when there is no gate or no identity to hold it to. */
  async function likenessOf(context: JobContext, image: Buffer): Promise<PortraitVerdict | null> {
    if (!gate || !context.identity) return null;
    try {
      return portraitVerdict(await deps.faces!.analyse(image), context.identity);
    } catch (error) {
      // A provider's bytes that are not a picture have no face in them.
      if (error instanceof UnreadableImageError) return { ok: false, reason: "none", likeness: null };
      throw error;
    }
  }

  /** The user never sees a refused render: the slot is made again, or after LIKENESS_RETRIES it fails (and its share is refunded). */
  async function refuseRender(slot: Slot, context: JobContext, verdict: Extract<PortraitVerdict, { ok: false }>): Promise<void> {
    const rejections = slot.likenessRejections + 1;
    deps.logger?.warn({ ...aboutJob(context), slotId: slot.id, jobId: slot.jobId, reason: verdict.reason, likeness: verdict.likeness, rejections }, "likeness gate: render refused");
    if (rejections > opts.likenessRetries) {
      return failSlot(db, slot, translate("errors.generation.likenessGaveUp", defaultLocale, { attempts: rejections }), clock.now(), hooks);
    }
    await renderAgain(db, slot, clock.now(), rejections);
  }

  async function settle(slot: Slot, context: JobContext, outcome: ProviderOutcome): Promise<void> {
    const { job } = context;
    if (outcome.kind === "pending") return markWaiting(db, slot, later(opts.pollMs), clock.now());
    if (outcome.kind === "failed") {
      if (outcome.retryable) return retry(slot, context, outcome.reason, { renderAgain: true });
      return failSlot(db, slot, translate("errors.generation.providerRejected", defaultLocale, { reason: outcome.reason }), clock.now(), hooks);
    }
    const verdict = await likenessOf(context, outcome.image);
    if (verdict && !verdict.ok) return refuseRender(slot, context, verdict);
    // Our copy first, then the row: providers delete their outputs within hours. The key is fixed
    // per slot, so a second save of the same slot overwrites instead of leaving another file.
    const photo = await saveGeneratedImage(deps.storage, { avatarId: job.avatarId!, jobId: job.id, position: slot.position }, outcome.image);
    await finish({ slot, job, photo, likeness: verdict?.likeness ?? null });
  }

  /** `renderAgain`: the provider answered that the render failed, so the next attempt submits anew. */
  async function retry(slot: Slot, context: JobContext, reason: string, { retryAfterMs = 0, renderAgain = false } = {}): Promise<void> {
    // An attempt is counted when a slot is claimed for a submission; only a failed poll of a task
    // still at the provider is counted here.
    const attempts = slot.providerTaskId && !renderAgain ? slot.attempts + 1 : slot.attempts;
    if (attempts >= opts.maxAttempts) {
      deps.logger?.warn({ ...aboutJob(context), slotId: slot.id, reason }, "generation slot failed for good after its last attempt");
      return failSlot(db, slot, translate("errors.generation.providerGaveUp", defaultLocale, { attempts }), clock.now(), hooks);
    }
    await scheduleRetry(db, slot, clock.now(), { reason, attempts, retryAfterMs, renderAgain });
  }

  async function work(entry: Held, context: JobContext): Promise<void> {
    const { slot } = entry;
    const signal = AbortSignal.timeout(opts.callTimeoutMs);
    try {
      // A claim gives the slot to this worker's provider; a task id means it is waiting there.
      const call: Promise<SubmitResult | ProviderOutcome> = slot.providerTaskId ? provider.check(slot.providerTaskId, signal) : requestFor(slot, context).then((request) => provider.submit(request, signal));
      const outcome = await leavingProvider(entry, call);
      if (outcome.kind === "submitted") {
        await markSubmitted(db, slot, outcome.taskId, later(opts.pollMs), clock.now());
        return;
      }
      await settle(slot, context, outcome);
    } catch (error) {
      if (error instanceof ProviderError && !error.retryable) {
        await failSlot(db, slot, translate("errors.generation.providerRejected", defaultLocale, { reason: error.message }), clock.now(), hooks);
        return;
      }
      // Everything else is transient: a 429 or 5xx, a timeout, a dropped connection, storage hiccups.
      const reason = error instanceof Error ? error.message : String(error);
      await retry(slot, context, reason, { retryAfterMs: error instanceof ProviderError ? error.retryAfterMs : undefined });
    }
  }

  /**
   * The provider's answer to a slot's call. A finished render (or a failed call) ends the slot's
   * time at the provider: its place is given to the next slot at once, while this one's photo is
   * stored, so the provider is never left idle by our own storing and bookkeeping. A task still
   * running there (submitted, pending) keeps its place.
   */
  async function leavingProvider<T extends { kind: string }>(entry: Held, call: Promise<T>): Promise<T> {
    const outcome = await call.catch((error: unknown) => {
      entry.atProvider = false;
      wake();
      throw error;
    });
    if (outcome.kind === "succeeded" || outcome.kind === "failed") {
      entry.atProvider = false;
      wake();
    }
    return outcome;
  }

  function hold(slot: Slot) {
    const entry: Held = { slot, atProvider: true, done: Promise.resolve() };
    entry.done = contextOf(slot.jobId)
      .then((context) => work(entry, context))
      .catch((error) => deps.logger?.error({ err: error, slotId: slot.id }, "generation slot could not be settled; its lease will bring it back"))
      .finally(() => {
        held.delete(slot.id);
        wake();
      });
    held.set(slot.id, entry);
    return entry.done;
  }

  async function renewLeases() {
    for (const entry of held.values()) await renewLease(db, slotQueue, entry.slot, clock.now(), opts.leaseMs);
  }

  return {
    name: "generation",
    intervalMs: 1000,
    async tick(signal) {
      let lastRenewal = Date.now();
      while (!signal.aborted) {
        woken = false;
        onWake = null;
        const settling = [...held.values()].filter((h) => !h.atProvider).map((h) => h.slot.id);
        const claimed = await claimSlots(db, clock.now(), {
          provider: provider.name,
          // Photos being stored are bounded too: at most one provider's worth of them at once.
          capacity: Math.min(provider.maxConcurrency - (held.size - settling.length), 2 * provider.maxConcurrency - held.size),
          perJob: opts.perJobConcurrency,
          providerCap: provider.maxConcurrency,
          leaseMs: opts.leaseMs,
          settling,
        });
        for (const slot of claimed) void hold(slot);
        if (held.size === 0) return;
        const renewEvery = opts.leaseMs / 3;
        await nextWake(Math.max(0, renewEvery - (Date.now() - lastRenewal)));
        // Slots started together tend to end together: a moment's wait lets one claim refill
        // several places instead of one claim per place.
        await sleep(claimBatchWindowMs);
        if (Date.now() - lastRenewal >= renewEvery) {
          await renewLeases();
          lastRenewal = Date.now();
        }
      }
      await Promise.all([...held.values()].map((h) => h.done));
    },
    async completeTask(providerName, taskId) {
      const slot = await claimTask(db, clock.now(), providerName, taskId, opts.leaseMs);
      if (!slot) return "not-waiting";
      await hold(slot);
      return "handled";
    },
  };
}
