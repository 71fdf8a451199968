import { DomainError } from "@pinglass/core";

export interface Tier {
  id: "starter" | "standard" | "premium";
  /** Whole kopecks: money is never a float in this code. */
  amountKopecks: number;
  photoCount: number;
  popular: boolean;
}

/** The one price list. The client only ever sends a tier id; price and photo count come from here. */
export const tiers: readonly Tier[] = [
  { id: "starter", amountKopecks: 49_900, photoCount: 7, popular: false },
  { id: "standard", amountKopecks: 99_900, photoCount: 15, popular: true },
  { id: "premium", amountKopecks: 149_900, photoCount: 23, popular: false },
];

export const tierIds = tiers.map((t) => t.id) as [Tier["id"], ...Tier["id"][]];

export function findTier(tierId: string): Tier {
  const tier = tiers.find((t) => t.id === tierId);
  if (!tier) throw new DomainError("BAD_REQUEST", "errors.payment.tierUnknown");
  return tier;
}

/** 49900 -> "499.00", the DECIMAL(10,2) text the payments table stores. */
export function kopecksToDecimal(kopecks: number): string {
  if (!Number.isSafeInteger(kopecks) || kopecks < 0) throw new Error(`not an amount in kopecks: ${kopecks}`);
  return `${Math.floor(kopecks / 100)}.${String(kopecks % 100).padStart(2, "0")}`;
}

/** "499.00" (or "499", "499.5") -> 49900, exactly, without going through a float. */
export function decimalToKopecks(decimal: string): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(decimal.trim());
  if (!match) throw new Error(`not a DECIMAL(10,2) amount: ${decimal}`);
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}
