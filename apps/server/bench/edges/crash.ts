/**
 * CRASH: the server on PostgreSQL with a fake T-Bank on 127.0.0.1 (the bank outlives the server,
 * as the real one does). Buyers pay or decline; the bank's signed notifications arrive in a burst
 * and each paid buyer starts a photoset as soon as the payment is confirmed; the server is killed
 * with SIGKILL half-way. It is started again, and everything not acknowledged is sent again (the
 * bank resends notifications, the browser retries generation.start), plus every acknowledged
 * notification once more (the bank's duplicates). Then the tables must show each payment in its
 * final state, no event recorded twice, and exactly one job per paid payment.
 */
import { randomBytes } from "node:crypto";
import { Agent } from "node:http";
import { styleIds } from "@pinglass/generation";
import { startFakeTbank } from "@pinglass/payments/testing";
import pg from "pg";
import { type Outcome, send } from "./http.ts";
import { ServerProcess } from "./server.ts";
import { bearer, callSpec, must, newUser } from "./trpc.ts";

interface Purchase {
  token: string;
  avatarId: number;
  paymentId: number;
  bankPaymentId: string;
  pays: boolean;
  /** The bank's notifications in the order it sends them, and whether each was acknowledged (200 "OK"). */
  notifications: { status: string; body: Record<string, unknown>; acked: boolean }[];
  /** generation.start answered 200. */
  started: boolean;
}

