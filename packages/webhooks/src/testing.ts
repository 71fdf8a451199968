/**
 * A webhook receiver on 127.0.0.1 for tests, as a developer would write one: it verifies every
 * request with the Standard Webhooks library and records what came, and it can be told to answer
 * the next requests with a failure status or not at all (a timeout).
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "@pinglass/core";
import { Webhook } from "standardwebhooks";

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The library accepted the signature (and its timestamp). */
  verified: boolean;
  verifyError: string | null;
  /** What the receiver did: an HTTP status, or no answer. */
  answer: number | "none";
}

export type ReceiverAnswer = number | "none";

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * `clock`: the library checks a signature's timestamp against Date.now(), within five minutes; a
 * test that moves its own clock lends it to the library for the (synchronous) check.
 */
export async function startWebhookReceiver(options: { clock?: Clock } = {}) {
  let secret: string | null = null;
  const received: ReceivedWebhook[] = [];
  const answers: ReceiverAnswer[] = [];
  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));
    let verifyError: string | null = null;
    const realNow = Date.now;
    if (options.clock) Date.now = () => options.clock!.now().getTime();
    try {
      if (!secret) throw new Error("the receiver has no secret");
      new Webhook(secret).verify(body, headers);
    } catch (error) {
      verifyError = error instanceof Error ? error.message : String(error);
    } finally {
      Date.now = realNow;
    }
    const answer = answers.shift() ?? (verifyError ? 400 : 204);
    received.push({ path: req.url ?? "", headers, body, verified: verifyError === null, verifyError, answer });
    if (answer !== "none") res.writeHead(answer).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = "/hooks/pinglass") => `http://127.0.0.1:${port}${path}`,
    received,
    /** The endpoint's signing secret, as the developer copies it from the create answer. */
    useSecret(value: string) {
      secret = value;
    },
    /** The next requests get these answers in turn (a status, or "none": never answered); then 204. */
    answerNext(...next: ReceiverAnswer[]) {
      answers.push(...next);
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
