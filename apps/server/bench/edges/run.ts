/**
 * `pnpm bench:edges` (issue #10, "Figures to reach"): the real server as a child process, in
 * production mode, under three kinds of abuse, with the figures printed and a GOALS line each:
 *   FUZZ   thousands of malformed requests over every procedure and route: no answer >= 500,
 *          no process exit, no error-level log line;
 *   LOAD   200 simulated users for 60 s on PostgreSQL and on PGlite: no errors, p99 < 1 s,
 *          /healthz always < 1 s, every created row exactly once;
 *   CRASH  kill -9 during a burst of T-Bank notifications, restart, resend what was not
 *          acknowledged: no payment state lost or doubled, no job started twice.
 * Figures are printed, not asserted: the exit code is 0 whenever the bench ran to its end.
 * Bounded in count and time, 127.0.0.1 only; children, databases and temp dirs are removed at the end.
 *
 * Settings (environment): EDGES_ONLY=fuzz,load,crash  EDGES_FUZZ_LIMIT (cases per server)  EDGES_FUZZ_MATCH (areas, a regexp)
 * EDGES_LOAD_SECONDS (60)  EDGES_LOAD_USERS (200)  EDGES_CRASH_PAYMENTS (60)
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import { startFakeBotApi } from "@pinglass/telegram/testing";
import pg from "pg";
import { createDatabase, dropDatabase, withDatabase } from "../seed.ts";
import { runCrash } from "./crash.ts";
import { buildCorpus, describeOutcome, type FuzzCase, type FuzzResult, isServerError, isUnanswered, replicateCases, runCases } from "./fuzz.ts";
import { repro } from "./http.ts";
import { runLoad } from "./load.ts";
import { usesEnvelope } from "./trpc.ts";
import { closeAll, fakeWebDist, freePort, groupErrorLines, onClose, ServerProcess, tempDir } from "./server.ts";

const settings = {
  only: new Set((process.env.EDGES_ONLY ?? "fuzz,load,crash").split(",").map((s) => s.trim())),
  fuzzLimit: Number(process.env.EDGES_FUZZ_LIMIT ?? Number.POSITIVE_INFINITY),
  /** Only the cases whose area matches (a regular expression), e.g. "upload|tbank". */
  fuzzMatch: process.env.EDGES_FUZZ_MATCH ? new RegExp(process.env.EDGES_FUZZ_MATCH, "i") : null,
  loadSeconds: Number(process.env.EDGES_LOAD_SECONDS ?? 60),
  loadUsers: Number(process.env.EDGES_LOAD_USERS ?? 200),
  crashPayments: Number(process.env.EDGES_CRASH_PAYMENTS ?? 60),
};
const postgresServer = process.env.TEST_POSTGRES_URL;
const startedAt = Date.now();
/** The whole bench stops after this, whatever it is doing. */
const hardLimitMs = (30 + (2 * settings.loadSeconds) / 60) * 60_000;
setTimeout(() => {
  console.error(`edges: still running after ${Math.round(hardLimitMs / 60_000)} minutes, giving up`);
  void closeAll().finally(() => process.exit(1));
}, hardLimitMs).unref();

/**
 * Every rate limit far above what the bench sends (the limiter still runs and is counted in the
 * latencies) and the avatar cap lifted: LOAD and CRASH measure capacity and consistency, not the
 * limiter, and FUZZ reaches the code behind it (with the defaults most upload cases would get a
 * 429 before their multipart is read). All requests come from 127.0.0.1; each simulated user has
 * its own device and session.
 */
const manyPerMinute = "1000000/60";
const capacityEnv: Record<string, string> = {
  ...Object.fromEntries(
    ["SESSION_START_PER_IP", "UPLOADS_PER_USER", "UPLOADS_PER_IP", "PAYMENTS_PER_USER", "PAYMENTS_PER_IP", "ZIP_PER_USER", "ZIP_PER_IP", "STREAMS_PER_USER", "STREAMS_PER_IP"].map((name) => [`RATE_LIMIT_${name}`, manyPerMinute]),
  ),
  MAX_AVATARS_PER_USER: "10000",
};

const goals: string[] = [];
const goal = (figure: string, met: boolean, detail: string) => {
  const line = `GOALS: ${figure}: ${met ? "met" : "NOT met"} (${detail})`;
  goals.push(line);
  console.log(line);
};
const section = (title: string) => console.log(`\n${"═".repeat(100)}\n${title}\n${"═".repeat(100)}`);

