/**
 * The bench's HTTP client: node:http with a keep-alive agent for well-formed requests, raw
 * node:net for the hostile ones (bytes node's own client refuses to send), and a one-line
 * rendering of any request for the report. Only 127.0.0.1 is ever contacted.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http";
import { connect } from "node:net";

export interface HttpSpec {
  kind: "http";
  method: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
  /** What a reader should see instead of a binary or huge body. */
  bodyNote?: string;
  /** A stream (SSE): read this long after the headers, then hang up. */
  readForMs?: number;
}

export interface RawSpec {
  kind: "raw";
  /** Sent in order; a number is a pause in ms between pieces. */
  pieces: (Buffer | string | number)[];
  /** Half-close after the last piece (the client ends its side without completing the request). */
  endAfter?: boolean;
  /** Hang up this long after the last piece, answered or not. */
  closeAfterMs?: number;
  /** The request is deliberately incomplete: the server is right not to answer. */
  expectNoAnswer?: boolean;
  note?: string;
}

export type Spec = HttpSpec | RawSpec;

export interface Outcome {
  /** The HTTP status, or why there is none: "no answer" (timeout or our hang-up), "network:<code>". */
  status: number | string;
  ms: number;
  body?: Buffer;
  headers?: IncomingHttpHeaders;
}

export const loopback = "127.0.0.1";

/** Well-formed requests over a keep-alive agent; the body is kept up to maxBodyBytes. */
export function send(port: number, spec: HttpSpec, options: { agent?: Agent; timeoutMs?: number; maxBodyBytes?: number } = {}): Promise<Outcome> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<Outcome, "ms">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, ms: performance.now() - started });
    };
    const body = spec.body === undefined ? undefined : Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body, "utf8");
    const headers: OutgoingHttpHeaders = { ...spec.headers };
    if (body && headers["content-length"] === undefined && headers["transfer-encoding"] === undefined) headers["content-length"] = body.length;
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest({ host: loopback, port, method: spec.method, path: spec.path, headers, agent: options.agent ?? false });
    } catch (error) {
      // node refused to send it (a character it will not put in a request line or header)
      finish({ status: `client refused:${(error as NodeJS.ErrnoException).code ?? "error"}` });
      return;
    }
    const timer = setTimeout(() => {
      req.destroy();
      finish({ status: "no answer" });
    }, timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed just as it was reused: once more on a fresh
      // connection, as browsers do; a failure on a fresh connection stands.
      if (req.reusedSocket && !settled && (error.code === "ECONNRESET" || error.code === "EPIPE")) {
        settled = true;
        clearTimeout(timer);
        void send(port, spec, { ...options, agent: undefined }).then((retried) => resolve({ ...retried, ms: performance.now() - started }));
        return;
      }
      finish({ status: `network:${error.code ?? error.message}` });
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers });
      res.on("data", (chunk: Buffer) => {
        if (size < maxBodyBytes) chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", done);
      res.on("error", done);
      res.on("aborted", done);
      if (spec.readForMs !== undefined) {
        setTimeout(() => {
          done();
          req.destroy();
        }, spec.readForMs);
      }
    });
    req.end(body);
  });
}

/** Raw bytes over a fresh socket; the outcome is the status line's code, if one comes. */
export function sendRaw(port: number, spec: RawSpec, options: { timeoutMs?: number } = {}): Promise<Outcome> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve) => {
    const socket = connect({ host: loopback, port });
    const received: Buffer[] = [];
    let settled = false;
    const finish = (result: number | string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: result, ms: performance.now() - started, body: Buffer.concat(received) });
    };
    let status: number | undefined;
    const timer = setTimeout(() => finish(status ?? "no answer"), timeoutMs);
    socket.on("data", (chunk) => {
      received.push(chunk);
      if (status !== undefined) return;
      const head = Buffer.concat(received).toString("latin1");
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      // The status line is all we need, but let a little of the body arrive for the report.
      if (match) {
        status = Number(match[1]);
        setTimeout(() => finish(status!), 20);
      } else if (head.length > 16) finish("garbled answer");
    });
    const noStatus = () => (received.length ? "garbled answer" : "no answer");
    socket.on("error", (error: NodeJS.ErrnoException) => finish(status ?? (received.length ? "garbled answer" : `network:${error.code ?? error.message}`)));
    socket.on("close", () => finish(status ?? noStatus()));
    socket.on("connect", async () => {
      for (const piece of spec.pieces) {
        if (settled) return;
        if (typeof piece === "number") await new Promise((r) => setTimeout(r, piece));
        else if (!socket.write(piece)) await new Promise((r) => socket.once("drain", r));
      }
      if (spec.endAfter) socket.end();
      if (spec.closeAfterMs !== undefined) setTimeout(() => finish(status ?? "no answer"), spec.closeAfterMs);
    });
  });
}

