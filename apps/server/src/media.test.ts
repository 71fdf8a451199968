import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestApi } from "@pinglass/api/testing";
import { saveGeneratedImage } from "@pinglass/media";
import { photoJpeg, pngBomb } from "@pinglass/media/testing";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { mediaRoutes } from "./media.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
let server: ReturnType<typeof createApp>;
let base: string;
let selfie: Buffer;

beforeAll(async () => {
  api = await createTestApi();
  const logger = pino({ level: "silent" });
  server = createApp({ deps: api.deps, logger, routes: mediaRoutes(api.deps, logger) });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  selfie = await photoJpeg(900, 1200);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await api.testDb.close();
});
beforeEach(() => api.testDb.reset());

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
    expect(await anonymous.json()).toEqual({ error: { messageKey: "errors.unauthorized", message: "Your session has expired. Reload the page to sign in again." } });
    expect((await upload(avatar.id, "forged.token", one)).status).toBe(401);
    const foreign = await upload(avatar.id, stranger.token, one);
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { error: { message: string } }).error.message).toBe("Avatar not found.");
    const json = await fetch(`${base}/uploads/avatars/${avatar.id}/references`, { method: "POST", body: "{}", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
    expect(json.status).toBe(415);
    expect((await upload(avatar.id, token, [])).status).toBe(400);
    expect(await caller.references.list({ avatarId: avatar.id })).toEqual([]);

    const twentyTwo = Array.from({ length: 22 }, (_, i): [string, Blob] => [`me-${i}.jpg`, jpegBlob(selfie)]);
    const full = (await (await upload(avatar.id, token, twentyTwo)).json()) as { accepted: unknown[]; rejected: { reason: string }[] };
    expect(full.accepted).toHaveLength(20);
    expect(full.rejected.length).toBeGreaterThan(0);
    expect(full.rejected[0]!.reason).toBe("This avatar already has 20 selfies, the maximum. Remove some to add new ones.");
    expect(await caller.references.list({ avatarId: avatar.id })).toHaveLength(20);
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
    expect(loadConfig(base).media).toEqual({ dir: undefined, signingSecret: undefined, s3: null });
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
      s3: { bucket: "pinglass-media", region: "auto", endpoint: "https://abc.r2.cloudflarestorage.com", accessKeyId: "key", secretAccessKey: "secret", forcePathStyle: false },
    });
  });

  it("names every missing or wrong media variable", () => {
    expect(() => loadConfig({ ...base, MEDIA_STORAGE: "s3", S3_BUCKET: "b" })).toThrow(/S3_ACCESS_KEY_ID: is required when MEDIA_STORAGE=s3\n {2}S3_SECRET_ACCESS_KEY: is required/);
    expect(() => loadConfig({ ...base, MEDIA_STORAGE: "disk" })).toThrow(/MEDIA_STORAGE: must be filesystem or s3/);
    expect(() => loadConfig({ ...base, MEDIA_SIGNING_SECRET: "short" })).toThrow(/MEDIA_SIGNING_SECRET: must be at least 32/);
    expect(() => loadConfig({ ...base, S3_ENDPOINT: "not a url" })).toThrow(/S3_ENDPOINT: must be an absolute URL/);
    expect(() => loadConfig({ ...base, S3_FORCE_PATH_STYLE: "yes" })).toThrow(/S3_FORCE_PATH_STYLE: must be true or false/);
    expect(() => loadConfig(base)).not.toThrow();
  });
});
