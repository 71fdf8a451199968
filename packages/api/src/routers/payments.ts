import { requireOwnedAvatar } from "@pinglass/accounts";
import { requireEnoughReferences } from "@pinglass/media";
import { styleIds } from "@pinglass/generation";
import { cancelPayment, createPayment, getPaymentStatus, listPayments, paymentMethods, tierIds, tiers } from "@pinglass/payments";
import { z } from "zod";
import { idempotencyKeyInput } from "../idempotency.ts";
import { id, plainText } from "../inputs.ts";
import { createdPaymentOutput, paymentOutput } from "../outputs.ts";
import { rateLimited } from "../rate-limit.ts";
import { rest } from "../rest-meta.ts";
import { authedProcedure, router } from "../trpc.ts";

const email = plainText("errors.payment.emailInvalid", "errors.payment.emailRequired")
  .trim()
  .min(1, { message: "errors.payment.emailRequired" })
  .max(254, { message: "errors.payment.emailInvalid" })
  .pipe(z.email({ message: "errors.payment.emailInvalid" }));

export const paymentsRouter = router({
  /**
   * Starts a payment for a tier, for the photoset of `avatarId` in `styleId` (it starts by itself
   * when the money arrives), and returns where to pay: the bank's page (card, with the receipt
   * `email`) or a Telegram Stars invoice link. The same intent again within 30 minutes gets the
   * same payment back.
   */
  create: authedProcedure
    .meta(
      rest("POST", "/payments", {
        tag: "Payments",
        summary: ["Start a payment", "Начать платёж"],
        description: [
          "Starts a payment for a tier and returns where to pay: the bank's page for a card (with the 54-FZ receipt `email`), or a Telegram Stars invoice. With `avatarId` and `styleId` the photoset starts by itself when the money arrives. The same intent again within 30 minutes answers the same payment.",
          "Начинает платёж за тариф и возвращает, где платить: страницу банка для карты (с `email` для чека по 54-ФЗ) или счёт в Telegram Stars. С `avatarId` и `styleId` фотосет запустится сам, когда придут деньги. То же намерение в течение 30 минут возвращает тот же платёж.",
        ],
        errors: ["NOT_FOUND", "PRECONDITION_FAILED", "BAD_GATEWAY"],
      }),
    )
    .use(rateLimited("paymentCreate"))
    .input(
      z.strictObject({
        tierId: z.enum(tierIds, { message: "errors.payment.tierUnknown" }),
        email: email.optional(),
        avatarId: id.optional(),
        styleId: z.enum(styleIds, { message: "errors.generation.unknownStyle" }).optional(),
        method: z.enum(paymentMethods, { message: "errors.invalidInput" }).optional(),
        idempotencyKey: idempotencyKeyInput,
      }),
    )
    .output(createdPaymentOutput)
    .mutation(async ({ ctx, input }) => {
      if (input.avatarId !== undefined) {
        await requireOwnedAvatar(ctx.deps.db, ctx.userId, input.avatarId);
        // Before any money moves: a photoset bought for an avatar must be able to start there.
        await requireEnoughReferences(ctx.deps.db, input.avatarId);
      }
      return createPayment(ctx.deps, ctx.userId, { ...input, locale: ctx.locale });
    }),

  /** The owner cancels a pending payment; one the bank confirmed meanwhile is kept, and `outcome` says so. */
  cancel: authedProcedure
    .meta(
      rest("POST", "/payments/{paymentId}/cancel", {
        tag: "Payments",
        summary: ["Cancel a payment", "Отменить платёж"],
        description: [
          "Cancels a pending payment. One the bank confirmed meanwhile is kept, and `outcome` says so (`paid`); `processing` means the bank is still completing it: ask again shortly.",
          "Отменяет ожидающий платёж. Если банк тем временем его подтвердил, платёж остаётся, и `outcome` говорит об этом (`paid`); `processing` — банк ещё проводит его, спросите чуть позже.",
        ],
        errors: ["NOT_FOUND", "BAD_GATEWAY"],
      }),
    )
    .input(z.strictObject({ paymentId: id }))
    .output(z.object({ outcome: z.enum(["canceled", "paid", "refunded", "processing"]), payment: paymentOutput }))
    .mutation(({ ctx, input }) => cancelPayment(ctx.deps, ctx.userId, input.paymentId)),

  /**
   * The ways to pay this server takes: cards everywhere (inside Telegram only when
   * `cardInMiniApp`), Telegram Stars with each tier's price in whole Stars when a bot is configured.
   */
  methods: authedProcedure
    .meta(rest("GET", "/payment-methods", { tag: "Payments", summary: ["Ways to pay", "Способы оплаты"] }))
    .output(z.object({ cardInMiniApp: z.boolean(), stars: z.array(z.object({ tierId: z.enum(tierIds), stars: z.number().int() })).nullable() }))
    .query(({ ctx }) => ({
    cardInMiniApp: ctx.deps.payments.miniAppCardPayments === true,
    stars: ctx.deps.stars ? tiers.map((tier) => ({ tierId: tier.id, stars: ctx.deps.stars!.prices[tier.id] })) : null,
  })),

  /** One of the user's payments; a pending one is checked with the bank first. */
  status: authedProcedure
    .meta(
      rest("GET", "/payments/{paymentId}", {
        tag: "Payments",
        summary: ["A payment", "Платёж"],
        description: ["One of your payments with its refunds; a pending one is checked with the bank first.", "Один из ваших платежей с возвратами; ожидающий сначала сверяется с банком."],
        errors: ["NOT_FOUND"],
      }),
    )
    .input(z.strictObject({ paymentId: id }))
    .output(paymentOutput)
    .query(({ ctx, input }) => getPaymentStatus(ctx.deps, ctx.userId, input.paymentId)),

  /** The user's payments with their refunds, newest first. */
  list: authedProcedure
    .meta(rest("GET", "/payments", { tag: "Payments", summary: ["List payments", "Список платежей"], description: ["Your payments with their refunds, newest first.", "Ваши платежи с возвратами, новые первыми."] }))
    .output(z.array(paymentOutput))
    .query(({ ctx }) => listPayments(ctx.deps.db, ctx.userId)),
});
