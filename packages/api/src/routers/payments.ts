import { createPayment, getPaymentStatus, listPayments, tierIds } from "@pinglass/payments";
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
  /** Starts a payment for a tier and returns the bank's payment page. */
  create: authedProcedure
    .use(rateLimited("paymentCreate"))
    .input(z.object({ tierId: z.enum(tierIds, { message: "errors.payment.tierUnknown" }), email }))
    .mutation(({ ctx, input }) => createPayment(ctx.deps, ctx.userId, input)),

  /** One of the user's payments; a pending one is checked with the bank first. */
  status: authedProcedure.input(z.object({ paymentId: id })).query(({ ctx, input }) => getPaymentStatus(ctx.deps, ctx.userId, input.paymentId)),

  /** The user's payments with their refunds, newest first. */
  list: authedProcedure.query(({ ctx }) => listPayments(ctx.deps.db, ctx.userId)),
});
