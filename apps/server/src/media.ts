import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { type ApiDeps, authenticate, createContext, requestLocale, uploadScope } from "@pinglass/api";
import { DomainError, type Locale, translate } from "@pinglass/core";
import { embeddedDataDir } from "@pinglass/db";
import {
  avatarZipRoutePrefix,
  contentDisposition,
  createFilesystemStorage,
  createMediaSigner,
  createS3Storage,
  deriveMediaSigningSecret,
  isStorageKey,
  maxReferencePhotos,
  maxUploadBytes,
  type Media,
  mediaRoutePrefix,
  openAvatarZip,
  receiveReferenceUploads,
  sweepOrphanMedia,
  verifyAvatarZipLink,
} from "@pinglass/media";
import type { Logger } from "pino";
import type { Area } from "./area.ts";
import type { BackgroundLoop } from "./background.ts";
import type { Config } from "./config.ts";
import { multipartFiles } from "./http/multipart.ts";
import { requestIdFor, requestLogger } from "./http/request-id.ts";
import { refusedOverLimit } from "./rate-limits.ts";
import { type Route, sendDomainError, sendJson, sendRefusal } from "./http/router.ts";

/**
 * The media area: its storage (handed to ApiDeps), signed reads, the avatar ZIP, selfie uploads
 * and the media sweep.
 */
export function mediaArea(
  config: Pick<Config, "media" | "sessionSecret" | "publicUrl">,
  logger: Logger,
  clock: ApiDeps["clock"],
  options: { uploadIdleTimeoutMs?: number } = {},
): Area & { media: Media } {
  return { media: buildMedia(config, logger, clock), parts: (deps) => ({ routes: mediaRoutes(deps, logger, options), loops: mediaLoops(deps, logger) }) };
}

/** The media storage from configuration: S3/R2 when MEDIA_STORAGE=s3, else files under MEDIA_DIR (.data/media). */
function buildMedia(config: Pick<Config, "media" | "sessionSecret" | "publicUrl">, logger: Logger, clock: ApiDeps["clock"]): Media {
  const signer = createMediaSigner({ secret: config.media.signingSecret ?? deriveMediaSigningSecret(config.sessionSecret), clock });
  const s3 = config.media.s3;
  if (s3) {
    logger.info({ bucket: s3.bucket, endpoint: s3.endpoint ?? "AWS" }, "media: S3 storage");
  } else {
    logger.info({ dir: config.media.dir ?? join(embeddedDataDir, "media") }, "media: local files (embedded default)");
  }
  const storage = s3 ? createS3Storage(s3) : createFilesystemStorage({ root: config.media.dir ?? join(embeddedDataDir, "media"), signer, publicBaseUrl: config.publicUrl });
  return { storage, signer, publicBaseUrl: config.publicUrl, logger: logger.child({ area: "media" }), maxSelfieBytesPerUser: config.media.maxSelfieBytesPerUser };
}

/** How often the media sweep looks for files without rows (it lists every selfie and photo). */
const mediaSweepIntervalMs = 60 * 60 * 1000;

/** The media sweep: files without rows and writes cut short, older than orphanGraceMs (see sweepOrphanMedia). */
function mediaLoops(deps: ApiDeps, logger: Logger): BackgroundLoop[] {
  return [
    {
      name: "media.sweep",
      intervalMs: mediaSweepIntervalMs,
      async tick(signal) {
        const swept = await sweepOrphanMedia(deps.db, deps.media, { now: deps.clock.now(), signal });
        if (swept.orphans + swept.unfinished > 0) logger.info(swept, "media sweep: removed files without rows and writes cut short");
      },
    },
  ];
}

const localeOf = (req: IncomingMessage): Locale =>
  requestLocale((name) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  });

/** Headers that keep private media private: no shared caches, no sniffing, no referrer carrying the signed link away. */
const privateHeaders = (maxAgeSeconds: number) => ({
  "cache-control": maxAgeSeconds > 0 ? `private, max-age=${maxAgeSeconds}` : "private, no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'none'",
});

/** How long an upload may go without a byte from its sender before it is ended with 408. */
export const defaultUploadIdleTimeoutMs = 30_000;

/**
 * The media area's HTTP surface, thin: signed reads of stored objects (filesystem storage), the
 * avatar ZIP, and selfie uploads. Every decision is in @pinglass/media.
 */
