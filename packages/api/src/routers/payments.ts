import { requireOwnedAvatar } from "@pinglass/accounts";
import { requireEnoughReferences } from "@pinglass/media";
import { styleIds } from "@pinglass/generation";
import { cancelPayment, createPayment, getPaymentStatus, listPayments, paymentMethods, tierIds, tiers } from "@pinglass/payments";
import { z } from "zod";
import { id, plainText } from "../inputs.ts";
import { rateLimited } from "../rate-limit.ts";
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
    .use(rateLimited("paymentCreate"))
    .input(
      z.object({
        tierId: z.enum(tierIds, { message: "errors.payment.tierUnknown" }),
        email: email.optional(),
        avatarId: id.optional(),
        styleId: z.enum(styleIds, { message: "errors.generation.unknownStyle" }).optional(),
        method: z.enum(paymentMethods, { message: "errors.invalidInput" }).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (input.avatarId !== undefined) {
        await requireOwnedAvatar(ctx.deps.db, ctx.userId, input.avatarId);
        // Before any money moves: a photoset bought for an avatar must be able to start there.
        await requireEnoughReferences(ctx.deps.db, input.avatarId);
      }
      return createPayment(ctx.deps, ctx.userId, { ...input, locale: ctx.locale });
    }),

  /** The owner cancels a pending payment; one the bank confirmed meanwhile is kept, and `outcome` says so. */
  cancel: authedProcedure.input(z.object({ paymentId: id })).mutation(({ ctx, input }) => cancelPayment(ctx.deps, ctx.userId, input.paymentId)),

  /**
   * The ways to pay this server takes: cards everywhere (inside Telegram only when
   * `cardInMiniApp`), Telegram Stars with each tier's price in whole Stars when a bot is configured.
   */
  methods: authedProcedure.query(({ ctx }) => ({
    cardInMiniApp: ctx.deps.payments.miniAppCardPayments === true,
    stars: ctx.deps.stars ? tiers.map((tier) => ({ tierId: tier.id, stars: ctx.deps.stars!.prices[tier.id] })) : null,
  })),

  /** One of the user's payments; a pending one is checked with the bank first. */
  status: authedProcedure.input(z.object({ paymentId: id })).query(({ ctx, input }) => getPaymentStatus(ctx.deps, ctx.userId, input.paymentId)),

  /** The user's payments with their refunds, newest first. */
  list: authedProcedure.query(({ ctx }) => listPayments(ctx.deps.db, ctx.userId)),
});
