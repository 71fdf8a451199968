/**
 * `pnpm bench`: seeds a throwaway PostgreSQL database (100 000 users, 300 000 avatars, 1 000 000
 * photos), serves it through the real app (tRPC), through a bare node:http + pg handler running the
 * same SQL, and through the floors (the same answers from raw pg rows with no framework, as cheaply
 * as the product allows: bench/floor.ts), loads each over loopback HTTP at 32 keep-alive
 * connections, and prints requests/s, p50/p99, the app's ratio to bare and to the floor, and
 * EXPLAIN (ANALYZE, BUFFERS) of each hot query. Bounded: fixed durations and a watchdog; the bench
 * database is dropped at the end.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import { isDeepStrictEqual } from "node:util";
import { Worker } from "node:worker_threads";
import { appRouter, createContext } from "@pinglass/api";
import { pino } from "pino";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { buildParts } from "../src/parts.ts";
import { createTrpcHandler } from "../src/http/trpc.ts";
import { createBarePool, createBareServer } from "./bare.ts";
import { createFloorServer } from "./floor.ts";
import { type EndpointName, endpoints, recordStatements, type Statement } from "./queries.ts";
import { createDatabase, dropDatabase, seed, seedSize, withDatabase } from "./seed.ts";
import { startNodeFlags } from "./start-flags.ts";

const connections = 32;
const warmupSeconds = 2;
const measureSeconds = 12;
/**
 * The measured seconds of each case come in this many alternating rounds. A ratio is the median of
 * the rounds' ratios (the app's stretch against the other server's of the same round): this
 * machine's speed drifts by ±10 % over seconds, and a pair measured back to back drifts less.
 */
const rounds = 8;
/** The same pool size on both sides: createDb's default, which the server uses. */
const poolSize = 10;
/** The app's throughput against the bare handler's (same SQL), and against the floor's. */
const goals = { bare: 0.8, floor: 0.6 };
/** The indexes each hot query's plan must use. */
const expectedIndexes: Record<EndpointName, string[]> = {
  "photos.list": ["idx_avatars_user_id", "idx_generated_photos_avatar_id"],
  "session.me": ["users_pkey", "idx_payments_user_id"],
};

const serverUrl = process.env.TEST_POSTGRES_URL;
if (!serverUrl) {
  console.error("TEST_POSTGRES_URL is not set: run `pnpm bench` from the repo root (it starts a throwaway PostgreSQL).");
  process.exit(2);
}
setTimeout(() => {
  console.error("bench: still running after 15 minutes, giving up");
  process.exit(1);
}, 15 * 60_000).unref();

const databaseName = `pinglass_bench_${process.pid}`;
const databaseUrl = withDatabase(serverUrl, databaseName);

/** One stretch of load: how many requests failed, how long it ran, each 2xx answer's latency (ms). */
interface Stretch {
  failed: number;
  seconds: number;
  latencies: Float64Array;
}

function load(url: string, headers: Record<string, string>, seconds: number): Promise<Stretch> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./load-worker.mjs", import.meta.url), { workerData: { url, headers, connections, seconds } });
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => code !== 0 && reject(new Error(`load worker exited with ${code}`)));
  });
}

/** Stretches of one case added up: requests/s over the whole time, and percentiles over every answer. */
function summarise(stretches: Stretch[]) {
  const seconds = stretches.reduce((sum, s) => sum + s.seconds, 0);
  const all = new Float64Array(stretches.reduce((sum, s) => sum + s.latencies.length, 0));
  let offset = 0;
  for (const s of stretches) {
    all.set(s.latencies, offset);
    offset += s.latencies.length;
  }
  all.sort();
  const at = (q: number) => all[Math.min(all.length - 1, Math.floor(q * all.length))] ?? Number.NaN;
  return { requests: all.length, seconds, requestsPerSecond: all.length / seconds, p50: at(0.5), p99: at(0.99) };
}

const listen = (server: Server) =>
  new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
const close = (server: Server) => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
};
const ms = (value: number) => `${value.toFixed(2)} ms`;
const table = (rows: string[][]) => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 || i === 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")).join("\n");
};

