import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import busboy from "busboy";

/**
 * Why a multipart body could not be read to its end: it was not valid multipart (a missing or
 * empty boundary, a cut-off part, no closing boundary, a part header over busboy's 16 KB), the
 * sender stopped sending for idleTimeoutMs, or the client went away.
 */
export type MultipartFailure = "malformed" | "stalled" | "aborted";

/** RFC 2046: a boundary is 1 to 70 characters. */
const boundaryPattern = /;\s*boundary=(?:"[^"]{1,70}"|[^\s;"]{1,70})\s*(?:;|$)/i;

/**
 * The files of one multipart field as an async iterable, in the order they arrive. busboy does
 * not read the next part until the current file stream has been consumed, so a slow consumer
 * pauses the upload itself (TCP backpressure) instead of piling files up in memory.
 *
 * A broken body never throws outside the iteration: every stream busboy hands out gets an error
 * listener at once (a part that fails before its consumer reaches it would otherwise be an
 * unhandled 'error' event, which ends the process), and the iteration throws instead; failure()
 * says why. The idle timer only runs while we wait for the sender: while the consumer is busy
 * and the request is paused by backpressure, the silence is ours.
 */
export function multipartFiles(req: IncomingMessage, options: { field: string; maxFiles: number; maxFileBytes: number; idleTimeoutMs: number }) {
  const queue: { name: string; stream: Readable }[] = [];
  let finished = false;
  let failure: { kind: MultipartFailure; error: Error } | null = null;
  let overLimit = false;
  let wake: (() => void) | null = null;
  const notify = () => wake?.();

  const parser = boundaryPattern.test(req.headers["content-type"] ?? "")
    ? busboy({ headers: req.headers, limits: { files: options.maxFiles, fileSize: options.maxFileBytes, fields: 20, parts: options.maxFiles + 20 } })
    : null;

  const fail = (kind: MultipartFailure, error: Error) => {
    failure ??= { kind, error };
    clearTimeout(idle);
    // Wakes a consumer in the middle of a file: busboy destroys the open file stream with this error.
    if (parser && !parser.destroyed) parser.destroy(error);
    notify();
  };

  const idle = setTimeout(function onIdle() {
    if (req.isPaused()) idle.refresh();
    else fail("stalled", new Error(`no bytes for ${options.idleTimeoutMs} ms`));
  }, options.idleTimeoutMs);

  if (!parser) {
    fail("malformed", new Error("multipart/form-data without a valid boundary"));
  } else {
    parser.on("file", (field, stream, info) => {
      stream.on("error", (error: Error) => fail("malformed", error));
      if (field !== options.field) {
        stream.resume();
        return;
      }
      queue.push({ name: info.filename ?? "", stream });
      notify();
    });
    parser.on("filesLimit", () => {
      overLimit = true;
    });
    parser.on("close", () => {
      finished = true;
      clearTimeout(idle);
      notify();
    });
    parser.on("error", (error: Error) => fail("malformed", error));
    req.on("data", () => idle.refresh());
    req.on("end", () => clearTimeout(idle));
    req.on("close", () => {
      if (!req.complete) fail("aborted", new Error("the client closed the connection mid-upload"));
    });
    req.pipe(parser);
  }

  async function* files() {
    for (;;) {
      // Once the body is known to be broken, nothing more of it is taken in.
      if (failure) throw failure.error;
      const next = queue.shift();
      if (next) yield next;
      else if (finished) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }

  return {
    files: files(),
    /** Whether the request carried more files than maxFiles (the extra ones were skipped). */
    filesOverLimit: () => overLimit,
    /** Why the body could not be read to its end, or null. */
    failure: () => failure?.kind ?? null,
    /** Stops parsing (after a failure or a refusal) and stops the idle timer; the rest of the body is read and dropped so an answer can be sent. */
    abandon() {
      clearTimeout(idle);
      if (parser) req.unpipe(parser);
      req.resume();
    },
  };
}