export async function runCrash(options: { port: number; env: Record<string, string>; databaseUrl: string; payments: number }) {
  const { port, databaseUrl } = options;
  const terminalKey = "EdgesCrashTerminal";
  const password = randomBytes(16).toString("hex");
  const bank = await startFakeTbank({ terminalKey, password });
  const server = new ServerProcess("crash server (PostgreSQL)", port, {
    ...options.env,
    PAYMENTS_TEST_CHECKOUT: "false",
    TBANK_TERMINAL_KEY: terminalKey,
    TBANK_PASSWORD: password,
    TBANK_API_URL: bank.baseUrl,
    // Jobs are created and left queued: what is checked is that each was started once.
    GENERATION_WORKER: "off",
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const db = new pg.Client({ connectionString: databaseUrl });
  const serverErrors: string[] = [];
  try {
    await server.start();
    await db.connect();

    // ── buyers: a user, an avatar with five selfies (rows only: no worker reads them), a payment at the bank
    const purchases: Purchase[] = [];
    for (let i = 0; i < options.payments; i++) {
      const user = await newUser(port, agent);
      const avatar = await must<{ id: number }>(port, agent, user.token, "avatars.create", "mutation", { name: `Crash ${i}` });
      await db.query(
        `INSERT INTO reference_photos (avatar_id, storage_key, thumbnail_key, size_bytes, width, height, content_type, content_sha256)
         SELECT $1::int, 'refs/' || $1 || '/' || n || '.jpg', 'refs/' || $1 || '/' || n || '.thumb.webp', 1000, 800, 600, 'image/jpeg', md5($1 || '-' || n) || md5(n || '-' || $1)
         FROM generate_series(1, 5) AS n`,
        [avatar.id],
      );
      const payment = await must<{ paymentId: number }>(port, agent, user.token, "payments.create", "mutation", { tierId: "starter", email: `crash${i}@example.com` });
      const { rows } = await db.query<{ tbank_payment_id: string }>("SELECT tbank_payment_id FROM payments WHERE id = $1", [payment.paymentId]);
      const bankPaymentId = rows[0]!.tbank_payment_id;
      const pays = i % 5 !== 4;
      const statuses = pays ? ["AUTHORIZED", "CONFIRMED"] : ["REJECTED"];
      // The bank's own state is final, whatever reaches us: GetState tells the truth.
      bank.setStatus(bankPaymentId, statuses.at(-1)!);
      purchases.push({
        token: user.token,
        avatarId: avatar.id,
        paymentId: payment.paymentId,
        bankPaymentId,
        pays,
        notifications: statuses.map((status) => ({ status, body: bank.notificationFor(bankPaymentId, status), acked: false })),
        started: false,
      });
    }
    const total = purchases.reduce((n, p) => n + p.notifications.length, 0);
    console.log(`${purchases.length} payments at the fake bank (${purchases.filter((p) => p.pays).length} to be paid, the rest declined): ${total} notifications`);

    const notify = (body: Record<string, unknown>) =>
      send(port, { kind: "http", method: "POST", path: "/webhooks/tbank", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }, { agent, timeoutMs: 15_000 });
    const start = (p: Purchase) => send(port, callSpec("generation.start", "mutation", { avatarId: p.avatarId, styleId: styleIds[0], paymentId: p.paymentId }, bearer(p.token)), { agent, timeoutMs: 15_000 });
    const note = (what: string, outcome: Outcome) => {
      if (typeof outcome.status === "number" && outcome.status >= 500) serverErrors.push(`${what} → ${outcome.status} ${outcome.body?.toString("utf8").slice(0, 200)}`);
    };

    // ── the burst; kill -9 once half of its steps (notifications and photoset starts) are answered
    const steps = total + purchases.filter((p) => p.pays).length;
    let answered = 0;
    let cutOff = 0;
    let killed: Promise<void> | null = null;
    const answeredOne = (outcome: Outcome) => {
      if (typeof outcome.status !== "number") cutOff++;
      if (++answered === Math.floor(steps / 2)) killed = server.kill9();
    };
    const chain = async (p: Purchase) => {
      for (const n of p.notifications) {
        const outcome = await notify(n.body);
        answeredOne(outcome);
        note(`notification ${n.status} of payment ${p.paymentId}`, outcome);
        if (outcome.status !== 200 || outcome.body?.toString() !== "OK") return;
        n.acked = true;
      }
      if (!p.pays) return;
      const outcome = await start(p);
      answeredOne(outcome);
      note(`generation.start of payment ${p.paymentId}`, outcome);
      p.started = outcome.status === 200;
    };
    let nextChain = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = nextChain++; i < purchases.length; i = nextChain++) await chain(purchases[i]!);
      }),
    );
    await killed;
    if (server.running) await server.kill9();
    const ackedBefore = purchases.reduce((n, p) => n + p.notifications.filter((x) => x.acked).length, 0);
    const startedBefore = purchases.filter((p) => p.started).length;
    console.log(`kill -9 half-way: ${ackedBefore} of ${total} notifications acknowledged and ${startedBefore} photosets started before it; ${cutOff} requests got no answer (cut off or refused)`);

    // ── restart, resend what was not acknowledged, then the bank's duplicates and the browser's repeats
    await server.start();
    let resent = 0;
    let duplicatesRefused = 0;
    for (const p of purchases) {
      for (const n of p.notifications) {
        if (n.acked) continue;
        resent++;
        const outcome = await notify(n.body);
        note(`resent notification ${n.status} of payment ${p.paymentId}`, outcome);
        n.acked = outcome.status === 200 && outcome.body?.toString() === "OK";
      }
      if (p.pays && !p.started) {
        const outcome = await start(p);
        note(`retried generation.start of payment ${p.paymentId}`, outcome);
        p.started = outcome.status === 200;
      }
    }
    for (const p of purchases) {
      for (const n of p.notifications) {
        const outcome = await notify(n.body);
        note(`duplicate notification ${n.status} of payment ${p.paymentId}`, outcome);
        if (outcome.status !== 200) duplicatesRefused++;
      }
      if (p.pays) note(`repeated generation.start of payment ${p.paymentId}`, await start(p));
    }
    const stillUnacked = purchases.reduce((n, p) => n + p.notifications.filter((x) => !x.acked).length, 0);
    const notStarted = purchases.filter((p) => p.pays && !p.started).length;

    // ── the tables
    const ids = purchases.map((p) => p.paymentId);
    const { rows: payments } = await db.query<{ id: number; status: string; consumed: boolean }>("SELECT id, status, consumed_at IS NOT NULL AS consumed FROM payments WHERE id = ANY($1)", [ids]);
    const { rows: events } = await db.query<{ payment_id: number; bank_status: string; kind: string; n: string }>(
      "SELECT payment_id, bank_status, split_part(dedupe_key, ':', 1) AS kind, count(*) AS n FROM payment_events WHERE payment_id = ANY($1) GROUP BY 1, 2, 3",
      [ids],
    );
    const { rows: jobs } = await db.query<{ payment_id: number; n: string }>("SELECT payment_id, count(*) AS n FROM generation_jobs WHERE payment_id = ANY($1) GROUP BY 1", [ids]);
    let lostStates = 0;
    let wrongStates = 0;
    let lostEvents = 0;
    let doubledEvents = 0;
    let lostJobs = 0;
    let doubledJobs = 0;
    let wrongJobs = 0;
    for (const p of purchases) {
      const row = payments.find((r) => r.id === p.paymentId);
      const expected = p.pays ? "succeeded" : "canceled";
      if (!row || row.status === "pending") lostStates++;
      else if (row.status !== expected) wrongStates++;
      const mine = events.filter((e) => e.payment_id === p.paymentId);
      for (const e of mine) doubledEvents += Number(e.n) - 1;
      for (const n of p.notifications) if (!mine.some((e) => e.kind === "notification" && e.bank_status === n.status)) lostEvents++;
      const jobCount = Number(jobs.find((j) => j.payment_id === p.paymentId)?.n ?? 0);
      if (p.pays && jobCount === 0) lostJobs++;
      if (jobCount > 1) doubledJobs += jobCount - 1;
      if (!p.pays && jobCount > 0) wrongJobs++;
    }
    console.log(`after the restart: ${resent} notifications resent (${stillUnacked} still not acknowledged), ${notStarted} paid photosets still not started; ${duplicatesRefused} duplicate notifications not answered 200`);
    console.log(`payments: lost state ${lostStates}, wrong state ${wrongStates}; payment_events: lost ${lostEvents}, doubled ${doubledEvents}; jobs: lost ${lostJobs}, doubled ${doubledJobs}, for a declined payment ${wrongJobs}`);
    if (serverErrors.length > 0) {
      console.log(`answers >= 500 (${serverErrors.length}):`);
      for (const line of serverErrors.slice(0, 30)) console.log(`  ${line}`);
    }
    const badExits = await server.stopAndReport("our kill -9");
    const lost = lostStates + lostEvents + lostJobs + stillUnacked + notStarted;
    const doubled = doubledEvents + doubledJobs;
    return {
      goals: [
        {
          figure: "CRASH",
          met: lost === 0 && doubled === 0 && wrongStates + wrongJobs === 0 && serverErrors.length === 0 && badExits === 0,
          detail: `kill -9 after ${ackedBefore}/${total} notifications: lost ${lost}, doubled ${doubled}, wrong ${wrongStates + wrongJobs}, answers >= 500 ${serverErrors.length}, error log lines ${server.errorLines.length}; goal 0 lost / 0 doubled`,
        },
      ],
    };
  } finally {
    agent.destroy();
    await db.end().catch(() => undefined);
    if (server.running) await server.stop();
    await bank.close();
  }
}


