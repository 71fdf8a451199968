import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { buffer } from "node:stream/consumers";
import { manualClock } from "@pinglass/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFilesystemStorage } from "./filesystem-storage.ts";
import { createMediaSigner } from "./signing.ts";
import type { MediaStorage } from "./storage.ts";
import { startTestS3 } from "./test-s3.ts";

const secret = "media-signing-secret-for-tests-0123456789";

interface Subject {
  storage: MediaStorage;
  cleanup(): Promise<void>;
}

const implementations: [string, () => Promise<Subject>][] = [
  [
    "filesystem",
    async () => {
      const root = await mkdtemp(join(tmpdir(), "pinglass-media-"));
      const storage = createFilesystemStorage({ root, signer: createMediaSigner({ secret, clock: manualClock() }), publicBaseUrl: "http://127.0.0.1:9/" });
      return { storage, cleanup: () => rm(root, { recursive: true, force: true }) };
    },
  ],
  [
    "s3 (s3rver on 127.0.0.1)",
    async () => {
      const s3 = await startTestS3();
      return { storage: s3.storage, cleanup: s3.stop };
    },
  ],
];

describe.each(implementations)("MediaStorage contract: %s", (_name, create) => {
  let subject: Subject;
  beforeAll(async () => {
    subject = await create();
  });
  afterAll(() => subject.cleanup());

  it("stores bytes under a nested key and reads them back with type and size", async () => {
    const body = Buffer.from("not really a jpeg, just bytes \u0000\u00ff");
    await subject.storage.put("refs/1/a.jpg", body, "image/jpeg");
    const object = await subject.storage.get("refs/1/a.jpg");
    expect(object).not.toBeNull();
    expect(object!.contentType).toBe("image/jpeg");
    expect(object!.size).toBe(body.length);
    expect(await buffer(object!.body)).toEqual(body);
  });

  it("overwrites a key in place, so a retried write leaves one object", async () => {
    await subject.storage.put("photos/2/1-1.webp", Buffer.from("first"), "image/webp");
    await subject.storage.put("photos/2/1-1.webp", Buffer.from("second"), "image/webp");
    expect(await text((await subject.storage.get("photos/2/1-1.webp"))!.body)).toBe("second");
  });

  it("answers null for a missing object", async () => {
    expect(await subject.storage.get("refs/1/missing.jpg")).toBeNull();
    expect(await subject.storage.get("nothing/here/at/all.png")).toBeNull();
  });

  it("deletes many keys at once and ignores keys that are already gone", async () => {
    await subject.storage.put("del/x.png", Buffer.from("x"), "image/png");
    await subject.storage.put("del/y.png", Buffer.from("y"), "image/png");
    await subject.storage.delete(["del/x.png", "del/y.png", "del/never.png"]);
    expect(await subject.storage.get("del/x.png")).toBeNull();
    expect(await subject.storage.get("del/y.png")).toBeNull();
    await subject.storage.delete([]);
  });

  it("lists the objects under a prefix with when they were written", async () => {
    const before = Date.now() - 60_000;
    const keys = Array.from({ length: 3 }, (_, i) => `listed/7/${i}.jpg`);
    for (const key of keys) await subject.storage.put(key, Buffer.from(key), "image/jpeg");
    await subject.storage.put("listed-not/7/x.jpg", Buffer.from("x"), "image/jpeg");
    const listed = [];
    for await (const object of subject.storage.list("listed/")) listed.push(object);
    expect(listed.map((o) => o.key).sort()).toEqual(keys);
    for (const object of listed) expect(object.modifiedAt.getTime()).toBeGreaterThan(before);
    const none = [];
    for await (const object of subject.storage.list("never-written/")) none.push(object);
    expect(none).toEqual([]);
  });

  it("refuses keys that could escape the root or be ambiguous", async () => {
    for (const key of ["../etc/passwd.jpg", "/abs.jpg", "a/../../b.jpg", "a//b.jpg", "a\\b.jpg", "", "a/./b.jpg", "a/.hidden/..jpg"]) {
      await expect(subject.storage.put(key, Buffer.from("x"), "image/jpeg"), key).rejects.toThrow(/not a valid media storage key/);
      await expect(subject.storage.signedUrl(key, { ttlSeconds: 60 }), key).rejects.toThrow(/not a valid media storage key/);
    }
  });

  it("signs a read URL that names the key and an expiry, and a download URL that names the file", async () => {
    await subject.storage.put("refs/1/b.jpg", Buffer.from("b"), "image/jpeg");
    const url = new URL(await subject.storage.signedUrl("refs/1/b.jpg", { ttlSeconds: 3600 }));
    expect(url.pathname).toContain("refs/1/b.jpg");
    expect([...url.searchParams.keys()].some((k) => /exp|Expires/i.test(k))).toBe(true);
    const download = new URL(await subject.storage.signedUrl("refs/1/b.jpg", { ttlSeconds: 3600, downloadName: "pinglass-1-1.jpg" }));
    expect(download.search).toContain("pinglass-1-1.jpg");
    expect(download.toString()).not.toBe(url.toString());
  });
});

