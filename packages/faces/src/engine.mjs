/**
 * Human (@vladmandic/human) on the tfjs WebAssembly backend, loaded from files in node_modules
 * only: nothing is fetched from the network, ever.
 *
 * Why Human's self-contained browser bundle (dist/human.js) in a V8 context of its own, rather
 * than its Node builds: dist/human.node-wasm.js needs @tensorflow/tfjs-converter next to it, which
 * is not among our dependencies, while the browser bundle carries the whole of tfjs 4.22 (core,
 * converter, the wasm backend) inside. In that context there is no `process`, so tfjs does not
 * take it for Node (whose platform would need Node's own util, which the bundle stubs out); a
 * `WorkerGlobalScope` makes it use the browser platform, whose fetch is ours and reads `file://`
 * URLs from disk. The wasm binaries are the ones of @tensorflow/tfjs-backend-wasm 4.22 (the
 * bundle's own version), read through that same fetch.
 *
 * Plain JavaScript on purpose: it runs inside worker threads, which load no TypeScript.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";

const require = createRequire(import.meta.url);
const { Response, Request, Headers, TextEncoder, TextDecoder, performance, queueMicrotask, WebAssembly, atob, btoa } = globalThis;

/** Where Human and the wasm binaries are: resolved from this package, whatever the working directory. */
export function humanPaths() {
  // Human's exports map has no "./package.json" key: resolve its main file and walk up.
  const humanDir = join(dirname(require.resolve("@vladmandic/human")), "..");
  const wasmDir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  return { bundle: join(humanDir, "dist/human.js"), models: join(humanDir, "models"), wasm: wasmDir };
}

const contentTypes = { ".json": "application/json", ".wasm": "application/wasm", ".bin": "application/octet-stream" };

/** The fetch Human and tfjs get: file:// only, so a misconfiguration fails instead of reaching a CDN. */
async function fileFetch(input) {
  const url = new URL(typeof input === "string" ? input : input.url);
  if (url.protocol !== "file:") throw new Error(`face models are read from disk only, not ${url.href}`);
  const bytes = await readFile(url);
  const ext = url.pathname.slice(url.pathname.lastIndexOf("."));
  return new Response(bytes, { status: 200, headers: { "content-type": contentTypes[ext] ?? "application/octet-stream" } });
}

/**
 * What we ask of Human: faces only (detector, mesh for the angles, faceres for the embedding),
 * every frame analysed afresh (still photos: no caching, no skipped frames).
 */
export function humanConfig(paths) {
  const fresh = { skipFrames: 0, skipTime: 0 };
  return {
    backend: "wasm",
    wasmPath: `${pathToFileURL(paths.wasm).href}/`,
    wasmPlatformFetch: true,
    modelBasePath: `${pathToFileURL(paths.models).href}/`,
    debug: false,
    async: true,
    warmup: "none",
    cacheModels: false,
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { ...fresh, rotation: true, maxDetected: 8, minConfidence: 0.5, minSize: 0, iouThreshold: 0.1, return: false, mask: false },
      mesh: { enabled: true, keepInvalid: true },
      attention: { enabled: false },
      iris: { enabled: false },
      description: { ...fresh, enabled: true },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      gear: { enabled: false },
      ssrnet: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  };
}

/**
 * Loads Human and its three face models once. Throws an Error that says what is missing when the
 * bundle, the models or the wasm binaries cannot be read.
 */
export async function loadHuman(paths = humanPaths()) {
  let source;
  try {
    source = readFileSync(paths.bundle, "utf8");
  } catch (error) {
    throw new Error(`face analysis: cannot read Human's bundle at ${paths.bundle}: ${error.message}`, { cause: error });
  }
  const sandbox = {
    console,
    fetch: fileFetch,
    Response,
    Request,
    Headers,
    TextEncoder,
    TextDecoder,
    performance,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    WebAssembly,
    URL,
    atob,
    btoa,
    // The browser platform of tfjs (see above); never called.
    WorkerGlobalScope: function WorkerGlobalScope() {},
  };
  sandbox.self = sandbox;
  const context = vm.createContext(sandbox);
  const { Human } = vm.runInContext(`${source}\n;Human`, context, { filename: paths.bundle });
  const human = new Human(humanConfig(paths));
  // Our own worker threads are the parallelism: one wasm thread per analyser.
  human.tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  await human.init();
  if (human.tf.getBackend() !== "wasm") throw new Error(`face analysis: the tfjs wasm backend did not start (wasm files in ${paths.wasm})`);
  await human.load();
  // Human logs a model it cannot read and goes on; its list says which ones really loaded.
  const loaded = new Set(human.models.list().filter((model) => model.loaded && model.size > 0).map((model) => model.name));
  for (const model of ["blazeface", "facemesh", "faceres"]) {
    if (!loaded.has(model)) throw new Error(`face analysis: the ${model} model could not be loaded from ${paths.models}`);
  }
  // Typed arrays must come from the context's own realm for tfjs to take them.
  const ContextInt32Array = vm.runInContext("Int32Array", context);
  return {
    human,
    /** Runs Human on RGB pixels (3 bytes a pixel, row by row); disposes its tensor. */
    async detect(rgb, width, height) {
      const tensor = human.tf.tensor3d(new ContextInt32Array(rgb), [height, width, 3], "int32");
      try {
        return await human.detect(tensor);
      } finally {
        human.tf.dispose(tensor);
      }
    },
    /** Bytes held by tfjs tensors now (a leak shows here). */
    tensorBytes: () => human.tf.memory().numBytes,
  };
}
