/**
 * LOAD: simulated users, each with its own device and session, in a closed loop over a realistic
 * mix (sign in, my avatars, photos, me, new avatar, uploads of real selfies), against the
 * server process; /healthz sampled every 250 ms meanwhile; afterwards every row the users were
 * told about is looked up through the API (and, on PostgreSQL, in the database).
 */
import { Agent } from "node:http";
import { personNames, selfiesOf } from "@pinglass/faces/testing";
import pg from "pg";
import { filePart, multipart, type Outcome, send } from "./http.ts";
import type { ServerProcess } from "./server.ts";
import { bearer, call, callSpec, decodeOutput } from "./trpc.ts";

type Action = "session.start" | "session.me" | "avatars.list" | "photos.list" | "avatars.create" | "upload";

/** How often each action is picked; uploads are one selfie per request, as the web app sends them. */
const mix: [Action, number][] = [
  ["session.me", 20],
  ["avatars.list", 25],
  ["photos.list", 20],
  ["upload", 20],
  ["session.start", 10],
  ["avatars.create", 5],
];
const maxSelfiesPerAvatar = 20;
const requestTimeoutMs = 30_000;
/** Selfies per person: the test set's eleven variations. */
const distinctPhotos = 11;

interface SimulatedUser {
  /** Which person of the test set this user is (their selfies). */
  person: number;
  deviceId: string;
  token: string | null;
  /** Avatars whose create was answered 200, with the selfies accepted into each (reference id → photo index). */
  avatars: Map<number, Map<number, number>>;
  /** Selfies the server refused with a reason (limit reached, no face…), by message key: not errors. */
  refused: Map<string, number>;
}

interface Sample {
  action: Action;
  status: number | string;
  ms: number;
}

let photos: Buffer[][] | null = null;
/**
 * Real selfies (the face checks refuse anything else): per person of the faces package's test set,
 * its eleven variations, made once and reused by every run. Each simulated user is one person.
 */
async function loadPhotos(): Promise<Buffer[][]> {
  photos ??= await Promise.all(personNames.map((person) => selfiesOf(person, distinctPhotos)));
  return photos;
}

