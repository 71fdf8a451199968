/**
 * The operators' console (/admin in the web app). Every procedure is an adminProcedure: anyone
 * but an operator is refused with 403. Every change goes through operators.ts, which writes the
 * audit log in the transaction of the change.
 */
import { listAudit } from "@pinglass/accounts";
import { jobDetail, jobListKinds, listJobs } from "@pinglass/generation";
import { findPayments, paymentDetail } from "@pinglass/payments";
import { listDeliveries } from "@pinglass/telegram";
import { z } from "zod";
import { id, pageDirection, plainText } from "../inputs.ts";
import { cancelRunningJob, deleteUserData, overview, recheck, refundPayment, resend, retryJob, searchUsers, userDetail } from "../operators.ts";
import { adminProcedure, router } from "../trpc.ts";

const search = z.strictObject({ query: plainText().trim().min(1, { message: "errors.invalidInput" }).max(200, { message: "errors.invalidInput" }) });
const payment = z.strictObject({ paymentId: id });
const job = z.strictObject({ jobId: id });

export const adminRouter = router({
  /** Who the operator is: the console asks first, and shows nothing to anyone this refuses. */
  me: adminProcedure.query(({ ctx }) => ({ userId: ctx.operator.userId, telegramId: String(ctx.operator.telegramId) })),

  overview: adminProcedure.query(({ ctx }) => overview(ctx.deps)),

  payments: router({
    search: adminProcedure.input(search).query(async ({ ctx, input }) => ({ items: await findPayments(ctx.deps.db, input.query) })),
    get: adminProcedure.input(payment).query(({ ctx, input }) => paymentDetail(ctx.deps.db, input.paymentId)),
    /** A whole payment (what is left of it), or the share of a number of its photos; the refund sweep sends it. */
    refund: adminProcedure
      .input(payment.extend({ photos: z.number({ message: "errors.invalidInput" }).int().positive().max(1000).nullable() }))
      .mutation(({ ctx, input }) => refundPayment(ctx.deps, ctx.operator, input.paymentId, input.photos)),
    /** Asks the bank (GetState) now. */
    recheck: adminProcedure.input(payment).mutation(({ ctx, input }) => recheck(ctx.deps, ctx.operator, input.paymentId)),
  }),

  jobs: router({
    list: adminProcedure
      .input(z.strictObject({ kind: z.enum(jobListKinds, { message: "errors.invalidInput" }) }))
      .query(async ({ ctx, input }) => ({
        items: await listJobs(ctx.deps.db, input.kind, { now: ctx.deps.clock.now(), leaseMs: ctx.deps.operators?.leaseMs ?? 60_000 }),
      })),
    get: adminProcedure.input(job).query(({ ctx, input }) => jobDetail(ctx.deps.db, input.jobId)),
    /** Makes the job's failed photos again. */
    retry: adminProcedure.input(job).mutation(({ ctx, input }) => retryJob(ctx.deps, ctx.operator, input.jobId)),
    /** Stops a running job; its unmade photos are refunded as failed ones are. */
    cancel: adminProcedure.input(job).mutation(({ ctx, input }) => cancelRunningJob(ctx.deps, ctx.operator, input.jobId)),
  }),

  users: router({
    search: adminProcedure.input(search).query(async ({ ctx, input }) => ({ items: await searchUsers(ctx.deps, input.query) })),
    get: adminProcedure.input(z.strictObject({ userId: id })).query(({ ctx, input }) => userDetail(ctx.deps, input.userId)),
    /** Deletes all of the user's data (their request), as "Delete all my data" does. */
    deleteAll: adminProcedure
      .input(z.strictObject({ userId: id, confirm: z.literal(true, { message: "errors.invalidInput" }) }))
      .mutation(({ ctx, input }) => deleteUserData(ctx.deps, ctx.operator, input.userId)),
  }),

  deliveries: router({
    list: adminProcedure
      .input(z.strictObject({ status: z.enum(["failed", "pending"], { message: "errors.invalidInput" }) }))
      .query(async ({ ctx, input }) => ({ items: await listDeliveries(ctx.deps.db, input.status) })),
    resend: adminProcedure.input(job).mutation(({ ctx, input }) => resend(ctx.deps, ctx.operator, input.jobId)),
  }),

  audit: adminProcedure
    .input(z.strictObject({ cursor: id.nullish(), direction: pageDirection, limit: z.number({ message: "errors.invalidInput" }).int().min(1).max(100).default(50) }))
    .query(({ ctx, input }) => listAudit(ctx.deps.db, { cursor: input.cursor ?? undefined, limit: input.limit })),
});
