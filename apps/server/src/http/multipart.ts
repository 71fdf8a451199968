import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import busboy from "busboy";

/**
 * The files of one multipart field as an async iterable, in the order they arrive. busboy does
 * not read the next part until the current file stream has been consumed, so a slow consumer
 * pauses the upload itself (TCP backpressure) instead of piling files up in memory.
 */
export function multipartFiles(req: IncomingMessage, options: { field: string; maxFiles: number; maxFileBytes: number }) {
  const parser = busboy({ headers: req.headers, limits: { files: options.maxFiles, fileSize: options.maxFileBytes, fields: 20, parts: options.maxFiles + 20 } });
  const queue: { name: string; stream: Readable }[] = [];
  let finished = false;
  let failure: Error | null = null;
  let overLimit = false;
  let wake: (() => void) | null = null;
  const notify = () => wake?.();

  parser.on("file", (field, stream, info) => {
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
    notify();
  });
  parser.on("error", (error: Error) => {
    failure = error;
    notify();
  });
  req.pipe(parser);

  async function* files() {
    for (;;) {
      const next = queue.shift();
      if (next) yield next;
      else if (failure) throw failure;
      else if (finished) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }

  return {
    files: files(),
    /** Whether the request carried more files than maxFiles (the extra ones were skipped). */
    filesOverLimit: () => overLimit,
    /** Whether the body was not valid multipart. */
    malformed: () => failure !== null,
    /** Stops parsing after a failure; the rest of the body is read and dropped so the answer can be sent. */
    abandon() {
      req.unpipe(parser);
      req.resume();
    },
  };
}
