import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { accountRouter } from "./routers/account.ts";
import { adminRouter } from "./routers/admin.ts";
import { avatarsRouter } from "./routers/avatars.ts";
import { generationRouter } from "./routers/generation.ts";
import { jobsRouter } from "./routers/jobs.ts";
import { paymentsRouter } from "./routers/payments.ts";
import { photosRouter } from "./routers/photos.ts";
import { pricingRouter } from "./routers/pricing.ts";
import { referencesRouter } from "./routers/references.ts";
import { sessionRouter } from "./routers/session.ts";
import { stylesRouter } from "./routers/styles.ts";
import { favouritesRouter } from "./routers/favourites.ts";
import { scenesRouter } from "./routers/scenes.ts";
import { sharesRouter } from "./routers/shares.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  session: sessionRouter,
  account: accountRouter,
  avatars: avatarsRouter,
  photos: photosRouter,
  references: referencesRouter,
  jobs: jobsRouter,
  styles: stylesRouter,
  generation: generationRouter,
  pricing: pricingRouter,
  payments: paymentsRouter,
  favourites: favouritesRouter,
  shares: sharesRouter,
  scenes: scenesRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** Calls procedures in-process, as tests and the server's own code do: `createCaller(context)`. */
export const createCaller = createCallerFactory(appRouter);
