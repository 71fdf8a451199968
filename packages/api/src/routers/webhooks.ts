import { webhookDeliveryStatuses, webhookEventTypes } from "@pinglass/db";
import { createEndpoint, deleteEndpoint, listDeliveries, listEndpoints, maxWebhookUrlLength } from "@pinglass/webhooks";
import { z } from "zod";
import { idempotencyKeyInput } from "../idempotency.ts";
import { id, plainText } from "../inputs.ts";
import { deletedOutput, described, timestamp } from "../outputs.ts";
import { rest } from "../rest-meta.ts";
import { authedProcedure, router } from "../trpc.ts";

const eventType = z.enum(webhookEventTypes, { message: "errors.invalidInput" });

const webhookOutput = z.object({
  id: z.number().int().positive(),
  url: z.string(),
  events: z.array(eventType),
  createdAt: timestamp,
});

const deliveryOutput = z.object({
  id: z.number().int().positive(),
  messageId: z.string().meta(described("The webhook-id header of every attempt of this event.", "Заголовок webhook-id всех попыток этого события.")),
  eventType,
  status: z.enum(webhookDeliveryStatuses),
  attempts: z.number().int(),
  lastAttemptAt: timestamp.nullable(),
  lastStatusCode: z
    .number()
    .int()
    .nullable()
    .meta(described("Your endpoint's HTTP status on the last attempt; null when it did not answer.", "HTTP-статус вашего адреса в последней попытке; null, если он не ответил.")),
  lastError: z.string().nullable().meta(described("Why the last attempt got no answer (timeout, refused connection…).", "Почему последняя попытка осталась без ответа (тайм-аут, отказ в соединении…).")),
  nextAttemptAt: timestamp.nullable(),
  createdAt: timestamp,
});

export const webhooksRouter = router({
  /** A new endpoint for these events; its signing secret is in this answer only. */
  create: authedProcedure
    .meta(
      rest("POST", "/webhook-endpoints", {
        tag: "Account",
        summary: ["Add a webhook endpoint", "Добавить вебхук"],
        description: [
          "Your URL gets a POST for each event it subscribes to, signed as Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature) with the `whsec_…` secret in this answer (shown once). Failures are retried for about a day.",
          "На ваш адрес приходит POST о каждом событии из подписки, подписанный по Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature) секретом `whsec_…` из этого ответа (показывается один раз). Неудачные попытки повторяются около суток.",
        ],
        errors: ["FORBIDDEN"],
      }),
    )
    .input(
      z.strictObject({
        url: plainText("errors.webhook.urlInvalid").max(maxWebhookUrlLength, { message: "errors.webhook.urlInvalid" }),
        events: z.array(eventType).min(1, { message: "errors.webhook.eventsEmpty" }).max(webhookEventTypes.length),
        idempotencyKey: idempotencyKeyInput,
      }),
    )
    .output(webhookOutput.extend({ secret: z.string().meta(described("The signing secret: shown once, keep it safe.", "Секрет подписи: показывается один раз, сохраните его.")) }))
    .mutation(({ ctx, input }) => createEndpoint(ctx.deps.db, ctx.deps.webhookUrls ?? { allowPrivateAddresses: false }, ctx.userId, input, ctx.deps.clock.now())),

  list: authedProcedure
    .meta(rest("GET", "/webhook-endpoints", { tag: "Account", summary: ["List webhook endpoints", "Вебхуки"] }))
    .output(z.object({ items: z.array(webhookOutput) }))
    .query(async ({ ctx }) => ({ items: await listEndpoints(ctx.deps.db, ctx.userId) })),

  /** Deletes the endpoint; what it had not received yet is not sent. */
  delete: authedProcedure
    .meta(rest("DELETE", "/webhook-endpoints/{webhookId}", { tag: "Account", summary: ["Delete a webhook endpoint", "Удалить вебхук"], errors: ["NOT_FOUND"] }))
    .input(z.strictObject({ webhookId: id }))
    .output(deletedOutput)
    .mutation(({ ctx, input }) => deleteEndpoint(ctx.deps.db, ctx.userId, input.webhookId)),

  /** The endpoint's latest deliveries, newest first, with the status code of each one's last attempt. */
  deliveries: authedProcedure
    .meta(
      rest("GET", "/webhook-endpoints/{webhookId}/deliveries", {
        tag: "Account",
        summary: ["Webhook deliveries", "Доставки вебхука"],
        description: [
          "Newest first: each event sent to the endpoint, its status (pending, delivered, failed), attempts, and the last attempt's HTTP status or error. Pass `nextCursor` back as `cursor` for older ones.",
          "Новые первыми: каждое событие для этого адреса, его статус (pending, delivered, failed), число попыток и HTTP-статус или ошибка последней. За более старыми передайте `nextCursor` как `cursor`.",
        ],
        errors: ["NOT_FOUND"],
      }),
    )
    .input(z.strictObject({ webhookId: id, cursor: id.nullish(), limit: z.number().int().min(1).max(100).default(20) }))
    .output(z.object({ items: z.array(deliveryOutput), nextCursor: z.number().int().positive().nullable() }))
    .query(({ ctx, input }) => listDeliveries(ctx.deps.db, ctx.userId, input.webhookId, { cursor: input.cursor ?? undefined, limit: input.limit })),
});