/** A fresh PostgreSQL database on the throwaway server, dropped at the end. */
async function postgresDatabase(purpose: string): Promise<string | undefined> {
  if (!postgresServer) return undefined;
  const name = `pinglass_edges_${purpose}_${process.pid}`;
  await createDatabase(postgresServer, name);
  onClose(() => dropDatabase(postgresServer, name));
  return withDatabase(postgresServer, name);
}

/** A stand-in for Kie.ai and Replicate on 127.0.0.1: every task is unknown (callbacks name tasks we never created). */
async function fakeImageApi(): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ code: 404, msg: "task not found", detail: "Not found.", data: null }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onClose(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The settings every server of this bench shares: production mode, temp dirs, loopback only. */
function baseEnv(port: number, databaseUrl: string | undefined): Record<string, string> {
  return {
    NODE_ENV: "production",
    LOG_LEVEL: "info",
    SESSION_SECRET: randomBytes(32).toString("hex"),
    MEDIA_DIR: tempDir("media"),
    WEB_DIST: fakeWebDist(),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    PAYMENTS_TEST_CHECKOUT: "true",
    DATABASE_URL: databaseUrl ?? "memory://",
    ...capacityEnv,
  };
}

// ─── FUZZ ────────────────────────────────────────────────────────────────────────────────────────

type FuzzRun = { results: FuzzResult[]; server: ServerProcess };

/** One fuzz server: started, fed its cases (restarted if it dies, noting what was in flight), reported, stopped. */
async function fuzzServer(server: ServerProcess, corpus: () => Promise<{ cases: FuzzCase[]; tokens: Map<string, string> }>, options: { concurrency: number; minutes: number }): Promise<FuzzRun> {
  await server.start();
  try {
    const { cases: all, tokens } = await corpus();
    const cases = sample(
      all.filter((c) => !settings.fuzzMatch || settings.fuzzMatch.test(c.area)),
      settings.fuzzLimit,
    );
    const targets = new Set(cases.map((c) => c.area.split(" ").slice(0, 3).join(" "))).size;
    console.log(`\n── ${server.label}: ${cases.length} cases${cases.length < all.length ? ` (of ${all.length}; EDGES_FUZZ_LIMIT / EDGES_FUZZ_MATCH)` : ""} over ${targets} targets`);
    const crashes: string[] = [];
    const { results, skipped } = await runCases(server.port, cases, {
      concurrency: options.concurrency,
      deadline: Date.now() + options.minutes * 60_000,
      alive: () => server.running,
      onCrash: async (inFlight) => {
        crashes.push(`the server exited while these were in flight (restarted; an in-memory database starts empty):\n${inFlight.map((c) => `      [${c.area}] ${repro(server.port, c.spec, tokens)}`).join("\n")}`);
        await server.start();
      },
    });
    if (skipped > 0) console.log(`!! ${skipped} cases skipped: the fuzz ran out of its ${options.minutes} minutes`);
    const health = await fetch(`${server.baseUrl}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(
      (r) => r.status,
      (e: Error) => e.message,
    );
    console.log(`after the fuzz: /healthz answered ${health}`);
    report(server.label, results, server, crashes, server.port, tokens);
    return { results, server };
  } finally {
    const exit = await server.stop();
    console.log(`SIGTERM: the server exited with code ${exit?.code ?? "?"}${exit?.signal ? ` (signal ${exit.signal})` : ""}`);
  }
}

/** The main fuzz server: Telegram (fake Bot API) and Kie (fake API) configured, so their routes go deep. */
async function fuzzOne(database: "postgres" | "pglite"): Promise<FuzzRun> {
  const databaseUrl = database === "postgres" ? await postgresDatabase("fuzz") : undefined;
  const port = await freePort();
  const botToken = `123456789:${randomBytes(24).toString("base64url")}`;
  const bot = await startFakeBotApi({ token: botToken });
  onClose(() => bot.close());
  const webhookSecret = randomBytes(24).toString("hex");
  const server = new ServerProcess(`fuzz server (${database})`, port, {
    ...baseEnv(port, databaseUrl),
    TELEGRAM_BOT_TOKEN: botToken,
    TELEGRAM_BOT_USERNAME: "PinGlassEdgesBot",
    TELEGRAM_WEBHOOK_SECRET: webhookSecret,
    TELEGRAM_API_URL: bot.url,
    IMAGE_PROVIDER: "kie",
    KIE_API_KEY: "edges-kie-key",
    KIE_API_URL: await fakeImageApi(),
  });
  // A payment's OrderId is in no answer; on PostgreSQL the bench reads it to forge notifications for it.
  const orderIdOf = databaseUrl
    ? async (paymentId: number) => {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          return (await client.query<{ order_id: string }>("SELECT order_id FROM payments WHERE id = $1", [paymentId])).rows[0]?.order_id;
        } finally {
          await client.end();
        }
      }
    : undefined;
  return fuzzServer(server, () => buildCorpus({ port, telegram: { botToken, webhookSecret }, orderIdOf }), { concurrency: 8, minutes: 10 });
}

/** Replicate's webhook is only reachable with Replicate configured: a second, small server. */
async function fuzzReplicate(): Promise<FuzzRun> {
  const port = await freePort();
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  const server = new ServerProcess("fuzz server (Replicate)", port, {
    ...baseEnv(port, undefined),
    IMAGE_PROVIDER: "replicate",
    REPLICATE_API_TOKEN: "edges-replicate-token",
    REPLICATE_WEBHOOK_SECRET: secret,
    REPLICATE_API_URL: await fakeImageApi(),
  });
  return fuzzServer(server, async () => ({ cases: replicateCases(secret), tokens: new Map() }), { concurrency: 4, minutes: 1 });
}

/** Every n-th case, so a smaller run still touches every area. */
function sample(cases: FuzzCase[], limit: number): FuzzCase[] {
  if (!(limit < cases.length)) return cases;
  const step = cases.length / limit;
  return Array.from({ length: Math.floor(limit) }, (_, i) => cases[Math.floor(i * step)]!);
}

function report(label: string, results: FuzzResult[], server: ServerProcess, crashes: string[], port: number, tokens: Map<string, string>) {
  const byStatus = new Map<string, number>();
  for (const r of results) byStatus.set(String(r.outcome.status), (byStatus.get(String(r.outcome.status)) ?? 0) + 1);
  const counts = [...byStatus.entries()].sort(([a], [b]) => a.localeCompare(b));
  console.log(`\n${label}: ${results.length} requests; answers by status: ${counts.map(([s, n]) => `${s}: ${n}`).join(", ")}`);
  const errors = results.filter((r) => isServerError(r.outcome));
  if (errors.length > 0) {
    console.log(`\n${label}: ${errors.length} answers >= 500, each with its request (tokens: $TOKEN_A etc. are session tokens of that run's users):`);
    const groups = new Map<string, FuzzResult[]>();
    for (const r of errors) groups.set(r.area, [...(groups.get(r.area) ?? []), r]);
    for (const [area, group] of groups) {
      console.log(`  ── ${area}: ${group.length}`);
      for (const r of group) console.log(`    ${describeOutcome(r.outcome).slice(0, 120)}\n      ${repro(port, r.spec, tokens)}`);
    }
  }
  const unanswered = results.filter(isUnanswered);
  if (unanswered.length > 0) {
    console.log(`\n${label}: ${unanswered.length} requests got no answer (timeout or connection dropped):`);
    for (const r of unanswered) console.log(`    [${r.area}] ${r.outcome.status} after ${r.outcome.ms.toFixed(0)} ms\n      ${repro(port, r.spec, tokens)}`);
  }
  for (const crash of crashes) console.log(`\n!! ${crash}`);
  if (server.errorLines.length > 0) {
    console.log(`\n${label}: ${server.errorLines.length} error-level log lines (level >= 50), grouped:`);
    for (const g of groupErrorLines(server.errorLines)) console.log(`  ×${g.count}  ${g.example.slice(0, 600)}`);
  }
  const otherOutput = server.otherOutput.filter((l) => !/ExperimentalWarning|--trace-warnings/.test(l));
  if (otherOutput.length > 0) console.log(`\n${label}: output that is not a log line (first 20):\n${otherOutput.slice(0, 20).map((l) => `  ${l.slice(0, 300)}`).join("\n")}`);
}

async function fuzz() {
  section("FUZZ: malformed requests over every procedure and route (production mode)");
  console.log(`procedure inputs travel as ${usesEnvelope ? "superjson envelopes" : "plain JSON (no transformer: four of the superjson meta cases stay, as plain junk)"}`);
  const runs: FuzzRun[] = [];
  const failed: string[] = [];
  const servers: [string, () => Promise<FuzzRun>][] = [
    ...(postgresServer ? [["PostgreSQL", () => fuzzOne("postgres")] as [string, () => Promise<FuzzRun>]] : []),
    ["PGlite", () => fuzzOne("pglite")],
    ["Replicate", fuzzReplicate],
  ];
  for (const [name, run] of servers) {
    try {
      runs.push(await run());
    } catch (error) {
      console.error(`\nedges: the ${name} fuzz server stopped early:`, error);
      failed.push(name);
    }
  }
  const requests = runs.reduce((n, r) => n + r.results.length, 0);
  const serverErrors = runs.reduce((n, r) => n + r.results.filter((x) => isServerError(x.outcome)).length, 0);
  const exits = runs.reduce((n, r) => n + r.server.unexpectedExits.length + r.server.exits.filter((e) => e.expected && e.code !== 0).length, 0);
  const errorLines = runs.reduce((n, r) => n + r.server.errorLines.length, 0);
  const unanswered = runs.reduce((n, r) => n + r.results.filter(isUnanswered).length, 0);
  console.log();
  goal(
    "FUZZ",
    serverErrors === 0 && exits === 0 && errorLines === 0 && failed.length === 0,
    `${requests} requests on ${runs.length} servers: ${serverErrors} answers >= 500 / ${exits} bad process exits / ${errorLines} error log lines; goal 0 / 0 / 0; ${unanswered} unanswered${failed.length ? `; NOT RUN: ${failed.join(", ")}` : ""}`,
  );
}

/** One part of the bench; a failure is reported and the next part still runs. */
async function attempt(figure: string, run: () => Promise<void>) {
  try {
    await run();
  } catch (error) {
    console.error(`\nedges: ${figure} stopped early:`, error);
    goals.push(`GOALS: ${figure}: not measured (${String((error as Error).message ?? error).split("\n")[0]})`);
  }
}

async function main() {
  console.log(`bench:edges on ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}; PostgreSQL: ${postgresServer ? new URL(postgresServer).host : "not available (PGlite only)"}`);
  try {
    if (settings.only.has("fuzz")) await attempt("FUZZ", fuzz);
    if (settings.only.has("load")) {
      section(`LOAD: ${settings.loadUsers} simulated users for ${settings.loadSeconds} s`);
      console.log(`capacity, not the limiter: RATE_LIMIT_*=${manyPerMinute}, MAX_AVATARS_PER_USER=${capacityEnv.MAX_AVATARS_PER_USER}; each user its own device and session, all from 127.0.0.1`);
      const targets: ("postgres" | "pglite")[] = postgresServer ? ["postgres", "pglite"] : ["pglite"];
      for (const database of targets) {
        await attempt(`LOAD ${database}`, async () => {
          const databaseUrl = database === "postgres" ? await postgresDatabase("load") : undefined;
          const port = await freePort();
          const server = new ServerProcess(`load server (${database})`, port, baseEnv(port, databaseUrl));
          try {
            const result = await runLoad({ server, database, databaseUrl, users: settings.loadUsers, seconds: settings.loadSeconds });
            for (const g of result.goals) goal(g.figure, g.met, g.detail);
          } finally {
            if (server.running) await server.stop();
          }
        });
      }
    }
    if (settings.only.has("crash")) {
      section("CRASH: kill -9 during a burst of T-Bank notifications");
      await attempt("CRASH", async () => {
        const databaseUrl = await postgresDatabase("crash");
        if (!databaseUrl) {
          console.log("skipped: needs PostgreSQL (an in-memory PGlite dies with the process); run it through `pnpm bench:edges`");
          goals.push("GOALS: CRASH: not measured (no PostgreSQL)");
          return;
        }
        const port = await freePort();
        const result = await runCrash({ port, env: baseEnv(port, databaseUrl), databaseUrl, payments: settings.crashPayments });
        for (const g of result.goals) goal(g.figure, g.met, g.detail);
      });
    }
  } finally {
    await closeAll();
  }
  section(`SUMMARY (${((Date.now() - startedAt) / 1000).toFixed(0)} s)`);
  for (const line of goals) console.log(line);
  process.exit(0);
}

await main();
