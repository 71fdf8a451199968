import { readdir, rm, utimes } from "node:fs/promises";
import { request } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { createTestApi } from "@pinglass/api/testing";
import { setPhotoFavourite } from "@pinglass/accounts";
import { generatedPhotos, referencePhotos } from "@pinglass/db";
import { avatarZipLink, saveGeneratedImage } from "@pinglass/media";
import { distinctJpeg, photoJpeg, pngBomb } from "@pinglass/media/testing";
import { eq } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Server } from "node:http";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { mediaArea } from "./media.ts";
import { testConfig } from "./testing.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
let server: ReturnType<typeof createApp>;
let base: string;
let selfie: Buffer;

beforeAll(async () => {
  api = await createTestApi();
  const logger = pino({ level: "silent" });
  server = createApp({ deps: api.deps, logger, routes: mediaArea(testConfig, logger, api.clock).parts(api.deps).routes });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  selfie = await photoJpeg(900, 1200);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await api.testDb.close();
});
// The database starts afresh for each test (avatar ids too); so does the folder of selfies.
beforeEach(async () => {
  await api.testDb.reset();
  await rm(`${api.media.root}/refs`, { recursive: true, force: true });
});

/** Our signed links name the public origin; the test server listens elsewhere. */
const local = (link: string) => {
  const url = new URL(link);
  return `${base}${url.pathname}${url.search}`;
};

function upload(avatarId: number, token: string | null, files: [string, Blob][], locale = "en") {
  const form = new FormData();
  for (const [name, blob] of files) form.append("files", blob, name);
  return fetch(`${base}/uploads/avatars/${avatarId}/references`, {
    method: "POST",
    body: form,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "accept-language": locale },
  });
}

const jpegBlob = (bytes: Buffer, type = "image/jpeg") => new Blob([new Uint8Array(bytes)], { type });

describe("POST /uploads/avatars/:avatarId/references", () => {
  it("keeps the good selfies and rejects the hostile corpus per file, in the caller's language", async () => {
    const { caller, token } = await api.signIn();
    const avatar = await caller.avatars.create();
    const fiftyMegabytes = Buffer.alloc(50 * 1024 * 1024, 1);
    fiftyMegabytes.set([0xff, 0xd8, 0xff, 0xe0]);
    const response = await upload(avatar.id, token, [
      ["me-1.jpg", jpegBlob(selfie)],
      ["empty.jpg", jpegBlob(Buffer.alloc(0))],
      ["truncated.jpg", jpegBlob(selfie.subarray(0, selfie.length / 3))],
      ["evil.svg", new Blob(['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'], { type: "image/svg+xml" })],
      ["notes.jpg", new Blob(["just some text"], { type: "image/jpeg" })],
      ["bomb.png", jpegBlob(pngBomb(20_000), "image/png")],
      ["huge.jpg", jpegBlob(fiftyMegabytes)],
      ["me-2.jpg", jpegBlob(await photoJpeg(1200, 1600))],
    ]);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { accepted: { id: number; thumbnailUrl: string }[]; rejected: { name: string; reason: string }[] };
    expect(body.accepted).toHaveLength(2);
    expect(body.rejected.map((r) => [r.name, r.reason])).toEqual([
      ["empty.jpg", "The file is empty."],
      ["truncated.jpg", "The photo could not be read: the file is damaged or cut short."],
      ["evil.svg", "This is not a photo: JPEG, PNG, WebP and AVIF are accepted."],
      ["notes.jpg", "This is not a photo: JPEG, PNG, WebP and AVIF are accepted."],
      ["bomb.png", "The photo is too large: more than 50 megapixels."],
      ["huge.jpg", "The file is larger than 15 MB."],
    ]);
    expect((await caller.references.list({ avatarId: avatar.id })).map((r) => r.id)).toEqual(body.accepted.map((a) => a.id));

    const thumbnail = await fetch(local(body.accepted[0]!.thumbnailUrl));
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get("content-type")).toBe("image/webp");
  });

  it("answers in Russian by default", async () => {
    const { caller, token } = await api.signIn();
    const avatar = await caller.avatars.create();
    const response = await upload(avatar.id, token, [["a.jpg", new Blob(["text"])]], "ru");
    expect(((await response.json()) as { rejected: { reason: string }[] }).rejected[0]!.reason).toBe("Это не фото: подходят JPEG, PNG, WebP и AVIF.");
  });

  it("refuses without a session, for someone else's avatar, without multipart, without files, and past 20 selfies", async () => {
    const { caller, token } = await api.signIn();
    const stranger = await api.signIn();
    const avatar = await caller.avatars.create();
    const one: [string, Blob][] = [["me.jpg", jpegBlob(selfie)]];

    const anonymous = await upload(avatar.id, null, one);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: "UNAUTHORIZED", messageKey: "errors.unauthorized", message: "Your session has expired. Reload the page to sign in again." } });
    expect((await upload(avatar.id, "forged.token", one)).status).toBe(401);
    // A deleted account's token still verifies; the route refuses it like an expired session.
    const gone = await api.signIn();
    await gone.caller.account.deleteAll({ confirm: true });
    expect((await upload(avatar.id, gone.token, one)).status).toBe(401);
    const foreign = await upload(avatar.id, stranger.token, one);
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { error: { message: string } }).error.message).toBe("Avatar not found.");
    const json = await fetch(`${base}/uploads/avatars/${avatar.id}/references`, { method: "POST", body: "{}", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
    expect(json.status).toBe(415);
    expect((await upload(avatar.id, token, [])).status).toBe(400);
    expect(await caller.references.list({ avatarId: avatar.id })).toEqual([]);

    const twentyTwo = Array.from({ length: 22 }, (_, i): [string, Blob] => [`me-${i}.jpg`, jpegBlob(distinctJpeg(selfie, i))]);
    const full = (await (await upload(avatar.id, token, twentyTwo)).json()) as { accepted: unknown[]; rejected: { reason: string }[] };
    expect(full.accepted).toHaveLength(20);
    expect(full.rejected.length).toBeGreaterThan(0);
    expect(full.rejected[0]!.reason).toBe("This avatar already has 20 selfies, the maximum. Remove some to add new ones.");
    expect(await caller.references.list({ avatarId: avatar.id })).toHaveLength(20);
  });
});

