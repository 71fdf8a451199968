import { describe, expect, it } from "vitest";
import { refundShareKopecks } from "./refunds.ts";
import { decimalToKopecks, findTier, kopecksToDecimal, tiers } from "./tiers.ts";

describe("tiers and money", () => {
  it("are the one price list: 499 ₽ → 7, 999 ₽ → 15 (popular), 1499 ₽ → 23", () => {
    expect(tiers.map((t) => [t.id, t.amountKopecks, t.photoCount, t.popular])).toEqual([
      ["starter", 49_900, 7, false],
      ["standard", 99_900, 15, true],
      ["premium", 149_900, 23, false],
    ]);
    expect(() => findTier("free")).toThrow(expect.objectContaining({ key: "errors.payment.tierUnknown" }));
  });

  it("convert between kopecks and DECIMAL(10,2) text exactly", () => {
    for (const [k, d] of [[49_900, "499.00"], [1, "0.01"], [7129, "71.29"], [0, "0.00"], [149_900, "1499.00"]] as const) {
      expect(kopecksToDecimal(k)).toBe(d);
      expect(decimalToKopecks(d)).toBe(k);
    }
    expect(decimalToKopecks("499")).toBe(49_900);
    expect(decimalToKopecks("0.5")).toBe(50);
    expect(() => decimalToKopecks("1e3")).toThrow();
    expect(() => kopecksToDecimal(0.5)).toThrow();
  });

  it("refund the failed photos' share, rounded to the kopeck, and everything when nothing was made", () => {
    expect(refundShareKopecks(49_900, 7, 0)).toBe(49_900);
    expect(refundShareKopecks(49_900, 7, 7)).toBe(0);
    expect(refundShareKopecks(49_900, 7, 6)).toBe(7129); // 499/7 = 71.2857 ₽
    expect(refundShareKopecks(99_900, 15, 14)).toBe(6660);
    expect(refundShareKopecks(149_900, 23, 20)).toBe(19_552); // 3 × 65.1739 ₽ = 195.5217 ₽
    expect(refundShareKopecks(149_900, 23, 1)).toBe(143_383);
    expect(refundShareKopecks(49_900, 7, 99)).toBe(0);
    // Shares of every possible outcome never exceed the price.
    for (const tier of tiers) for (let made = 0; made <= tier.photoCount; made++) expect(refundShareKopecks(tier.amountKopecks, tier.photoCount, made)).toBeLessThanOrEqual(tier.amountKopecks);
  });
});