async function main() {
  console.log(`bench: database ${databaseName} on ${new URL(serverUrl!).host}`);
  await createDatabase(serverUrl!, databaseName);
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const logger = pino({ level: "error" });
    const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, DATABASE_DRIVER: undefined, SESSION_SECRET: `bench-${crypto.randomUUID()}-secret` });
    const parts = await buildParts(config, logger); // migrates the fresh database
    cleanups.push(() => parts.close());

    const seedStart = performance.now();
    const benchUserId = await seed(databaseUrl);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    console.log(
      `seeded ${seedSize.users} users, ${seedSize.avatars} avatars, ${seedSize.photos} photos (+ jobs, payments) and ANALYZEd in ${seedSeconds.toFixed(1)} s; bench user ${benchUserId} has ${seedSize.benchUserPhotos} photos`,
    );

    const token = parts.deps.sessions.issue(benchUserId).token;
    const pool = createBarePool(databaseUrl, poolSize);
    cleanups.push(() => pool.end());
    const statements = await recordStatements(pool, parts.deps, token);

    const servers = {
      app: createApp({ deps: parts.deps, logger }),
      bare: createBareServer({ pool, sessions: parts.deps.sessions, media: parts.deps.media, statements, recordedUserId: benchUserId }),
      floor: createFloorServer({ pool, sessions: parts.deps.sessions, media: parts.deps.media }),
      // The app's GET lane for queries against tRPC's own fetch-API path, each alone on a bare node:http server.
      lane: createServer(createTrpcHandler({ router: appRouter, basePath: "/trpc/", createContext: ({ req }) => createContext(parts.deps, req.headers) })),
      adapter: createServer(createTrpcHandler({ router: appRouter, basePath: "/trpc/", createContext: ({ req }) => createContext(parts.deps, req.headers), responseMeta: () => ({}) })),
    };
    type ServerName = keyof typeof servers;
    const bases = {} as Record<ServerName, string>;
    for (const [name, server] of Object.entries(servers) as [ServerName, Server][]) {
      bases[name] = await listen(server);
      cleanups.push(() => close(server));
    }

    const headers = { authorization: `Bearer ${token}`, "accept-language": "ru" };
    const trpcUrl = (base: string, name: EndpointName) => {
      const input = endpoints[name].input;
      return `${base}/trpc/${name}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;
    };
    const url = (server: ServerName, name: EndpointName) => (server === "bare" || server === "floor" ? `${bases[server]}/${name}` : trpcUrl(bases[server], name));

    // Every side must answer the same data, byte for byte where it can, before its speed means anything.
    const answer = async (server: ServerName, name: EndpointName) => {
      const response = await fetch(url(server, name), { headers });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`${name}: ${server} answered ${response.status}: ${body.slice(0, 300)}`);
      return body;
    };
    const data = (body: string) => (JSON.parse(body) as { result: { data: unknown } }).result.data;
    if ((data(await answer("app", "photos.list")) as { items: unknown[] }).items.length !== seedSize.benchUserPhotos) throw new Error("photos.list: wrong photo count");
    const checkSameData = async (server: ServerName, name: EndpointName) => {
      // Against the app's answer of the same moment: a signed link's expiry moves on every 5 minutes.
      let [app, body] = [await answer("app", name), await answer(server, name)];
      if (!isDeepStrictEqual(data(body), data(app))) [app, body] = [await answer("app", name), await answer(server, name)];
      const same = isDeepStrictEqual(data(body), data(app));
      const bytes = body === app ? "same bytes" : `${Buffer.byteLength(body)} bytes against ${Buffer.byteLength(app)}`;
      // A procedure that gained a field the bare handler or the floor does not build yet: still measured, but said.
      console.log(same ? `${name}: ${server} answers the app's data (${bytes})` : `!! ${name}: ${server} answers other data; update bench/${server === "floor" ? "floor" : "bare"}.ts\n   app ${app}\n   ${server} ${body}`);
    };
    console.log();

    // The servers take turns in short rounds, so a busy machine slows them alike. The GET lane's
    // worth is measured last: until then no request has gone through tRPC's fetch-API path, whose
    // calls would share (and slow) the JIT's state of the procedures the app is measured on.
    const names = Object.keys(endpoints) as EndpointName[];
    const groups = [
      ...names.map((name) => ({ name, servers: ["app", "bare", "floor"] as ServerName[] })),
      ...names.map((name) => ({ name, servers: ["lane", "adapter"] as ServerName[] })),
    ];
    const roundsOf = new Map<string, Stretch[]>();
    for (const { name, servers: group } of groups) {
      const mine = group.map((server) => ({ server, url: url(server, name) }));
      const stretches = new Map<string, Stretch[]>(mine.map((c) => [c.server, []]));
      for (const c of mine) if (c.server !== "app") await checkSameData(c.server, name);
      for (const c of mine) await load(c.url, headers, warmupSeconds);
      for (let round = 0; round < rounds; round++) {
        for (const c of mine) {
          const stretch = await load(c.url, headers, measureSeconds / rounds);
          if (stretch.failed > 0) throw new Error(`${name} on ${c.server}: ${stretch.failed} requests failed`);
          stretches.get(c.server)!.push(stretch);
        }
      }
      for (const c of mine) {
        const summary = summarise(stretches.get(c.server)!);
        console.log(`  ${name.padEnd(12)} ${c.server.padEnd(12)} ${summary.requests} requests in ${summary.seconds.toFixed(1)} s`);
        roundsOf.set(`${name} ${c.server}`, stretches.get(c.server)!);
      }
    }

    /** The median of the rounds' ratios of `server` to `other` on `name`, and their lowest and highest. */
    const ratio = (name: EndpointName, server: ServerName, other: ServerName) => {
      const perSecond = (s: Stretch) => s.latencies.length / s.seconds;
      const theirs = roundsOf.get(`${name} ${other}`)!;
      const each = roundsOf.get(`${name} ${server}`)!.map((s, i) => perSecond(s) / perSecond(theirs[i]!)).sort((a, b) => a - b);
      const middle = each.length >> 1;
      return { median: each.length % 2 ? each[middle]! : (each[middle - 1]! + each[middle]!) / 2, low: each[0]!, high: each.at(-1)! };
    };
    const verdict = ({ median, low, high }: ReturnType<typeof ratio>, goal: number) =>
      `${median.toFixed(2)} ${median >= goal ? `(goal >= ${goal} met` : `(BELOW the ${goal} goal`}; rounds ${low.toFixed(2)}-${high.toFixed(2)})`;
    const rows = [["endpoint", "server", "req/s", "p50", "p99", "app/bare", "app/floor"]];
    for (const name of Object.keys(endpoints) as EndpointName[]) {
      const of = (server: ServerName) => summarise(roundsOf.get(`${name} ${server}`)!);
      const app = of("app");
      const line = (label: string, s: ReturnType<typeof summarise>, vsBare = "", vsFloor = "") => rows.push([name, label, s.requestsPerSecond.toFixed(0), ms(s.p50), ms(s.p99), vsBare, vsFloor]);
      line("app (tRPC)", app, verdict(ratio(name, "app", "bare"), goals.bare), verdict(ratio(name, "app", "floor"), goals.floor));
      line("bare", of("bare"));
      line("floor", of("floor"));
    }
    console.log(
      `\n${connections} keep-alive connections on 127.0.0.1; per case ${warmupSeconds} s warm-up, then ${measureSeconds} s in ${rounds} rounds alternating with the other servers; pool of ${poolSize} on every side; a ratio is the median of the rounds':\n`,
    );
    console.log(table(rows));
    const lane = (name: EndpointName) => ratio(name, "lane", "adapter").median;
    console.log(
      `\nThe GET lane for queries (apps/server/src/http/trpc.ts) against tRPC's own fetch-API path, each alone on node:http: photos.list ${lane("photos.list").toFixed(2)}x, session.me ${lane("session.me").toFixed(2)}x (kept only while it buys >= 1.15x on photos.list).`,
    );
    const missingFlags = startNodeFlags().filter((flag) => !process.execArgv.includes(flag));
    console.log(`\n(machine: ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}; the load generator shares them; node ${process.version} ${process.execArgv.filter((flag) => flag.startsWith("--max-")).join(" ") || "with no heap flags"})`);
    if (missingFlags.length > 0) console.log(`!! not run with the node flags of \`pnpm start\` (${missingFlags.join(" ")}): the app is measured as production does not run it`);

    await explainAll(pool, statements);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error("bench cleanup:", error));
    await dropDatabase(serverUrl!, databaseName);
    console.log(`\nbench: dropped ${databaseName}`);
  }
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of each statement. A named prepared statement is run by PostgreSQL
 * with a generic plan once it has been executed a few times, so for those that plan is shown too.
 */