/** The answer to a request written byte for byte; what the client does after the body is up to `after`. */
function rawRequest(
  target: Server,
  head: Record<string, string | number>,
  body: Buffer,
  options: { path?: string; after?: "wait" | "destroy" } = {},
): Promise<{ status: number; body: string; closedByServer: boolean } | null> {
  const { port } = target.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf("\r\n\r\n") + 4), closedByServer: true });
      socket.destroy();
    });
    const headers = Object.entries({ host: "127.0.0.1", connection: "close", ...head })
      .map(([name, value]) => `${name}: ${value}`)
      .join("\r\n");
    socket.write(`POST ${options.path ?? "/"} HTTP/1.1\r\n${headers}\r\n\r\n`);
    socket.write(body, () => {
      if (options.after === "destroy") {
        socket.destroy();
        resolve(null);
      }
    });
  });
}

const boundary = "----pinglass-hostile-boundary";
const filePart = (name: string, bytes: Buffer, extraHeaders = "") =>
  Buffer.concat([Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="files"; filename="${name}"\r\ncontent-type: image/jpeg\r\n${extraHeaders}\r\n`), bytes, Buffer.from("\r\n")]);
const closing = Buffer.from(`--${boundary}--\r\n`);

describe("hostile upload bodies", () => {
  const troubles: unknown[] = [];
  const onTrouble = (error: unknown) => troubles.push(error);
  let stallingServer: Server;
  const logged: { msg: string }[] = [];
  beforeAll(async () => {
    process.on("uncaughtException", onTrouble);
    process.on("unhandledRejection", onTrouble);
    const logger = pino({ level: "info" }, { write: (line: string) => logged.push(JSON.parse(line) as { msg: string }) });
    stallingServer = createApp({ deps: api.deps, logger, routes: mediaArea(testConfig, logger, api.clock, { uploadIdleTimeoutMs: 400 }).parts(api.deps).routes });
    await new Promise<void>((resolve) => stallingServer.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    process.off("uncaughtException", onTrouble);
    process.off("unhandledRejection", onTrouble);
    await new Promise((resolve) => stallingServer.close(resolve));
  });

  /** Every row has its two files and every stored file has its row: nothing half-stored. */
  async function storedState(avatarId: number) {
    const rows = await api.testDb.db.select().from(referencePhotos).where(eq(referencePhotos.avatarId, avatarId));
    const files = await readdir(`${api.media.root}/refs/${avatarId}`).catch(() => [] as string[]);
    const keys = rows.flatMap((row) => [row.storageKey, row.thumbnailKey]).map((key) => key.slice(key.lastIndexOf("/") + 1));
    expect(files.filter((file) => !file.endsWith(".partial")).sort()).toEqual(keys.sort());
    return rows.length;
  }

  async function stillServing(target: Server = server) {
    const { port } = target.address() as AddressInfo;
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(troubles).toEqual([]);
  }

  it("answers 400 in the caller's language to every malformed body, keeps what it accepted with its rows, and keeps serving", async () => {
    const { caller, token } = await api.signIn();
    const avatar = await caller.avatars.create();
    const path = `/uploads/avatars/${avatar.id}/references`;
    const auth = { authorization: `Bearer ${token}` };
    const multipart = { ...auth, "content-type": `multipart/form-data; boundary=${boundary}` };
    const cases: [string, Record<string, string>, Buffer][] = [
      ["a second part cut off before its boundary", multipart, Buffer.concat([filePart("good.jpg", selfie), filePart("cut.jpg", selfie).subarray(0, 400)])],
      ["no closing boundary", multipart, filePart("open.jpg", await photoJpeg(700, 900))],
      ["no boundary", { ...auth, "content-type": "multipart/form-data" }, Buffer.concat([filePart("a.jpg", selfie), closing])],
      ["an empty boundary", { ...auth, "content-type": "multipart/form-data; boundary=" }, Buffer.concat([filePart("a.jpg", selfie), closing])],
      ["garbage after the headers", multipart, Buffer.from("\u0000\u0001 this is not multipart at all \r\n\r\n--nope--")],
      ["a part with a huge header", multipart, Buffer.concat([filePart("huge-header.jpg", selfie, `x-padding: ${"a".repeat(200_000)}\r\n`), closing])],
    ];
    const answers = [];
    for (const [what, headers, body] of cases) {
      const answer = await rawRequest(server, { ...headers, "content-length": body.length, "accept-language": "en" }, body, { path });
      const health = await fetch(`${base}/healthz`).then((r) => r.status, () => "down");
      answers.push({ what, status: answer?.status, body: answer?.body, health, troubles: troubles.map(String) });
    }
    const malformed = JSON.stringify({ error: { code: "BAD_REQUEST", messageKey: "errors.upload.malformed", message: "The upload arrived damaged or cut short. Try again." } });
    expect(answers).toEqual(cases.map(([what]) => ({ what, status: 400, body: malformed, health: 200, troubles: [] })));
    // The good file before the cut-off part was stored whole, with its row; nothing else was.
    expect(await storedState(avatar.id)).toBe(1);

    const russian = await rawRequest(server, { ...auth, "content-type": "multipart/form-data; boundary=", "content-length": 0, "x-pinglass-locale": "ru" }, Buffer.alloc(0), { path });
    expect(JSON.parse(russian!.body).error.message).toBe("Загрузка пришла повреждённой или оборвалась. Попробуйте ещё раз.");
  });

  it("survives a client that goes away mid-file, keeps the whole files before it with their rows, and stores nothing of the cut one", async () => {
    const { caller, token } = await api.signIn();
    const avatar = await caller.avatars.create();
    const body = Buffer.concat([filePart("good.jpg", selfie), filePart("gone.jpg", selfie), closing]);
    const head = { authorization: `Bearer ${token}`, "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": body.length };
    // Gone in the middle of the second file, long before the (short) idle timeout could end it.
    const cut = body.length - selfie.length / 2;
    expect(await rawRequest(stallingServer, head, body.subarray(0, cut), { path: `/uploads/avatars/${avatar.id}/references`, after: "destroy" })).toBeNull();
    await expect.poll(() => logged.map((line) => line.msg)).toContain("upload: the client went away mid-upload");
    expect(logged.map((line) => line.msg)).not.toContain("request failed");
    // The first file had arrived whole and keeps its row; the second left nothing.
    expect(await storedState(avatar.id)).toBe(1);
    await stillServing(stallingServer);
  });

  it("does not take its own slow work for a silent sender", async () => {
    const { caller, token } = await api.signIn();
    const avatar = await caller.avatars.create();
    // Each of these takes the server longer than the idle timeout to store, while the rest of the
    // body waits in the socket: the request is paused by backpressure then, not stalled.
    const large = await photoJpeg(3000, 4000);
    const form = new FormData();
    for (let i = 0; i < 3; i++) form.append("files", jpegBlob(distinctJpeg(large, i)), `large-${i}.jpg`);
    const { port } = stallingServer.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/uploads/avatars/${avatar.id}/references`, { method: "POST", body: form, headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { accepted: unknown[] }).accepted).toHaveLength(3);
  });

  it("ends an upload whose sender stops sending with 408, cleans up, and keeps serving", async () => {
    const { caller, token } = await api.signIn();
    const avatar = await caller.avatars.create();
    const body = Buffer.concat([filePart("first.jpg", selfie), filePart("stuck.jpg", selfie), closing]);
    const head = { authorization: `Bearer ${token}`, "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": body.length, "accept-language": "en", connection: "keep-alive" };
    const answer = await rawRequest(stallingServer, head, body.subarray(0, body.length - selfie.length / 2), { path: `/uploads/avatars/${avatar.id}/references` });
    expect(answer).toMatchObject({ status: 408, closedByServer: true });
    expect(JSON.parse(answer!.body)).toEqual({ error: { code: "TIMEOUT", messageKey: "errors.upload.stalled", message: "The upload stopped: nothing arrived for 1 s. Check the connection and try again." } });
    // The whole first file was accepted before the stall and keeps its row; the stuck one left nothing.
    expect(await storedState(avatar.id)).toBe(1);
    await stillServing(stallingServer);
  });
});

