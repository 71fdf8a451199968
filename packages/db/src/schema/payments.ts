import { check, index, integer, jsonb, numeric, pgTable, serial, text, timestamp, varchar } from "drizzle-orm/pg-core";
import { inList } from "./check-in.ts";
import { generationJobs, payments } from "./spec.ts";

/** Every authentic T-Bank notification, once (dedupe_key), for audit and idempotency. */
export const paymentEvents = pgTable(
  "payment_events",
  {
    id: serial("id").primaryKey(),
    paymentId: integer("payment_id").references(() => payments.id),
    dedupeKey: varchar("dedupe_key", { length: 128 }).notNull().unique("payment_events_dedupe_key_key"),
    bankStatus: varchar("bank_status", { length: 40 }),
    body: jsonb("body").notNull(),
    receivedAt: timestamp("received_at").defaultNow().notNull(),
  },
  (t) => [index("idx_payment_events_payment_id").on(t.paymentId)],
);

export const refundStatuses = ["pending", "succeeded", "failed"] as const;
export type RefundStatus = (typeof refundStatuses)[number];

/**
 * A refund of a job's failed share, one per job, so a refund is never made twice; or, with no
 * job, one an operator asked for (the audit log says who).
 */
export const paymentRefunds = pgTable(
  "payment_refunds",
  {
    id: serial("id").primaryKey(),
    paymentId: integer("payment_id")
      .notNull()
      .references(() => payments.id),
    jobId: integer("job_id")
      .references(() => generationJobs.id)
      .unique("payment_refunds_job_id_key"),
    amount: numeric("amount", { precision: 10, scale: 2 }).notNull(),
    failedPhotos: integer("failed_photos").notNull(),
    status: varchar("status", { length: 20 }).$type<RefundStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    errorMessage: text("error_message"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (t) => [
    index("idx_payment_refunds_payment_id").on(t.paymentId),
    check("payment_refunds_status_check", inList("status", refundStatuses)),
  ],
);
