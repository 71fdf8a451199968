import { kopecksToDecimal, tiers } from "@pinglass/payments";
import { publicProcedure, router } from "../trpc.ts";

export const pricingRouter = router({
  /**
   * The tiers, from the one server-side list: `amountKopecks` (an integer) and `amountRub`, the
   * same amount as exact rubles text ("499.00", the form of payments' `amount`), never a float.
   */
  list: publicProcedure.query(() =>
    tiers.map((tier) => ({ id: tier.id, amountKopecks: tier.amountKopecks, amountRub: kopecksToDecimal(tier.amountKopecks), photoCount: tier.photoCount, popular: tier.popular })),
  ),
});