async function explainAll(pool: ReturnType<typeof createBarePool>, statements: Record<EndpointName, Statement[]>) {
  const client = await pool.connect();
  const explain = async (statement: Statement, mode: "auto" | "force_generic_plan") => {
    await client.query(`SET plan_cache_mode = ${mode}`);
    const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, statement.params);
    return rows.map((r) => r["QUERY PLAN"]).join("\n");
  };
  try {
    for (const name of Object.keys(statements) as EndpointName[]) {
      const plans: string[] = [];
      for (const statement of statements[name]) {
        const plan = await explain(statement, "auto");
        plans.push(plan);
        console.log(`\n── ${name}: ${statement.sql}\n   params ${JSON.stringify(statement.params)}${statement.name ? `; prepared as ${statement.name}` : ""}\n${plan}`);
        if (statement.name) {
          const generic = await explain(statement, "force_generic_plan");
          plans.push(generic);
          console.log(`   generic plan of ${statement.name}:\n${generic}`);
        }
      }
      const all = plans.join("\n");
      const missing = expectedIndexes[name].filter((index) => !all.includes(index));
      const seqScans = all.match(/Seq Scan on \w+/g) ?? [];
      console.log(
        missing.length === 0 && seqScans.length === 0
          ? `   ${name}: index scans on ${expectedIndexes[name].join(", ")}; no sequential scan`
          : `   ${name}: NOT index-based: ${[...missing.map((i) => `${i} unused`), ...seqScans].join(", ")}`,
      );
    }
  } finally {
    await client.query("RESET plan_cache_mode");
    client.release();
  }
}

await main();