const percentile = (sorted: number[], q: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
const ms = (value: number) => (Number.isFinite(value) ? (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`) : "none");

export async function runLoad(options: { server: ServerProcess; database: "postgres" | "pglite"; databaseUrl?: string; users: number; seconds: number }) {
  const { server, database, users: userCount, seconds } = options;
  const people = await loadPhotos();
  const boundary = "edgesLoadBoundary";
  const bodies = people.map((selfies) => selfies.map((jpeg, i) => multipart(boundary, [filePart(`selfie-${i}.jpg`, jpeg)])));
  await server.start();
  const port = server.port;
  console.log(`\n── ${server.label}: ${userCount} users, ${seconds} s, closed loop without think time (but a selfie refused as busy waits 2–5 s, as the web app does); mix ${mix.map(([a, w]) => `${a} ${w}%`).join(", ")}`);

  const agent = new Agent({ keepAlive: true, maxSockets: userCount + 8 });
  const samples: Sample[] = [];
  const users: SimulatedUser[] = Array.from({ length: userCount }, (_, i) => ({ person: i % people.length, deviceId: crypto.randomUUID(), token: null, avatars: new Map(), refused: new Map() }));
  const started = performance.now();
  const deadline = started + seconds * 1000;

  const timed = async (action: Action, run: () => Promise<Outcome>): Promise<Outcome> => {
    const outcome = await run();
    samples.push({ action, status: outcome.status, ms: outcome.ms });
    return outcome;
  };
  const data = <T>(outcome: Outcome): T | undefined => {
    if (outcome.status !== 200 || !outcome.body) return undefined;
    const parsed = JSON.parse(outcome.body.toString("utf8")) as { result?: { data?: unknown } };
    return decodeOutput<T>(parsed.result?.data);
  };
  const trpc = (user: SimulatedUser, action: Action, type: "query" | "mutation", input?: unknown) =>
    timed(action, () => send(port, callSpec(action, type, input, bearer(user.token ?? undefined)), { agent, timeoutMs: requestTimeoutMs, maxBodyBytes: 1024 * 1024 }));

  const signIn = async (user: SimulatedUser) => {
    const session = data<{ token: string; deviceId?: string }>(await trpc(user, "session.start", "mutation", { deviceId: user.deviceId }));
    if (session) {
      user.token = session.token;
      // A server that rotates the device credential hands back the one to use next time.
      if (session.deviceId) user.deviceId = session.deviceId;
    }
  };
  const createAvatar = async (user: SimulatedUser) => {
    const avatar = data<{ id: number }>(await trpc(user, "avatars.create", "mutation", { name: `Load ${user.avatars.size + 1}` }));
    if (avatar) user.avatars.set(avatar.id, new Map());
  };
  const upload = async (user: SimulatedUser) => {
    const open = [...user.avatars.entries()].filter(([, selfies]) => selfies.size < maxSelfiesPerAvatar);
    if (open.length === 0) return createAvatar(user);
    const [avatarId, selfies] = open[Math.floor(Math.random() * open.length)]!;
    // Any of the person's eleven selfies, so the same file now and then goes to the same avatar again (a retry).
    const photo = Math.floor(Math.random() * distinctPhotos);
    const outcome = await timed("upload", () =>
      send(
        port,
        { kind: "http", method: "POST", path: `/uploads/avatars/${avatarId}/references`, headers: { "content-type": `multipart/form-data; boundary=${boundary}`, ...bearer(user.token ?? undefined) }, body: bodies[user.person]![photo] },
        { agent, timeoutMs: requestTimeoutMs, maxBodyBytes: 64 * 1024 },
      ),
    );
    if (outcome.status !== 200 || !outcome.body) return;
    const answer = JSON.parse(outcome.body.toString("utf8")) as { accepted?: { id: number }[]; rejected?: { messageKey?: string }[] };
    for (const accepted of answer.accepted ?? []) selfies.set(accepted.id, photo);
    for (const { messageKey = "?" } of answer.rejected ?? []) user.refused.set(messageKey, (user.refused.get(messageKey) ?? 0) + 1);
    // As the web app does with a selfie the server was too busy to check: wait 2–5 s, then go on.
    if (answer.rejected?.some((r) => r.messageKey === "errors.face.busy")) await new Promise((r) => setTimeout(r, 2000 + Math.random() * 3000));
  };

  const totalWeight = mix.reduce((sum, [, w]) => sum + w, 0);
  const pick = (): Action => {
    let r = Math.random() * totalWeight;
    for (const [action, weight] of mix) if ((r -= weight) < 0) return action;
    return mix[0]![0];
  };
  const simulate = async (user: SimulatedUser) => {
    while (performance.now() < deadline) {
      if (!user.token) {
        await signIn(user);
        continue;
      }
      const action = pick();
      if (action === "session.start") await signIn(user);
      else if (action === "avatars.create") await createAvatar(user);
      else if (action === "upload") await upload(user);
      else await trpc(user, action, "query");
    }
  };

  // /healthz every 250 ms on its own connections, whether or not the last one has answered.
  const health: number[] = [];
  const healthTimer = setInterval(() => {
    void send(port, { kind: "http", method: "GET", path: "/healthz" }, { timeoutMs: 20_000 }).then((o) => health.push(o.status === 200 ? o.ms : Number.POSITIVE_INFINITY));
  }, 250);
  // Everyone arrives at once, then each goes on in its own loop.
  await Promise.all(users.map(signIn));
  if (users.every((u) => !u.token)) {
    clearInterval(healthTimer);
    const answer = samples.find((s) => s.action === "session.start");
    throw new Error(`no simulated user could sign in (session.start answered ${answer?.status ?? "nothing"})`);
  }
  await Promise.all(users.map(simulate));
  clearInterval(healthTimer);
  const elapsed = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 500));

  // ── figures
  const latencies = samples.map((s) => s.ms).sort((a, b) => a - b);
  const errors = new Map<string, number>();
  for (const s of samples) if (s.status !== 200) errors.set(`${s.action} → ${s.status}`, (errors.get(`${s.action} → ${s.status}`) ?? 0) + 1);
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
  const p99 = percentile(latencies, 0.99);
  console.log(`requests: ${samples.length} in ${elapsed.toFixed(1)} s = ${(samples.length / elapsed).toFixed(0)} req/s; errors: ${errorCount}`);
  for (const [kind, count] of [...errors.entries()].sort((a, b) => b[1] - a[1])) console.log(`  error ${kind}: ${count}`);
  console.log(`latency (all): p50 ${ms(percentile(latencies, 0.5))}, p99 ${ms(p99)}, max ${ms(latencies.at(-1) ?? Number.NaN)}`);
  for (const [action] of mix) {
    const own = samples.filter((s) => s.action === action).map((s) => s.ms).sort((a, b) => a - b);
    console.log(`  ${action.padEnd(15)} ${String(own.length).padStart(7)} requests  p50 ${ms(percentile(own, 0.5)).padStart(8)}  p99 ${ms(percentile(own, 0.99)).padStart(8)}  max ${ms(own.at(-1) ?? Number.NaN).padStart(8)}`);
  }
  const healthSorted = [...health].sort((a, b) => a - b);
  const healthSlow = health.filter((h) => h >= 1000).length;
  const healthUnanswered = health.filter((h) => !Number.isFinite(h)).length;
  console.log(`/healthz every 250 ms: ${health.length} samples, p50 ${ms(percentile(healthSorted, 0.5))}, max ${ms(healthSorted.filter(Number.isFinite).at(-1) ?? Number.NaN)}, ${healthSlow} over 1 s (${healthUnanswered} not answered 200 within 20 s)`);

  // ── every row exactly once
  const rows = await checkRows(port, agent, users, options.databaseUrl);
  agent.destroy();
  const processProblems = await server.stopAndReport();

  const label = `LOAD ${database}`;
  return {
    goals: [
      { figure: `${label} errors`, met: errorCount === 0 && processProblems === 0, detail: `${errorCount} errors in ${samples.length} requests (${(samples.length / elapsed).toFixed(0)} req/s), ${processProblems} bad exits, ${server.errorLines.length} error log lines; goal 0 errors` },
      { figure: `${label} p99`, met: p99 < 1000, detail: `p99 ${ms(p99)}, max ${ms(latencies.at(-1) ?? Number.NaN)}; goal p99 < 1 s` },
      { figure: `${label} /healthz`, met: healthSlow === 0 && health.length > 0, detail: `max ${ms(healthSorted.at(-1) ?? Number.NaN)}, ${healthSlow} of ${health.length} samples over 1 s; goal always < 1 s` },
      { figure: `${label} rows exactly once`, met: rows.problems === 0, detail: rows.summary },
    ],
  };
}

/** Looks up, through the API, every avatar and selfie the users were told was created; on PostgreSQL also in the tables. */
async function checkRows(port: number, agent: Agent, users: SimulatedUser[], databaseUrl: string | undefined) {
  let lostAvatars = 0;
  let extraAvatars = 0;
  let listedTwice = 0;
  let lostSelfies = 0;
  let extraSelfies = 0;
  let doubledSelfies = 0;
  let unreadable = 0;
  let next = 0;
  const check = async () => {
    for (let i = next++; i < users.length; i = next++) {
      const user = users[i]!;
      if (!user.token) continue;
      const listed: number[] = [];
      let cursor: number | null = null;
      for (let page = 0; page < 100; page++) {
        type Listed = { items?: { id: number }[]; nextCursor?: number | null } | { id: number }[];
        const answer: { outcome: Outcome; data?: Listed } = await call<Listed>(port, agent, user.token, "avatars.list", "query", cursor === null ? undefined : { cursor });
        const { outcome, data } = answer;
        if (outcome.status !== 200 || !data) {
          unreadable++;
          break;
        }
        // A plain array (older servers) or a page with nextCursor.
        const items = Array.isArray(data) ? data : (data.items ?? []);
        listed.push(...items.map((a) => a.id));
        cursor = Array.isArray(data) ? null : (data.nextCursor ?? null);
        if (cursor === null) break;
      }
      listedTwice += listed.length - new Set(listed).size;
      for (const id of user.avatars.keys()) if (!listed.includes(id)) lostAvatars++;
      extraAvatars += listed.filter((id) => !user.avatars.has(id)).length;
      for (const [avatarId, selfies] of user.avatars) {
        const { outcome, data } = await call<{ id: number }[]>(port, agent, user.token, "references.list", "query", { avatarId });
        if (outcome.status !== 200 || !data) {
          unreadable++;
          continue;
        }
        const ids = data.map((r) => r.id);
        for (const id of selfies.keys()) if (!ids.includes(id)) lostSelfies++;
        extraSelfies += ids.filter((id) => !selfies.has(id)).length;
        // The same photo accepted under two ids on one avatar is the same selfie stored twice.
        const byPhoto = new Map<number, number>();
        for (const photo of selfies.values()) byPhoto.set(photo, (byPhoto.get(photo) ?? 0) + 1);
        for (const count of byPhoto.values()) doubledSelfies += count - 1;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, check));
  const createdAvatars = users.reduce((n, u) => n + u.avatars.size, 0);
  const acceptedSelfies = users.reduce((n, u) => n + [...u.avatars.values()].reduce((m, s) => m + s.size, 0), 0);
  const reasons = new Map<string, number>();
  for (const u of users) for (const [key, n] of u.refused) reasons.set(key, (reasons.get(key) ?? 0) + n);
  const refused = [...reasons.values()].reduce((a, b) => a + b, 0);
  const why = [...reasons.entries()].sort((a, b) => b[1] - a[1]).map(([key, n]) => `${key} ×${n}`).join(", ");
  let sql = "";
  let sqlProblems = 0;
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ doubled: string; unhashed: string; users: string; devices: string }>(`
        SELECT (SELECT count(*) FROM (SELECT 1 FROM reference_photos WHERE content_sha256 IS NOT NULL GROUP BY avatar_id, content_sha256 HAVING count(*) > 1) d) AS doubled,
               (SELECT count(*) FROM reference_photos WHERE content_sha256 IS NULL) AS unhashed,
               (SELECT count(*) FROM users) AS users,
               (SELECT count(DISTINCT device_id) FROM users) AS devices`);
      const r = rows[0]!;
      sqlProblems = Number(r.doubled);
      sql = `; in PostgreSQL: ${r.doubled} (avatar, content_sha256) pairs stored twice, ${r.unhashed} selfies without content_sha256, ${r.users} users for ${users.length} devices`;
    } finally {
      await client.end();
    }
  }
  const problems = lostAvatars + listedTwice + lostSelfies + doubledSelfies + unreadable + sqlProblems;
  const summary =
    `${createdAvatars} avatars and ${acceptedSelfies} selfies acknowledged (${refused} selfies refused with a reason${why ? `: ${why}` : ""}): ` +
    `lost ${lostAvatars} avatars / ${lostSelfies} selfies, listed twice ${listedTwice}, same photo stored twice on one avatar ${doubledSelfies}, ` +
    `rows nobody was told about ${extraAvatars} avatars / ${extraSelfies} selfies (from requests that timed out, if any), unreadable lists ${unreadable}${sql}`;
  console.log(`rows: ${summary}`);
  return { problems, summary };
}
