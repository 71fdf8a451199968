import { createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Clock, systemClock } from "@pinglass/core";
import { bearer, type CallbackPlan, closeServer, FaultQueue, fetchReferences, listenLocal, postCallback, readJson, renderOutput, sendJson } from "./fake-server.ts";

/**
 * A fake Kie.ai on 127.0.0.1 that follows the Market API: createTask and recordInfo with
 * {code, msg, data} answers, tasks that move waiting → queuing → generating → success | fail,
 * reference photos fetched from their URLs, outputs served as JPEGs, callbacks posted to
 * callBackUrl (signed like Kie's webhook HMAC when a key is set). Failures on demand: faults per
 * endpoint, and per task a failure, a lost callback or a duplicated one.
 */
export interface FakeKieOptions {
  apiKey: string;
  model?: string;
  /** Sign callbacks with X-Webhook-Timestamp / X-Webhook-Signature under this key. */
  hmacKey?: string;
  /** Time between state changes. */
  stepMs?: number;
  clock?: Clock;
}

export interface KieTaskPlan {
  callback?: CallbackPlan;
  fail?: { code: string; message: string };
}

export interface FakeKieTask {
  taskId: string;
  request: { model: string; callBackUrl?: string; input: { prompt: string; image_input: string[]; aspect_ratio: string; resolution: string; output_format: string } };
  state: "waiting" | "queuing" | "generating" | "success" | "fail";
  resultJson: string;
  failCode: string;
  failMsg: string;
  createTime: number;
  completeTime: number | null;
  /** The receiver's HTTP status for every callback posted. */
  callbackStatuses: number[];
}

export type KieEndpoint = "createTask" | "recordInfo" | "download";

const aspectRatios = new Set(["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", "auto"]);

