import type { Readable } from "node:stream";

/**
 * Private media storage: selfies and generated photos. Two real implementations: the local
 * filesystem under .data/media (the embedded default) and S3-compatible object storage.
 * Keys are our own references (e.g. "photos/12/abc.jpg"); nothing here is publicly readable,
 * browsers and providers get short-lived signed URLs.
 */
export interface MediaStorage {
  readonly kind: "filesystem" | "s3";
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** A stream of the object, or null when there is none. */
  get(key: string): Promise<{ body: Readable; contentType: string; size: number } | null>;
  delete(keys: string[]): Promise<void>;
  /** A URL that reads this object for ttlSeconds; downloadName makes it an attachment. */
  signedUrl(key: string, options: { ttlSeconds: number; downloadName?: string }): Promise<string>;
  /** Every object whose key starts with prefix, with when it was written, in no particular order (the orphan sweep reads it). */
  list(prefix: string): AsyncIterable<StoredObject>;
  /**
   * Removes what writes cut short left behind, if it was written before `before`, and says how
   * many: the filesystem's `.partial` files of a process that died mid-write. An S3 PutObject is
   * stored whole or not at all (we never start multipart uploads), so S3 has none.
   */
  removeUnfinishedWrites(before: Date): Promise<number>;
}

export interface StoredObject {
  key: string;
  modifiedAt: Date;
}

/**
 * Keys are relative paths of safe segments ("refs/12/5f0c.jpg"): no "..", no leading slash, no
 * backslashes, so a key can never leave the storage root or mean two different objects.
 */
const keyPattern = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;

export function isStorageKey(key: string): boolean {
  return key.length <= 512 && keyPattern.test(key) && !key.split("/").some((segment) => segment === "." || segment === "..");
}

export function assertStorageKey(key: string): void {
  if (!isStorageKey(key)) throw new Error(`not a valid media storage key: ${JSON.stringify(key)}`);
}

/** The content types we store, by key extension: the filesystem keeps no other metadata. */
export const contentTypeByExtension: Readonly<Record<string, string>> = {
  jpg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  avif: "image/avif",
};

export function contentTypeOfKey(key: string): string | undefined {
  return contentTypeByExtension[key.slice(key.lastIndexOf(".") + 1)];
}
