import { createReadStream } from "node:fs";
import { mkdir, open, opendir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { randomUUID } from "node:crypto";
import type { MediaSigner } from "./signing.ts";
import { assertStorageKey, contentTypeOfKey, isStorageKey, type MediaStorage } from "./storage.ts";

/** Where the filesystem storage answers signed links: `${publicBaseUrl}${mediaRoutePrefix}<key>`. */
export const mediaRoutePrefix = "/media/";

/**
 * The embedded default: files under a local folder (.data/media), read back through our own
 * GET /media/ route with HMAC-signed, expiring links. The content type comes from the key's
 * extension, so put refuses a key whose extension says something else.
 */
export function createFilesystemStorage(options: { root: string; signer: MediaSigner; publicBaseUrl: string }): MediaStorage {
  const root = resolve(options.root);
  const baseUrl = options.publicBaseUrl.replace(/\/$/, "");
  const links = signedLinkCache();

  const pathOf = (key: string) => {
    assertStorageKey(key);
    const path = resolve(root, key);
    // Belt and braces: the key pattern already forbids escaping the root.
    if (!path.startsWith(root + sep)) throw new Error(`media key escapes the storage root: ${key}`);
    return path;
  };

  return {
    kind: "filesystem",

    async put(key, body, contentType) {
      const path = pathOf(key);
      if (contentTypeOfKey(key) !== contentType) throw new Error(`media key ${key} does not match its content type ${contentType}`);
      await mkdir(dirname(path), { recursive: true });
      // Written aside and renamed into place: a reader (or a crash) never sees half a file. A crash
      // leaves the .partial file behind for removeUnfinishedWrites.
      const temporary = join(dirname(path), `.${randomUUID()}${partialSuffix}`);
      const handle = await open(temporary, "w", 0o600);
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },

    async get(key) {
      const path = pathOf(key);
      const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT" || error.code === "ENOTDIR") return null;
        throw error;
      });
      if (!info?.isFile()) return null;
      return { body: createReadStream(path), contentType: contentTypeOfKey(key) ?? "application/octet-stream", size: info.size };
    },

    async delete(keys) {
      await Promise.all(keys.map((key) => rm(pathOf(key), { force: true })));
    },

    async *list(prefix) {
      // From the deepest folder the prefix names ("refs/" → root/refs), not the whole root.
      const folder = prefix.includes("/") ? pathOf(prefix.slice(0, prefix.lastIndexOf("/"))) : root;
      for await (const path of filesUnder(folder)) {
        const key = relative(root, path).split(sep).join("/");
        if (!key.startsWith(prefix) || !isStorageKey(key)) continue;
        const info = await stat(path).catch(() => null);
        if (info) yield { key, modifiedAt: info.mtime };
      }
    },

    async removeUnfinishedWrites(before) {
      let removed = 0;
      for await (const path of filesUnder(root)) {
        if (!path.endsWith(partialSuffix)) continue;
        const info = await stat(path).catch(() => null);
        if (!info || info.mtime >= before) continue;
        await rm(path, { force: true });
        removed++;
      }
      return removed;
    },

    async signedUrl(key, { ttlSeconds, downloadName }) {
      const exp = options.signer.expiryFor(ttlSeconds);
      // A key is checked when its link is made: one found in the cache was.
      return links.get(exp, () => options.signer.expiryFor(0), downloadName ? `${key}\n${downloadName}` : key, () => {
        assertStorageKey(key);
        const query = new URLSearchParams({ exp: String(exp) });
        if (downloadName) query.set("dl", downloadName);
        query.set("sig", options.signer.signObject(key, exp, downloadName));
        return `${baseUrl}${mediaRoutePrefix}${key}?${query}`;
      });
    },
  };
}

/** Links of one expiry kept at most: about 10 MB, a few thousand galleries' worth. */
const maxLinksPerExpiry = 50_000;

/**
 * Expiries are rounded to steps (see signing.ts), so within a step every link to an object is the
 * same string: it is signed once per object and step and then reused. Signing three links per
 * photo was most of the time `pnpm bench` measured on a page of photos. Links of past steps go.
 */
function signedLinkCache() {
  const byExpiry = new Map<number, Map<string, string>>();
  return {
    /** The link of `id` expiring at `exp`, made by `make` the first time; `current` gives the step now running (older ones are dropped). */
    get(exp: number, current: () => number, id: string, make: () => string): string {
      let links = byExpiry.get(exp);
      if (!links) {
        const now = current();
        for (const old of byExpiry.keys()) if (old < now) byExpiry.delete(old);
        byExpiry.set(exp, (links = new Map()));
      }
      let link = links.get(id);
      if (link === undefined) {
        if (links.size >= maxLinksPerExpiry) links.clear();
        links.set(id, (link = make()));
      }
      return link;
    },
  };
}

const partialSuffix = ".partial";

/** Every file below dir, one folder open at a time (a listing of millions is never held in memory). */
async function* filesUnder(dir: string): AsyncGenerator<string> {
  const folder = await opendir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (!folder) return;
  for await (const entry of folder) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield path;
  }
}
