import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Worker } from "node:worker_threads";
import { appRouter, createContext } from "@pinglass/api";
import { pino } from "pino";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { buildParts } from "../src/parts.ts";
import { createTrpcHandler } from "../src/http/trpc.ts";
import { createBarePool, createBareServer } from "./bare.ts";
import { recordStatements } from "./queries.ts";
import { createDatabase, dropDatabase, seed, withDatabase } from "./seed.ts";
const serverUrl = process.env.TEST_POSTGRES_URL!;
const name = `prof_${process.pid}`;
const url = withDatabase(serverUrl, name);
await createDatabase(serverUrl, name);
const config = loadConfig({ ...process.env, DATABASE_URL: url, DATABASE_DRIVER: undefined, SESSION_SECRET: `bench-${crypto.randomUUID()}-secret` });
const logger = pino({ level: "error" });
const parts = await buildParts(config, logger);
const userId = await seed(url);
const token = parts.deps.sessions.issue(userId).token;
const pool = createBarePool(url, 10);
const statements = await recordStatements(pool, parts.deps, token);
const servers: Record<string, Server> = {
  app: createApp({ deps: parts.deps, logger }),
  lane: createServer(createTrpcHandler({ router: appRouter, basePath: "/trpc/", createContext: ({ req }) => createContext(parts.deps, req.headers) })),
  bare: createBareServer({ pool, sessions: parts.deps.sessions, media: parts.deps.media, statements, recordedUserId: userId }),
};
const ep = process.env.EP ?? "session.me";
const input = ep === "photos.list" ? `?input=${encodeURIComponent(JSON.stringify({ limit: 30 }))}` : "";
for (const [n, s] of Object.entries(servers).filter(([n]) => !process.env.ONLY || process.env.ONLY.split(",").includes(n))) {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const target = n === "bare" ? `${base}/${ep}` : `${base}/trpc/${ep}${input}`;
  for (const phase of ["warm", "measure"]) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const res: { latencies: Float64Array } = await new Promise((resolve, reject) => {
      const w = new Worker(new URL("./load-worker.mjs", import.meta.url), { workerData: { url: target, headers: { authorization: `Bearer ${token}`, "accept-language": "ru" }, connections: 32, seconds: phase === "warm" ? 2 : 8 } });
      w.once("message", resolve);
      w.once("error", reject);
    });
    const cpu = process.cpuUsage(cpu0);
    const secs = (performance.now() - t0) / 1000;
    if (phase === "measure") console.log(n.padEnd(6), "req/s", Math.round(res.latencies.length / secs), "cpu µs/req (incl. load)", Math.round((cpu.user + cpu.system) / res.latencies.length));
  }
  s.closeAllConnections();
  s.close();
}
await pool.end();
await parts.close();
await dropDatabase(serverUrl, name);
process.exit(0);
