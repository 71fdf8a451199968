/**
 * The real server as a child process (`src/main.ts` under tsx's loader, in-process so that a
 * kill -9 kills the server itself), its pino lines read as they come, and everything this bench
 * starts (children, temp dirs, helper servers) undone on exit, also after a failure or Ctrl-C.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startNodeFlags } from "../start-flags.ts";

const mainPath = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const serverDir = fileURLToPath(new URL("../..", import.meta.url));
const tsxLoader = import.meta.resolve("tsx");

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const closers: (() => Promise<unknown>)[] = [];
/** Set on Ctrl-C: the children are being killed on purpose. */
let interrupted = false;

/** Synchronous last resort: whatever is still running or on disk goes. */
function cleanupNow() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of tempDirs) {
    try {
      // A server killed a moment ago may still be writing into its media dir: retry a few times.
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (error) {
      console.error(`edges: could not remove ${dir}: ${String(error)}`);
    }
  }
  tempDirs.clear();
}
process.on("exit", cleanupNow);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\nedges: ${signal}, cleaning up`);
    interrupted = true;
    // Children first (and wait for them, so nothing writes into the temp dirs any more), then the rest.
    const running = [...children].filter((child) => child.exitCode === null && child.signalCode === null);
    for (const child of running) child.kill("SIGKILL");
    const gone = Promise.all(running.map((child) => new Promise((resolve) => child.once("exit", resolve))));
    const timeout = new Promise((resolve) => setTimeout(resolve, 3000));
    void Promise.race([gone, timeout])
      .then(() => Promise.race([closeAll(), new Promise((resolve) => setTimeout(resolve, 5000))]))
      .finally(() => process.exit(130));
  });
}

/** A temp dir removed at exit whatever happens. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pinglass-edges-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

/** Closes helper servers (fakes) at the end; `closeAll` runs them in reverse order. */
export function onClose(close: () => Promise<unknown>) {
  closers.push(close);
}
export async function closeAll() {
  for (const close of closers.splice(0).reverse()) await close().catch((error: unknown) => console.error("edges cleanup:", error));
  cleanupNow();
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });

/** A stand-in for the built web app, so static serving is exercised without `pnpm build`. */
export function fakeWebDist(): string {
  const dir = tempDir("web");
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>PinGlass</title><div id=root></div>");
  writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log('edges')\n".repeat(200));
  writeFileSync(join(dir, "assets", "style-abc123.css"), "body{margin:0}\n");
  writeFileSync(join(dir, "favicon.ico"), Buffer.alloc(64));
  return dir;
}

export interface LogLine {
  level: number;
  msg: string;
  line: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** We asked for it (SIGTERM at the end, kill -9 in the crash test). */
  expected: boolean;
  at: number;
}

/** One server process; `restart` starts a new one with the same settings, logs and exits are kept across. */
export class ServerProcess {
  readonly errorLines: LogLine[] = [];
  /** Lines that are not pino JSON (a crash's stack trace, a warning from node). */
  readonly otherOutput: string[] = [];
  readonly exits: Exit[] = [];
  private child: ChildProcess | null = null;
  private exited: Promise<Exit> | null = null;
  private stopping = false;

  constructor(
    readonly label: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get baseUrl() {
    return `http://127.0.0.1:${this.port}`;
  }
  get running() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }
  get unexpectedExits() {
    return this.exits.filter((e) => !e.expected);
  }

  async start(): Promise<void> {
    this.stopping = false;
    const child = spawn(process.execPath, [...startNodeFlags(), "--import", tsxLoader, mainPath], {
      cwd: serverDir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", TMPDIR: tmpdir(), ...this.env, PORT: String(this.port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    children.add(child);
    this.exited = new Promise<Exit>((resolve) =>
      child.once("exit", (code, signal) => {
        children.delete(child);
        const exit = { code, signal, expected: this.stopping || interrupted, at: Date.now() };
        this.exits.push(exit);
        if (!exit.expected) console.log(`!! ${this.label}: the server process exited by itself (code ${code}, signal ${signal})`);
        resolve(exit);
      }),
    );
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => this.take(line));
    }
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (!this.running) throw new Error(`${this.label}: the server exited during start-up:\n${this.otherOutput.slice(-20).join("\n")}`);
      if (Date.now() > deadline) throw new Error(`${this.label}: the server did not answer /healthz within 120 s`);
      const up = await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (up) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private take(line: string) {
    if (!line.trim()) return;
    let parsed: { level?: unknown; msg?: unknown } | null;
    try {
      parsed = JSON.parse(line) as { level?: unknown; msg?: unknown };
    } catch {
      parsed = null;
    }
    if (!parsed || typeof parsed.level !== "number") {
      if (this.otherOutput.length < 2000) this.otherOutput.push(line);
      return;
    }
    if (parsed.level >= 50) this.errorLines.push({ level: parsed.level, msg: String(parsed.msg ?? ""), line });
  }

  /** SIGTERM and wait (the graceful shutdown must end with exit code 0); SIGKILL after 20 s. */
  async stop(): Promise<Exit | null> {
    const child = this.child;
    if (!child || !this.running) return null;
    this.stopping = true;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const exit = await this.exited!;
    clearTimeout(timer);
    return exit;
  }

  /**
   * stop(), and how the process fared: its exits nobody asked for (besides those the caller names),
   * the exit code, its error-level log lines grouped. Returns the bad exits.
   */
  async stopAndReport(besides?: string): Promise<number> {
    const exit = await this.stop();
    console.log(`server: ${this.unexpectedExits.length} unexpected exits${besides ? ` besides ${besides}` : ""}; SIGTERM exit code ${exit?.code ?? "?"}; ${this.errorLines.length} error-level log lines`);
    for (const g of groupErrorLines(this.errorLines).slice(0, 10)) console.log(`  ×${g.count}  ${g.example.slice(0, 400)}`);
    return this.unexpectedExits.length + (exit && exit.code !== 0 ? 1 : 0);
  }

  /** kill -9, as a crash would. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.stopping = true;
    child.kill("SIGKILL");
    await this.exited;
  }
}

/** Error-level lines grouped by message (and the path they name, if any), most frequent first. */
export function groupErrorLines(lines: LogLine[]): { count: number; example: string }[] {
  const groups = new Map<string, { count: number; example: string }>();
  for (const l of lines) {
    let key = l.msg;
    try {
      const parsed = JSON.parse(l.line) as { path?: unknown; err?: { message?: unknown } };
      key = `${l.msg} | ${String(parsed.path ?? "")} | ${String(parsed.err?.message ?? "").slice(0, 120)}`;
    } catch {
      // keep the message alone
    }
    const group = groups.get(key) ?? { count: 0, example: l.line };
    group.count++;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}