describe("the same upload again (a retry after a lost answer)", () => {
  it("answers with the selfies already stored, same ids, and stores nothing twice", async () => {
    const { caller, token } = await api.signIn();
    const avatar = await caller.avatars.create();
    const files: [string, Blob][] = [
      ["a.jpg", jpegBlob(selfie)],
      ["b.jpg", jpegBlob(distinctJpeg(selfie, "b"))],
    ];
    const first = (await (await upload(avatar.id, token, files)).json()) as { accepted: { id: number }[] };
    const [again, alsoAgain] = await Promise.all([upload(avatar.id, token, files), upload(avatar.id, token, files)]);
    for (const response of [again, alsoAgain]) {
      expect(response.status).toBe(200);
      expect(((await response.json()) as { accepted: { id: number }[] }).accepted.map((a) => a.id)).toEqual(first.accepted.map((a) => a.id));
    }
    expect(await caller.references.list({ avatarId: avatar.id })).toHaveLength(2);
    expect(await readdir(`${api.media.root}/refs/${avatar.id}`)).toHaveLength(4);
  });
});

describe("the media sweep loop", () => {
  it("removes a selfie file whose row never came once it is an hour old, and keeps the selfies", async () => {
    const { caller, token } = await api.signIn();
    const avatar = await caller.avatars.create();
    expect((await upload(avatar.id, token, [["me.jpg", jpegBlob(selfie)]])).status).toBe(200);
    await api.media.storage.put(`refs/${avatar.id}/row-never-came.jpg`, selfie, "image/jpeg");
    const folder = `${api.media.root}/refs/${avatar.id}`;
    const twoHoursAgo = new Date(api.clock.now().getTime() - 2 * 60 * 60 * 1000);
    for (const file of await readdir(folder)) await utimes(`${folder}/${file}`, twoHoursAgo, twoHoursAgo);

    const [sweep] = mediaArea(testConfig, pino({ level: "silent" }), api.clock).parts(api.deps).loops;
    await sweep!.tick(new AbortController().signal);
    const [row] = await api.testDb.db.select().from(referencePhotos).where(eq(referencePhotos.avatarId, avatar.id));
    expect((await readdir(folder)).sort()).toEqual([row!.storageKey, row!.thumbnailKey].map((key) => key.slice(key.lastIndexOf("/") + 1)).sort());
  });
});

