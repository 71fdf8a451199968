import { tiers } from "@pinglass/payments";
import { publicProcedure, router } from "../trpc.ts";

export const pricingRouter = router({
  /** The tiers, from the one server-side list: amounts in kopecks and as rubles text. */
  list: publicProcedure.query(() =>
    tiers.map((tier) => ({ id: tier.id, amountKopecks: tier.amountKopecks, amountRub: tier.amountKopecks / 100, photoCount: tier.photoCount, popular: tier.popular })),
  ),
});
