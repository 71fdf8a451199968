import { photoSharedUntil, revokePhotoShares, sharePhoto } from "@pinglass/media";
import { z } from "zod";
import { id } from "../inputs.ts";
import { authedProcedure, router } from "../trpc.ts";

/** Share pages of the user's photos (`/s/<token>`): 30 days each, revocable. */
export const sharesRouter = router({
  /** A new link to a page that shows the photo to whoever has it; only the link holds its token. */
  create: authedProcedure.input(z.object({ photoId: id })).mutation(({ ctx, input }) => sharePhoto(ctx.deps.db, ctx.deps.media, ctx.deps.clock, ctx.userId, input.photoId)),

  /** Until when the photo's latest live link works, or null when none does. */
  status: authedProcedure.input(z.object({ photoId: id })).query(({ ctx, input }) => photoSharedUntil(ctx.deps.db, ctx.deps.clock, ctx.userId, input.photoId)),

  /** Ends every link of the photo at once. */
  revoke: authedProcedure.input(z.object({ photoId: id })).mutation(({ ctx, input }) => revokePhotoShares(ctx.deps.db, ctx.deps.clock, ctx.userId, input.photoId)),
});