function mediaRoutes(deps: ApiDeps, logger: Logger, options: { uploadIdleTimeoutMs?: number } = {}): Route[] {
  const { media } = deps;
  const uploadIdleTimeoutMs = options.uploadIdleTimeoutMs ?? defaultUploadIdleTimeoutMs;
  const linkInvalid = new DomainError("FORBIDDEN", "errors.media.linkInvalid");
  const nowSeconds = () => Math.floor(deps.clock.now().getTime() / 1000);

  return [
    {
      method: "GET",
      path: mediaRoutePrefix,
      handler: async (req, res, url) => {
        const key = url.pathname.slice(mediaRoutePrefix.length);
        const query = { exp: url.searchParams.get("exp"), sig: url.searchParams.get("sig"), dl: url.searchParams.get("dl") };
        // A key that could leave the storage root is refused before anything touches the disk, signed or not.
        if (!isStorageKey(key) || !media.signer.verifyObject(key, query)) return sendDomainError(req, res, linkInvalid);
        const object = await media.storage.get(key);
        if (!object) return sendRefusal(req, res, 404, "errors.notFound");
        res.writeHead(200, {
          "content-type": object.contentType,
          "content-length": object.size,
          "content-disposition": contentDisposition(query.dl ? "attachment" : "inline", query.dl ?? key.slice(key.lastIndexOf("/") + 1)),
          ...privateHeaders(Math.min(3600, Number(query.exp) - nowSeconds())),
        });
        await pipeline(object.body, res);
      },
    },
    {
      method: "GET",
      path: avatarZipRoutePrefix,
      handler: async (req, res, url) => {
        const match = /^(\d{1,10})\.zip$/.exec(url.pathname.slice(avatarZipRoutePrefix.length));
        const avatarId = match ? Number(match[1]) : null;
        const favourites = url.searchParams.get("favourites") === "1";
        const userId = avatarId && verifyAvatarZipLink(media, avatarId, { user: url.searchParams.get("user"), exp: url.searchParams.get("exp"), sig: url.searchParams.get("sig"), favourites });
        if (!avatarId || !userId) return sendDomainError(req, res, linkInvalid);
        if (await refusedOverLimit(deps, req, res, "zipDownload", userId)) return;
        let zip;
        try {
          zip = await openAvatarZip(deps.db, media, userId, avatarId, { favourites });
        } catch (error) {
          if (error instanceof DomainError) return sendDomainError(req, res, error);
          throw error;
        }
        res.writeHead(200, { "content-type": "application/zip", "content-disposition": contentDisposition("attachment", zip.fileName), ...privateHeaders(0) });
        await pipeline(zip.stream, res).catch((error: unknown) => requestLogger(logger, req).warn({ err: error, avatarId }, "avatar ZIP download ended early"));
      },
    },
    {
      method: "POST",
      path: "/uploads/avatars/",
      handler: async (req, res, url) => {
        if (await refusedOverLimit(deps, req, res, "upload")) return;
        const match = /^\/uploads\/avatars\/(\d{1,10})\/references$/.exec(url.pathname);
        if (!match) return sendRefusal(req, res, 404, "errors.notFound");
        // The same callers as /trpc: a session of a user who still exists, or an API key with the `create` scope.
        let userId: number;
        try {
          ({ userId } = await authenticate(createContext(deps, req.headers, null, { requestId: requestIdFor(req), setHeader: (name, value) => res.setHeader(name, value) }), "uploads", uploadScope));
        } catch (error) {
          if (error instanceof DomainError) return sendDomainError(req, res, error);
          throw error;
        }
        if (!req.headers["content-type"]?.toLowerCase().startsWith("multipart/form-data")) {
          return sendRefusal(req, res, 415, "errors.upload.notMultipart");
        }
        const locale = localeOf(req);
        // One byte over the limit is enough to know a file is too large; the rest is skipped, never buffered.
        const upload = multipartFiles(req, { field: "files", maxFiles: maxReferencePhotos, maxFileBytes: maxUploadBytes + 1, idleTimeoutMs: uploadIdleTimeoutMs });
        try {
          const result = await receiveReferenceUploads(deps.db, media, userId, Number(match[1]), upload.files, locale);
          if (upload.filesOverLimit()) {
            result.rejected.push({ name: "", ...translated("errors.upload.referenceLimit", locale, { max: maxReferencePhotos }) });
          }
          if (result.accepted.length + result.rejected.length === 0) return sendRefusal(req, res, 400, "errors.upload.noFiles");
          sendJson(res, 200, result);
        } catch (error) {
          upload.abandon();
          // The selfies stored before a broken body keep their rows; a retry of the whole request gets them back by content.
          switch (upload.failure()) {
            case "aborted":
              requestLogger(logger, req).info({ userId }, "upload: the client went away mid-upload");
              return;
            case "stalled":
              // The sender may never send the rest: the connection ends with the answer.
              res.setHeader("connection", "close");
              return sendRefusal(req, res, 408, "errors.upload.stalled", { seconds: Math.ceil(uploadIdleTimeoutMs / 1000) });
            case "malformed":
              return sendRefusal(req, res, 400, "errors.upload.malformed");
          }
          if (error instanceof DomainError) return sendDomainError(req, res, error);
          throw error;
        }
      },
    },
  ];
}

const translated = (key: "errors.upload.referenceLimit", locale: Locale, params: Record<string, number>) => ({ reason: translate(key, locale, params), messageKey: key });
