import { type Db, paymentEvents, payments, users } from "@pinglass/db";
import { eq } from "drizzle-orm";

/** Row helpers the payments suites share: a new user, a payment's row, its bank id and its events. */
export function paymentRows(db: () => Db) {
  const paymentRow = async (id: number) => (await db().select().from(payments).where(eq(payments.id, id)))[0]!;
  return {
    async newUser() {
      const [user] = await db().insert(users).values({ deviceId: crypto.randomUUID() }).returning();
      return user!.id;
    },
    paymentRow,
    bankIdOf: async (id: number) => (await paymentRow(id)).tbankPaymentId!,
    eventsOf: async (id: number) => db().select().from(paymentEvents).where(eq(paymentEvents.paymentId, id)),
  };
}
