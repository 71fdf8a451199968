import { bigint, check, index, integer, pgTable, text, timestamp, varchar } from "drizzle-orm/pg-core";
import { inList } from "./check-in.ts";
import { generationJobs, users } from "./spec.ts";

/** One-time codes behind t.me/<bot>?start=link_<code>; only the SHA-256 of the code is stored. */
export const telegramLinkCodes = pgTable(
  "telegram_link_codes",
  {
    codeHash: varchar("code_hash", { length: 64 }).primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    expiresAt: timestamp("expires_at").notNull(),
    usedAt: timestamp("used_at"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (t) => [index("idx_telegram_link_codes_user_id").on(t.userId)],
);

export const deliveryStatuses = ["pending", "sent", "failed"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/**
 * Delivery of a finished job's photos to its owner's chat. sent_photos advances after each
 * accepted sendMediaGroup, so a retry resumes where it stopped and never sends a photo twice.
 */
export const telegramDeliveries = pgTable(
  "telegram_deliveries",
  {
    jobId: integer("job_id")
      .primaryKey()
      .references(() => generationJobs.id),
    chatId: bigint("chat_id", { mode: "bigint" }).notNull(),
    status: varchar("status", { length: 20 }).$type<DeliveryStatus>().notNull().default("pending"),
    sentPhotos: integer("sent_photos").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    availableAt: timestamp("available_at").defaultNow().notNull(),
    leaseExpiresAt: timestamp("lease_expires_at"),
    errorMessage: text("error_message"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (t) => [
    index("idx_telegram_deliveries_claim").on(t.status, t.availableAt),
    check("telegram_deliveries_status_check", inList("status", deliveryStatuses)),
  ],
);
