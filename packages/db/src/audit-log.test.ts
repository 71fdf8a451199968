import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "./schema/index.ts";
import { createTestDb, type TestDb } from "./testing/index.ts";

let test: TestDb;
beforeAll(async () => {
  test = await createTestDb();
});
afterAll(() => test.close());

describe("audit_log", () => {
  it("takes new entries and refuses to change or remove one, whoever asks", async () => {
    const [entry] = await test.db
      .insert(auditLog)
      .values({ actorUserId: 1, actorTelegramId: 42n, action: "payment.refund", targetType: "payment", targetId: 7, before: { refundedAmount: "0.00" }, after: { refundedAmount: "199.80" } })
      .returning();
    await expect(test.db.update(auditLog).set({ after: { refundedAmount: "0.00" } }).where(eq(auditLog.id, entry!.id))).rejects.toThrow();
    await expect(test.db.delete(auditLog).where(eq(auditLog.id, entry!.id))).rejects.toThrow();
    const [kept] = await test.db.select().from(auditLog).where(eq(auditLog.id, entry!.id));
    expect(kept).toMatchObject({ actorTelegramId: 42n, action: "payment.refund", after: { refundedAmount: "199.80" } });
  });
});
