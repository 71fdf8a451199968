/**
 * Standard Webhooks (standardwebhooks.com): the secret, the message id and the three headers
 * every delivery carries, signed with the specification's own library.
 */
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

/** `whsec_` and the base64 of 32 random bytes: the form the Standard Webhooks libraries take. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString("base64")}`;

/** The stable webhook-id of one event: every attempt, to every endpoint, sends the same one. */
export const newMessageId = (): string => `msg_${randomBytes(16).toString("base64url")}`;

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** The headers of one attempt: signed anew each time, since receivers refuse a timestamp older than five minutes. */
export function signedHeaders(secret: string, messageId: string, payload: string, now: Date): SignedHeaders {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(messageId, now, payload),
  };
}
