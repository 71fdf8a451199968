import { listStyles } from "@pinglass/generation";
import { publicProcedure, router } from "../trpc.ts";

export const stylesRouter = router({
  /** The catalogue, and which provider will render it (the app labels the offline renderer). */
  list: publicProcedure.query(({ ctx }) => ({ styles: listStyles(), provider: ctx.deps.generation.provider })),
});
