import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAvatar, createSessionTokens, getOrCreateUserByDevice } from "@pinglass/accounts";
import { systemClock } from "@pinglass/core";
import { referencePhotos } from "@pinglass/db";
import { createTestDb, testDriver, type TestDb } from "@pinglass/db/testing";
import { sweepOrphanMedia } from "@pinglass/media";
import { createTestMedia, testMediaSigningSecret } from "@pinglass/media/testing";
import { selfieOf } from "@pinglass/faces/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const serverDir = fileURLToPath(new URL("..", import.meta.url));
/** The database and media folder this test shares with the servers it spawns. */
const media = createTestMedia(systemClock, "http://127.0.0.1:1");
const emptyWebDist = mkdtempSync(join(tmpdir(), "pinglass-uploads-crash-web-"));
const sessionSecret = "uploads-crash-session-secret-0123456789abcdef";
let testDb: TestDb;
const servers: ChildProcess[] = [];

beforeAll(async () => {
  testDb = await createTestDb();
});

afterAll(async () => {
  for (const server of servers) server.kill("SIGKILL");
  await testDb.close();
  rmSync(media.root, { recursive: true, force: true });
  rmSync(emptyWebDist, { recursive: true, force: true });
});

/** `pnpm start` itself on this database and media folder, on a free port it reports in its log. */
async function startServer() {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH,
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: testDb.url!,
      MEDIA_DIR: media.root,
      MEDIA_SIGNING_SECRET: testMediaSigningSecret,
      SESSION_SECRET: sessionSecret,
      WEB_DIST: emptyWebDist,
      GENERATION_WORKER: "off",
      // The test fires far more uploads per user and per address than a person would.
      RATE_LIMIT_UPLOADS_PER_USER: "0",
      RATE_LIMIT_UPLOADS_PER_IP: "0",
      LOG_LEVEL: "info",
    },
  });
  servers.push(child);
  let output = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      output += chunk;
      const match = /"port":(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.stderr!.on("data", (chunk) => (output += chunk));
    void exited.then(() => reject(new Error(`the server exited before listening:\n${output}`)));
  });
  return { child, exited, base: `http://127.0.0.1:${port}` };
}

interface UploadRequest {
  avatarId: number;
  token: string;
  files: { name: string; bytes: Buffer; sha256: string }[];
  /** The ids the server answered with, once an answer arrived. */
  answered: number[] | null;
}

/**
 * One upload request until every file is taken. Eighteen requests at once keep the face analysers
 * busy, and a file refused as busy is sent again a moment later, as the web app does (the files
 * already taken answer their stored rows: an upload is idempotent by content).
 */
async function send(base: string, request: UploadRequest): Promise<number[]> {
  for (;;) {
    const form = new FormData();
    for (const file of request.files) form.append("files", new Blob([new Uint8Array(file.bytes)], { type: "image/jpeg" }), file.name);
    const response = await fetch(`${base}/uploads/avatars/${request.avatarId}/references`, { method: "POST", body: form, headers: { authorization: `Bearer ${request.token}` } });
    const body = (await response.json()) as { accepted: { id: number }[]; rejected: { messageKey: string }[] };
    if (response.status === 200 && body.rejected.length > 0 && body.rejected.every((r) => r.messageKey === "errors.face.busy")) {
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 300));
      continue;
    }
    if (response.status !== 200 || body.rejected.length > 0) throw new Error(`upload answered ${response.status}: ${JSON.stringify(body)}`);
    return body.accepted.map((a) => a.id);
  }
}

/** Every file under the media folder, as paths relative to it. */
async function everyFile(): Promise<string[]> {
  const entries = await readdir(media.root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(media.root.length + 1));
}

describe("the server killed with SIGKILL in the middle of selfie uploads", () => {
  it("loses none, doubles none after the retries, and leaves no file without a row once swept", async () => {
    expect(testDriver()).toBe("postgres");
    const sessions = createSessionTokens({ secret: sessionSecret, ttlSeconds: 3600, clock: systemClock });
    const requests: UploadRequest[] = [];
    for (let u = 0; u < 3; u++) {
      const user = await getOrCreateUserByDevice(testDb.db, crypto.randomUUID());
      const { token } = sessions.issue(user.id);
      for (let a = 0; a < 2; a++) {
        const avatar = await createAvatar(testDb.db, user.id, `Crash ${u}-${a}`);
        // Six selfies per avatar (one person's, real faces: the server checks them) in three requests of two.
        for (let r = 0; r < 3; r++) {
          const files = await Promise.all(
            [0, 1].map(async (f) => {
              const bytes = await selfieOf("man", r * 2 + f);
              return { name: `selfie-${r}-${f}.jpg`, bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
            }),
          );
          requests.push({ avatarId: avatar.id, token, files, answered: null });
        }
      }
    }

    const first = await startServer();
    let answers = 0;
    let killed!: () => void;
    const enoughAnswers = new Promise<void>((resolve) => (killed = resolve));
    const inFlight = requests.map(async (request) => {
      try {
        request.answered = await send(first.base, request);
        if (++answers === 4) killed();
      } catch {
        // The connection died with the server: no answer.
      }
    });
    await enoughAnswers;
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    await Promise.all(inFlight);
    const unanswered = requests.filter((r) => r.answered === null);
    expect(unanswered.length).toBeGreaterThan(0);
    const rowsAtTheKill = (await testDb.db.select().from(referencePhotos)).length;

    // The clients retry every upload whose answer never came, against the restarted server.
    const second = await startServer();
    for (const request of unanswered) request.answered = await send(second.base, request);
    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);

    const rows = await testDb.db.select().from(referencePhotos);
    const expected = requests.flatMap((r) => r.files.map((f) => `${r.avatarId}:${f.sha256}`));
    const stored = rows.map((row) => `${row.avatarId}:${row.contentSha256}`);
    const lost = expected.filter((key) => !stored.includes(key)).length;
    const doubled = stored.length - new Set(stored).size + stored.filter((key) => !expected.includes(key)).length;
    // Every answer names rows that exist, and each file got exactly one.
    const rowIds = new Set(rows.map((row) => row.id));
    expect(requests.flatMap((r) => r.answered!).filter((id) => !rowIds.has(id))).toEqual([]);
    for (const row of rows) {
      expect((await stat(join(media.root, row.storageKey))).isFile(), row.storageKey).toBe(true);
      expect((await stat(join(media.root, row.thumbnailKey))).isFile(), row.thumbnailKey).toBe(true);
    }

    const named = new Set(rows.flatMap((row) => [row.storageKey, row.thumbnailKey, row.faceKey!]));
    const orphansBefore = (await everyFile()).filter((file) => !named.has(file)).length;
    const swept = await sweepOrphanMedia(testDb.db, media, { now: new Date(), graceMs: 0 });
    const orphans = (await everyFile()).filter((file) => !named.has(file));
    console.log(
      `uploads killed mid-way: ${requests.length} requests of ${expected.length} selfies, ${requests.length - unanswered.length} answered before the kill (${rowsAtTheKill} rows by then), ${unanswered.length} retried; ` +
        `lost ${lost}, doubled ${doubled}, orphans ${orphans.length} (the sweep removed ${swept.orphans} files without rows and ${swept.unfinished} .partial files; ${orphansBefore} before it)`,
    );
    expect({ lost, doubled, orphans }).toEqual({ lost: 0, doubled: 0, orphans: [] });
    expect(rows).toHaveLength(expected.length);
  }, 180_000);
});