/** Node's HTTP server reads at most 16 KB of request head. */
const maxHeadBytes = 16 * 1024;

/** The head of a request as sent on the wire (an estimate good enough to compare with the limit). */
const headBytes = (spec: HttpSpec) => spec.path.length + Object.entries(spec.headers ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length + 4, 64);

/**
 * The same request as raw bytes. Node's server answers a head over its limit (431) and closes
 * at once, which node's client, still writing, reports as ECONNRESET; a raw socket reads the answer.
 */
export function asRaw(spec: HttpSpec): RawSpec {
  const body = spec.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body, "utf8");
  const headers = { host: loopback, connection: "close", ...spec.headers, ...(spec.body === undefined ? {} : { "content-length": body.length }) };
  const head = `${spec.method} ${spec.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${String(v)}\r\n`)
    .join("")}\r\n`;
  return { kind: "raw", pieces: [Buffer.from(head, "latin1"), body] };
}

/** Big heads, and bodies a server may refuse half-way (answering 413 and closing while node's client still writes). */
export const needsRaw = (spec: HttpSpec) => headBytes(spec) > maxHeadBytes / 2 || (spec.body?.length ?? 0) > 1024 * 1024;

/** One multipart/form-data body; parts are raw header lines plus content. */
export function multipart(boundary: string, parts: { headers: string[]; content: Buffer | string }[], options: { close?: boolean } = {}): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    pieces.push(Buffer.from(`--${boundary}\r\n${part.headers.join("\r\n")}\r\n\r\n`, "latin1"));
    pieces.push(Buffer.isBuffer(part.content) ? part.content : Buffer.from(part.content, "utf8"));
    pieces.push(Buffer.from("\r\n"));
  }
  if (options.close !== false) pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(pieces);
}

export const filePart = (name: string, content: Buffer, type = "image/jpeg", field = "files") => ({
  headers: [`Content-Disposition: form-data; name="${field}"; filename="${name}"`, `Content-Type: ${type}`],
  content,
});

/** The most of a value abbreviate reads: its pattern overflows the regexp engine's stack on bodies of megabytes. */
const abbreviatedAtMost = 100_000;

/** Long runs of one repeated piece (up to 40 characters) as ‹piece›×count, so a 100 KB value fits on a line. */
export function abbreviate(text: string, max = 600): string {
  const head = text.slice(0, abbreviatedAtMost);
  const short = head.replace(/([\s\S]{1,40}?)\1{7,}/g, (run, unit: string) => `‹${unit}›×${run.length / unit.length}`);
  return short.length > max || head.length < text.length ? `${short.slice(0, max)}…(${text.length} chars)` : short;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const printable = (s: string) => JSON.stringify(s).slice(1, -1);

/** A one-line reproduction: a curl command for well-formed requests, the escaped bytes for raw ones. */
export function repro(port: number, spec: Spec, tokens: Map<string, string> = new Map()): string {
  const named = (s: string) => {
    let out = s;
    for (const [token, name] of tokens) out = out.split(token).join(`$${name}`);
    return out;
  };
  if (spec.kind === "raw") {
    const bytes = spec.pieces.map((p) => (typeof p === "number" ? `‹pause ${p} ms›` : Buffer.isBuffer(p) ? p.toString("latin1") : p)).join("");
    const tail = [spec.endAfter ? "then half-close" : "", spec.closeAfterMs !== undefined ? `then hang up after ${spec.closeAfterMs} ms` : ""].filter(Boolean).join(", ");
    return `raw TCP to 127.0.0.1:${port}: "${abbreviate(named(printable(bytes)))}"${tail ? ` (${tail})` : ""}${spec.note ? ` — ${spec.note}` : ""}`;
  }
  const parts = [`curl -sS -X ${spec.method}`, shellQuote(abbreviate(named(`http://127.0.0.1:${port}${spec.path}`)))];
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    if (value === undefined || name === "content-length") continue;
    parts.push(`-H ${shellQuote(abbreviate(named(`${name}: ${String(value)}`), 300))}`);
  }
  if (spec.bodyNote) parts.push(`--data-binary ‹${spec.bodyNote}›`);
  else if (spec.body !== undefined) {
    const text = Buffer.isBuffer(spec.body) ? spec.body.toString("latin1") : spec.body;
    parts.push(`--data-binary ${shellQuote(abbreviate(named(text)))}`);
  }
  return parts.join(" ");
}