describe("GET /media/… (signed links only)", () => {
  async function storedPhoto() {
    const { caller, userId } = await api.signIn();
    const avatar = await caller.avatars.create();
    const keys = await saveGeneratedImage(api.deps.media.storage, { avatarId: avatar.id, jobId: 1, position: 1 }, selfie);
    await api.testDb.db.execute(`INSERT INTO generated_photos (avatar_id, style_id, image_url, thumbnail_url) VALUES (${avatar.id}, 'pinglass', '${keys.imageKey}', '${keys.thumbnailKey}')`);
    const [photo] = (await caller.photos.list({ avatarId: avatar.id })).items;
    return { caller, userId, avatar, photo: photo! };
  }

  it("streams the image inline with private cache headers, and as a named attachment from the download link", async () => {
    const { photo } = await storedPhoto();
    const view = await fetch(local(photo.imageUrl!));
    expect(view.status).toBe(200);
    expect(view.headers.get("content-type")).toBe("image/jpeg");
    expect(view.headers.get("cache-control")).toMatch(/^private, max-age=\d+$/);
    expect(view.headers.get("x-content-type-options")).toBe("nosniff");
    expect(view.headers.get("content-disposition")).toMatch(/^inline;/);
    const bytes = Buffer.from(await view.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(Number(view.headers.get("content-length"))).toBe(bytes.length);

    const download = await fetch(local(photo.downloadUrl!));
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename="pinglass-${photo.avatarId}-${photo.id}.jpg"; filename*=UTF-8''pinglass-${photo.avatarId}-${photo.id}.jpg`);
  });

  it("refuses forged, altered, unsigned and expired links with 403, and never leaves the storage root", async () => {
    const { photo } = await storedPhoto();
    const good = new URL(local(photo.imageUrl!));
    const forged = new URL(good);
    forged.searchParams.set("sig", "A".repeat(43));
    const otherKey = new URL(good);
    otherKey.pathname = otherKey.pathname.replace(".jpg", ".thumb.webp");
    const renamed = new URL(local(photo.downloadUrl!));
    renamed.searchParams.set("dl", "other.jpg");
    const unsigned = `${base}${good.pathname}`;
    for (const url of [forged, otherKey, renamed, unsigned]) {
      const response = await fetch(url);
      expect(response.status, String(url)).toBe(403);
    }
    const refused = await fetch(forged, { headers: { "accept-language": "ru" } });
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe("Ссылка устарела или неверна. Обновите страницу, чтобы получить новую.");

    // A traversal path, even with a signature made for it, is refused before the disk is touched
    // (dot segments, encoded or not, are already resolved by URL parsing, so those never reach /media/).
    const exp = api.deps.media.signer.expiryFor(60);
    for (const [key, status] of [["../../../etc/passwd", 404], ["photos/%2E%2E/%2E%2E/secret.jpg", 404], ["..%2F..%2Fetc%2Fpasswd", 403], ["photos/..%2F..%2Fsecret.jpg", 403]] as const) {
      expect(await rawGet(`/media/${key}?exp=${exp}&sig=${api.deps.media.signer.signObject(key, exp)}`), key).toBe(status);
    }

    api.clock.advance(2 * 60 * 60 * 1000);
    expect((await fetch(good)).status).toBe(403);
  });

  it("GET /downloads/avatars/<id>.zip streams a valid ZIP of every photo to the link's owner only", async () => {
    const { caller, userId, avatar } = await storedPhoto();
    for (let position = 2; position <= 4; position++) {
      const keys = await saveGeneratedImage(api.deps.media.storage, { avatarId: avatar.id, jobId: 1, position }, selfie);
      await api.testDb.db.execute(`INSERT INTO generated_photos (avatar_id, style_id, image_url) VALUES (${avatar.id}, 'pinglass', '${keys.imageKey}')`);
    }
    const { url } = await caller.photos.zipUrl({ avatarId: avatar.id });
    const response = await fetch(local(url));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    expect(response.headers.get("content-disposition")).toContain(`attachment; filename="pinglass-${avatar.id}.zip"`);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const zip = Buffer.from(await response.arrayBuffer());
    expect(zip.subarray(0, 4)).toEqual(Buffer.from("PK\x03\x04", "latin1"));
    // The end-of-central-directory record (the last 22 bytes, no comment) counts the entries.
    const end = zip.subarray(zip.length - 22);
    expect(end.readUInt32LE(0)).toBe(0x06054b50);
    expect(end.readUInt16LE(10)).toBe(4);

    const forUser = new URL(local(url));
    forUser.searchParams.set("user", String(userId + 1));
    expect((await fetch(forUser)).status).toBe(403);
    await caller.avatars.delete({ avatarId: avatar.id });
    expect((await fetch(local(url))).status).toBe(404);
  });

  it("GET /downloads/avatars/<id>.zip?favourites=1 holds the favourites only, and opens only with a link signed for them", async () => {
    const { userId, avatar } = await storedPhoto();
    for (let position = 2; position <= 4; position++) {
      const keys = await saveGeneratedImage(api.deps.media.storage, { avatarId: avatar.id, jobId: 1, position }, selfie);
      const [photo] = await api.testDb.db.insert(generatedPhotos).values({ avatarId: avatar.id, styleId: "pinglass", imageUrl: keys.imageKey }).returning();
      if (position !== 3) await setPhotoFavourite(api.testDb.db, api.clock, userId, photo!.id, true);
    }
    const { url } = await avatarZipLink(api.testDb.db, api.deps.media, userId, avatar.id, { favourites: true });
    const response = await fetch(local(url));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toContain(`attachment; filename="pinglass-${avatar.id}-favourites.zip"`);
    const zip = Buffer.from(await response.arrayBuffer());
    expect(zip.subarray(zip.length - 22).readUInt16LE(10)).toBe(2);

    // The favourites' link without its flag is not the whole set's, nor the whole set's link with it the favourites'.
    const stripped = new URL(local(url));
    stripped.searchParams.delete("favourites");
    expect((await fetch(stripped)).status).toBe(403);
    const whole = new URL(local((await avatarZipLink(api.testDb.db, api.deps.media, userId, avatar.id)).url));
    whole.searchParams.set("favourites", "1");
    expect((await fetch(whole)).status).toBe(403);
  });
});

/** A GET sent byte for byte (fetch would normalise the dots away). */
function rawGet(path: string): Promise<number> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("media configuration", () => {
  const base = { SESSION_SECRET: "s".repeat(40) };

  it("defaults to local files, and takes S3/R2 with its bucket and keys", () => {
    expect(loadConfig(base).media).toEqual({ dir: undefined, signingSecret: undefined, maxSelfieBytesPerUser: 300 * 1024 * 1024, s3: null });
    expect(loadConfig({ ...base, UPLOAD_MAX_BYTES_PER_USER: "104857600" }).media.maxSelfieBytesPerUser).toBe(100 * 1024 * 1024);
    const s3 = loadConfig({
      ...base,
      MEDIA_STORAGE: "s3",
      S3_BUCKET: "pinglass-media",
      S3_ENDPOINT: "https://abc.r2.cloudflarestorage.com",
      S3_ACCESS_KEY_ID: "key",
      S3_SECRET_ACCESS_KEY: "secret",
      MEDIA_SIGNING_SECRET: "m".repeat(32),
    }).media;
    expect(s3).toEqual({
      dir: undefined,
      signingSecret: "m".repeat(32),
      maxSelfieBytesPerUser: 300 * 1024 * 1024,
      s3: { bucket: "pinglass-media", region: "auto", endpoint: "https://abc.r2.cloudflarestorage.com", accessKeyId: "key", secretAccessKey: "secret", forcePathStyle: false },
    });
  });

  it("hands the per-user cap on stored selfies to the media area", () => {
    const config = loadConfig({ ...base, MEDIA_DIR: api.media.root, UPLOAD_MAX_BYTES_PER_USER: "2097152" });
    expect(mediaArea(config, pino({ level: "silent" }), api.clock).media.maxSelfieBytesPerUser).toBe(2 * 1024 * 1024);
  });

  it("names every missing or wrong media variable", () => {
    expect(() => loadConfig({ ...base, MEDIA_STORAGE: "s3", S3_BUCKET: "b" })).toThrow(/S3_ACCESS_KEY_ID: is required when MEDIA_STORAGE=s3\n {2}S3_SECRET_ACCESS_KEY: is required/);
    expect(() => loadConfig({ ...base, MEDIA_STORAGE: "disk" })).toThrow(/MEDIA_STORAGE: must be filesystem or s3/);
    expect(() => loadConfig({ ...base, MEDIA_SIGNING_SECRET: "short" })).toThrow(/MEDIA_SIGNING_SECRET: must be at least 32/);
    expect(() => loadConfig({ ...base, S3_ENDPOINT: "not a url" })).toThrow(/S3_ENDPOINT: must be an absolute URL/);
    expect(() => loadConfig({ ...base, S3_FORCE_PATH_STYLE: "yes" })).toThrow(/S3_FORCE_PATH_STYLE: must be true or false/);
    expect(() => loadConfig({ ...base, UPLOAD_MAX_BYTES_PER_USER: "300MB" })).toThrow(/UPLOAD_MAX_BYTES_PER_USER: must be a number of bytes/);
    expect(() => loadConfig({ ...base, UPLOAD_MAX_BYTES_PER_USER: "1000" })).toThrow(/UPLOAD_MAX_BYTES_PER_USER: must be at least 1048576/);
    expect(() => loadConfig(base)).not.toThrow();
  });
});
