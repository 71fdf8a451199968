import { kopecksToDecimal, tierIds, tiers } from "@pinglass/payments";
import { z } from "zod";
import { rest } from "../rest-meta.ts";
import { publicProcedure, router } from "../trpc.ts";

export const pricingRouter = router({
  /**
   * The tiers, from the one server-side list: `amountKopecks` (an integer) and `amountRub`, the
   * same amount as exact rubles text ("499.00", the form of payments' `amount`), never a float.
   */
  list: publicProcedure
    .meta(
      rest("GET", "/pricing", {
        tag: "Catalogue",
        summary: ["Tiers and prices", "Тарифы и цены"],
        description: [
          "The tiers: how many photos each makes and its price, in kopecks (an integer) and as exact rubles text (\"499.00\").",
          "Тарифы: сколько фото в каждом и цена — в копейках (целое число) и точным текстом в рублях («499.00»).",
        ],
        open: true,
      }),
    )
    .output(z.array(z.object({ id: z.enum(tierIds), amountKopecks: z.number().int(), amountRub: z.string(), photoCount: z.number().int(), popular: z.boolean() })))
    .query(() =>
      tiers.map((tier) => ({ id: tier.id, amountKopecks: tier.amountKopecks, amountRub: kopecksToDecimal(tier.amountKopecks), photoCount: tier.photoCount, popular: tier.popular })),
    ),
});