describe("filesystem storage specifics", () => {
  it("gives the same link to an object within an expiry step, and a fresh one that verifies in the next step", async () => {
    const clock = manualClock(new Date("2026-11-25T12:00:10Z"));
    const signer = createMediaSigner({ secret, clock });
    const storage = createFilesystemStorage({ root: await mkdtemp(join(tmpdir(), "pinglass-media-")), signer, publicBaseUrl: "http://x" });
    const first = await storage.signedUrl("photos/1/1-1.jpg", { ttlSeconds: 3600 });
    clock.advance(60_000);
    expect(await storage.signedUrl("photos/1/1-1.jpg", { ttlSeconds: 3600 })).toBe(first);
    const download = new URL(await storage.signedUrl("photos/1/1-1.jpg", { ttlSeconds: 3600, downloadName: "a.jpg" }));
    expect(download.searchParams.get("dl")).toBe("a.jpg");
    // Past the step the link carries the next expiry, and its signature is that expiry's.
    clock.advance(300_000);
    const later = new URL(await storage.signedUrl("photos/1/1-1.jpg", { ttlSeconds: 3600 }));
    expect(Number(later.searchParams.get("exp"))).toBe(Number(new URL(first).searchParams.get("exp")) + 300);
    expect(signer.verifyObject("photos/1/1-1.jpg", { exp: later.searchParams.get("exp"), sig: later.searchParams.get("sig") })).toBe(true);
    // Another lifetime is another link, not the cached one.
    expect(await storage.signedUrl("photos/1/1-1.jpg", { ttlSeconds: 600 })).not.toBe(later.toString());
  });

  it("creates its folders on demand, leaves no temporary files behind, and refuses a key whose extension lies", async () => {
    const root = join(await mkdtemp(join(tmpdir(), "pinglass-media-")), "deep", "media");
    const storage = createFilesystemStorage({ root, signer: createMediaSigner({ secret, clock: manualClock() }), publicBaseUrl: "http://x" });
    await storage.put("a/b/c.jpg", Buffer.from("c"), "image/jpeg");
    expect(await readdir(join(root, "a", "b"))).toEqual(["c.jpg"]);
    await expect(storage.put("a/b/d.jpg", Buffer.from("d"), "image/png")).rejects.toThrow(/does not match/);
    await rm(root, { recursive: true, force: true });
  });
});

describe("filesystem storage: writes cut short", () => {
  it("removes .partial files older than the given time, and nothing else", async () => {
    const root = await mkdtemp(join(tmpdir(), "pinglass-media-"));
    const storage = createFilesystemStorage({ root, signer: createMediaSigner({ secret, clock: manualClock() }), publicBaseUrl: "http://x" });
    await storage.put("refs/1/kept.jpg", Buffer.from("k"), "image/jpeg");
    // What a process killed between open() and rename() leaves: the temporary file, old or fresh.
    await writeFile(join(root, "refs", "1", ".dead.partial"), "half");
    await writeFile(join(root, "refs", "1", ".fresh.partial"), "half");
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
    await utimes(join(root, "refs", "1", ".dead.partial"), hourAgo, hourAgo);
    expect(await storage.removeUnfinishedWrites(new Date(Date.now() - 60_000))).toBe(1);
    expect((await readdir(join(root, "refs", "1"))).sort()).toEqual([".fresh.partial", "kept.jpg"]);
    const listed = [];
    for await (const object of storage.list("refs/")) listed.push(object.key);
    expect(listed).toEqual(["refs/1/kept.jpg"]);
    await rm(root, { recursive: true, force: true });
  });
});

describe("S3 storage specifics (s3rver on 127.0.0.1)", () => {
  it("presigned GETs read the object, as an attachment when named; a forged one is refused", async () => {
    const s3 = await startTestS3();
    try {
      await s3.storage.put("photos/1/1-1.jpg", Buffer.from("jpeg bytes"), "image/jpeg");

      const view = await fetch(await s3.storage.signedUrl("photos/1/1-1.jpg", { ttlSeconds: 600 }));
      expect(view.status).toBe(200);
      expect(await view.text()).toBe("jpeg bytes");
      expect(view.headers.get("content-type")).toBe("image/jpeg");

      const download = await fetch(await s3.storage.signedUrl("photos/1/1-1.jpg", { ttlSeconds: 600, downloadName: "pinglass-1-1.jpg" }));
      expect(download.headers.get("content-disposition")).toContain('attachment; filename="pinglass-1-1.jpg"');

      const tampered = new URL(await s3.storage.signedUrl("photos/1/1-1.jpg", { ttlSeconds: 600 }));
      // s3rver checks the key id but not V4 signatures themselves (real S3 and R2 do): forge the credential.
      tampered.searchParams.set("X-Amz-Credential", tampered.searchParams.get("X-Amz-Credential")!.replace(/^S3RVER/, "FORGED"));
      expect((await fetch(tampered)).status).toBe(403);
    } finally {
      await s3.stop();
    }
  });
});
