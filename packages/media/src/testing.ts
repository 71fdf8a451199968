import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "@pinglass/core";
import { createFilesystemStorage } from "./filesystem-storage.ts";
import type { Media } from "./media.ts";
import { createMediaSigner } from "./signing.ts";

export const testMediaSigningSecret = "test-media-signing-secret-long-enough-0123456789";

/** Real filesystem media in a fresh temporary folder, signing with the test's clock; warnings are kept for assertions. */
export function createTestMedia(clock: Clock, publicBaseUrl = "http://pinglass.test"): Media & { root: string; warnings: { details: object; message: string }[] } {
  const root = mkdtempSync(join(tmpdir(), "pinglass-media-"));
  const signer = createMediaSigner({ secret: testMediaSigningSecret, clock });
  const warnings: { details: object; message: string }[] = [];
  return {
    root,
    warnings,
    storage: createFilesystemStorage({ root, signer, publicBaseUrl }),
    signer,
    publicBaseUrl,
    logger: { warn: (details, message) => warnings.push({ details, message }) },
  };
}
export { distinctJpeg, halvesJpeg, photoJpeg, pngBomb } from "./test-images.ts";
