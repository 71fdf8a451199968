import { type Server, type ServerResponse, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";

export interface ServerTimeouts {
  /** How long a client may take to send a request's headers. */
  headersMs: number;
  /**
   * How long a client may take to send a whole request, body included. It ends when the request
   * has arrived: a long answer (an SSE stream, a ZIP) is not cut by it.
   */
  requestMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveMs: number;
  /** How often node looks for connections past the first two. */
  checkEveryMs: number;
}

export const serverTimeouts: ServerTimeouts = {
  headersMs: 20_000,
  // Generous: 20 selfies of 15 MB from a phone on a slow uplink. Small bodies have their own
  // limit (bodyTimeoutMs in router.ts), and the upload route one for a stalled sender.
  requestMs: 60 * 60_000,
  // Longer than the idle timeout of the usual proxies and load balancers (60 s), so that they never
  // send a request on a connection we are closing at that moment.
  keepAliveMs: 65_000,
  checkEveryMs: 5_000,
};

/** Slow senders and requests node cannot parse: timeouts, and an answer for each parse failure. */
export function limitServer(server: Server, timeouts: ServerTimeouts): Server {
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  // Read by node when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = timeouts.checkEveryMs;
  server.on("clientError", answerClientError);
  return server;
}

/** How long a connection whose request was refused is still read (and its bytes dropped) before it is closed. */
const lingerMs = 2_000;
const answered = new WeakSet<Socket>();

/**
 * What node answers by itself to a request it cannot parse or that took too long (400, 408, 431),
 * except that a request line too long to read (a 100 KB URL) gets 414 URI Too Long. The client may
 * still be sending: the connection is read a little longer (node reports each further chunk as
 * another error, ignored here), because closing it on unread bytes resets it and the client would
 * lose the answer.
 */
function answerClientError(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, duplex: Duplex) {
  const socket = duplex as Socket;
  if (answered.has(socket)) return;
  // As node does: no answer over one already under way on this connection.
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) return socket.destroy();
  answered.add(socket);
  const status =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : error.code === "HPE_HEADER_OVERFLOW" ? (requestLineTooLong(error.rawPacket) ? 414 : 431) : 400;
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  setTimeout(() => socket.destroy(), lingerMs).unref();
}

/** A request line is at most this long; node's limit on all headers together is 16 KB. */
const maxRequestLineBytes = 8 * 1024;

function requestLineTooLong(packet: Buffer | undefined): boolean {
  if (!packet || !/^[A-Z]+ \//.test(packet.toString("latin1", 0, 16))) return false;
  const lineEnd = packet.indexOf("\r\n");
  return lineEnd === -1 ? packet.length > maxRequestLineBytes : lineEnd > maxRequestLineBytes;
}