export async function startFakeKie(options: FakeKieOptions) {
  const model = options.model ?? "nano-banana-pro";
  const stepMs = options.stepMs ?? 15;
  const clock = options.clock ?? systemClock;
  const faults = new FaultQueue<KieEndpoint>();
  const tasks = new Map<string, FakeKieTask>();
  const outputs = new Map<string, Buffer>();
  const settled = new Map<string, Promise<FakeKieTask>>();
  const plans: KieTaskPlan[] = [];
  let closed = false;

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

  function signedHeaders(taskId: string, timestamp = Math.floor(clock.now().getTime() / 1000), key = options.hmacKey): Record<string, string> {
    if (!key) return {};
    const signature = createHmac("sha256", key).update(`${taskId}.${timestamp}`).digest("base64");
    return { "x-webhook-timestamp": String(timestamp), "x-webhook-signature": signature };
  }

  function callbackBody(task: FakeKieTask) {
    return JSON.stringify({
      code: task.state === "success" ? 200 : 501,
      msg: task.state === "success" ? "Playground task completed successfully." : task.failMsg,
      data: { taskId: task.taskId, model: task.request.model, state: task.state, param: JSON.stringify(task.request), resultJson: task.resultJson, failCode: task.failCode, failMsg: task.failMsg, createTime: task.createTime, completeTime: task.completeTime },
    });
  }

  async function run(task: FakeKieTask, plan: KieTaskPlan): Promise<FakeKieTask> {
    for (const state of ["queuing", "generating"] as const) {
      await sleep(stepMs);
      if (closed) return task;
      task.state = state;
    }
    const unreadable = await fetchReferences(task.request.input.image_input);
    await sleep(stepMs);
    if (closed) return task;
    if (plan.fail || unreadable) {
      task.failCode = plan.fail?.code ?? "400";
      task.failMsg = plan.fail?.message ?? `Failed to fetch the image: ${unreadable}`;
      task.state = "fail";
    } else {
      outputs.set(task.taskId, await renderOutput(task.request.input.prompt));
      task.resultJson = JSON.stringify({ resultUrls: [`${base}/files/${task.taskId}.jpg`] });
      task.state = "success";
    }
    task.completeTime = clock.now().getTime();
    const deliveries = plan.callback === "lost" || !task.request.callBackUrl ? 0 : plan.callback === "duplicate" ? 2 : 1;
    for (let i = 0; i < deliveries; i++) {
      task.callbackStatuses.push(await postCallback(task.request.callBackUrl!, callbackBody(task), signedHeaders(task.taskId)));
    }
    return task;
  }

  function invalid(body: unknown): string | null {
    const b = body as Partial<FakeKieTask["request"]> | undefined;
    if (!b || typeof b !== "object") return "request body must be JSON";
    if (b.model !== model) return `model must be ${model}`;
    if (b.callBackUrl !== undefined && typeof b.callBackUrl !== "string") return "callBackUrl must be a URL";
    const input = b.input;
    if (!input || typeof input.prompt !== "string" || input.prompt === "") return "input.prompt is required";
    if (!Array.isArray(input.image_input) || input.image_input.length > 8 || !input.image_input.every((u) => typeof u === "string")) return "input.image_input must be up to 8 URLs";
    if (!aspectRatios.has(input.aspect_ratio)) return "input.aspect_ratio is not supported";
    if (!["1K", "2K", "4K"].includes(input.resolution)) return "input.resolution must be 1K, 2K or 4K";
    if (!["png", "jpg"].includes(input.output_format)) return "input.output_format must be png or jpg";
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (req.method === "POST" && url.pathname === "/api/v1/jobs/createTask") {
      const body = await readJson(req);
      if (await faults.apply("createTask", res)) return;
      if (bearer(req) !== options.apiKey) return sendJson(res, 200, { code: 401, msg: "You do not have access permissions", data: null });
      const problem = invalid(body);
      if (problem) return sendJson(res, 200, { code: 422, msg: problem, data: null });
      const taskId = `task_nanobanana_${randomBytes(8).toString("hex")}`;
      const task: FakeKieTask = { taskId, request: body as FakeKieTask["request"], state: "waiting", resultJson: "", failCode: "", failMsg: "", createTime: clock.now().getTime(), completeTime: null, callbackStatuses: [] };
      tasks.set(taskId, task);
      settled.set(taskId, run(task, plans.shift() ?? {}));
      return sendJson(res, 200, { code: 200, msg: "success", data: { taskId } });
    }
    if (req.method === "GET" && url.pathname === "/api/v1/jobs/recordInfo") {
      if (await faults.apply("recordInfo", res)) return;
      if (bearer(req) !== options.apiKey) return sendJson(res, 200, { code: 401, msg: "You do not have access permissions", data: null });
      const task = tasks.get(url.searchParams.get("taskId") ?? "");
      if (!task) return sendJson(res, 200, { code: 404, message: "Task not found", data: null });
      const { taskId, state, resultJson, failCode, failMsg, createTime, completeTime } = task;
      return sendJson(res, 200, { code: 200, message: "success", data: { taskId, model: task.request.model, state, param: JSON.stringify(task.request), resultJson, failCode, failMsg, createTime, completeTime, updateTime: clock.now().getTime() } });
    }
    const file = /^\/files\/([\w-]+)\.jpg$/.exec(url.pathname);
    if (req.method === "GET" && file) {
      if (await faults.apply("download", res)) return;
      const image = outputs.get(file[1]!);
      if (!image) return sendJson(res, 404, { error: "file expired" });
      res.writeHead(200, { "content-type": "image/jpeg", "content-length": image.length });
      return void res.end(image);
    }
    sendJson(res, 404, { code: 404, msg: "Not Found" });
  }

  const { server, url: base } = await listenLocal(handle);

  return {
    url: base,
    tasks,
    faults,
    /** The next created task behaves like this (plans queue up, one per task). */
    planNextTask(plan: KieTaskPlan) {
      plans.push(plan);
    },
    /** Resolves once the task is final and its callbacks, if any, were posted. */
    settled(taskId: string): Promise<FakeKieTask> {
      const done = settled.get(taskId);
      if (!done) throw new Error(`no task ${taskId}`);
      return done;
    },
    /** Headers that sign a callback about taskId as Kie would (a test can forge with another key or time). */
    signedHeaders,
    async close() {
      closed = true;
      await closeServer(server);
    },
  };
}

export type FakeKie = Awaited<ReturnType<typeof startFakeKie>>;
