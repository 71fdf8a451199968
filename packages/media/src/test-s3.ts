import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import { createS3Storage } from "./s3-storage.ts";

/** A real S3 server (s3rver) on 127.0.0.1 with one bucket, and a storage client pointed at it. */
export async function startTestS3() {
  const directory = await mkdtemp(join(tmpdir(), "pinglass-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: "media" }] });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  // s3rver's fixed test credentials.
  const storage = createS3Storage({ bucket: "media", region: "us-east-1", endpoint, accessKeyId: "S3RVER", secretAccessKey: "S3RVER", forcePathStyle: true });
  return {
    endpoint,
    storage,
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
