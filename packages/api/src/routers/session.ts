import { getOrCreateUserByDevice, getUser, hasPaid } from "@pinglass/accounts";
import { listPaidPhotosets } from "@pinglass/payments";
import { z } from "zod";
import { authedProcedure, publicProcedure, router } from "../trpc.ts";

export const sessionRouter = router({
  /** Gets or creates the user of this browser's device id and returns a signed session token. */
  start: publicProcedure
    .input(z.object({ deviceId: z.uuid({ message: "errors.deviceId.invalid" }) }))
    .mutation(async ({ ctx, input }) => {
      const user = await getOrCreateUserByDevice(ctx.deps.db, input.deviceId.toLowerCase());
      const session = ctx.deps.sessions.issue(user.id);
      return { token: session.token, expiresAt: session.expiresAt, userId: user.id };
    }),

  me: authedProcedure.query(async ({ ctx }) => {
    const [user, paid, paidPhotosets] = await Promise.all([getUser(ctx.deps.db, ctx.userId), hasPaid(ctx.deps.db, ctx.userId), listPaidPhotosets(ctx.deps.db, ctx.userId)]);
    return {
      user: { id: user.id, telegramUserId: user.telegramUserId, createdAt: user.createdAt },
      hasPaid: paid,
      /** Succeeded payments no job has used yet. */
      paidPhotosets,
    };
  }),
});
