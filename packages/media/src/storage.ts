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
}
