/**
 * The five tables of the specification's database-schema.md, column for column: types, nullability,
 * defaults, keys and the eleven named indexes. Nothing here may change; additions live in
 * the sibling files and are listed in packages/db/README.md.
 */
import { bigint, check, index, integer, numeric, pgTable, real, serial, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { inList } from "./check-in.ts";

export const avatarStatuses = ["draft", "processing", "ready"] as const;
export type AvatarStatus = (typeof avatarStatuses)[number];

/** `refunded` is our addition (payments issue): T-Bank's REFUNDED and REVERSED (a partial refund leaves the payment succeeded). */
export const paymentStatuses = ["pending", "succeeded", "canceled", "refunded"] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/** Our addition (payments issue): which way a payment was made; rows from before it are T-Bank's. */
export const paymentProviders = ["tbank", "test", "stars"] as const;
export type PaymentProviderId = (typeof paymentProviders)[number];

export const jobStatuses = ["processing", "completed", "failed"] as const;
export type JobStatus = (typeof jobStatuses)[number];


const createdAt = () => timestamp("created_at").defaultNow();
const updatedAt = () => timestamp("updated_at").defaultNow();

export const users = pgTable(
  "users",
  {
    id: serial("id").primaryKey(),
    deviceId: varchar("device_id", { length: 255 }).notNull().unique("users_device_id_key"),
    telegramUserId: bigint("telegram_user_id", { mode: "bigint" }).unique("users_telegram_user_id_key"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    // Additions (see README): the language Telegram reports, for the bot's replies.
    languageCode: varchar("language_code", { length: 10 }),
    // The device credential rotates on every sign-in; the one it replaced is honoured for a short grace (parallel tabs).
    previousDeviceId: varchar("previous_device_id", { length: 255 }),
    deviceRotatedAt: timestamp("device_rotated_at"),
  },
  (t) => [uniqueIndex("idx_users_device_id").on(t.deviceId), uniqueIndex("idx_users_telegram").on(t.telegramUserId), index("idx_users_previous_device_id").on(t.previousDeviceId)],
);

export const avatars = pgTable(
  "avatars",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id").references(() => users.id),
    name: varchar("name", { length: 255 }).default("Мой аватар"),
    status: varchar("status", { length: 20 }).$type<AvatarStatus>().default("draft"),
    thumbnailUrl: text("thumbnail_url"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("idx_avatars_user_id").on(t.userId),
    index("idx_avatars_status").on(t.status),
    check("avatars_status_check", inList("status", avatarStatuses)),
  ],
);

export const generatedPhotos = pgTable(
  "generated_photos",
  {
    id: serial("id").primaryKey(),
    avatarId: integer("avatar_id").references(() => avatars.id),
    styleId: varchar("style_id", { length: 50 }),
    prompt: text("prompt"),
    imageUrl: text("image_url"),
    createdAt: createdAt(),
    // Additions (see README): which job and slot made the photo, so a slot can never make two.
    jobId: integer("job_id").references(() => generationJobs.id),
    slotId: integer("slot_id").unique("generated_photos_slot_id_key"),
    sceneId: varchar("scene_id", { length: 50 }),
    thumbnailUrl: text("thumbnail_url"),
    /** Cosine similarity of the photo's face to the avatar's identity, from the likeness gate; null for photos made before it. */
    likeness: real("likeness"),
    /** When the owner marked the photo a favourite (a heart in the gallery); null when it is not one. */
    favouritedAt: timestamp("favourited_at"),
  },
  (t) => [
    index("idx_generated_photos_avatar_id").on(t.avatarId),
    index("idx_generated_photos_style_id").on(t.styleId),
    index("idx_generated_photos_job_id").on(t.jobId),
  ],
);

export const payments = pgTable(
  "payments",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id").references(() => users.id),
    tbankPaymentId: varchar("tbank_payment_id", { length: 255 }),
    amount: numeric("amount", { precision: 10, scale: 2 }),
    currency: varchar("currency", { length: 3 }).default("RUB"),
    status: varchar("status", { length: 20 }).$type<PaymentStatus>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    // Additions (see README): our OrderId, the tier bought, the receipt e-mail, refunds, the bank's last word.
    orderId: varchar("order_id", { length: 64 }).unique("payments_order_id_key"),
    tierId: varchar("tier_id", { length: 20 }),
    photoCount: integer("photo_count"),
    receiptEmail: varchar("receipt_email", { length: 255 }),
    refundedAmount: numeric("refunded_amount", { precision: 10, scale: 2 }).default("0").notNull(),
    bankStatus: varchar("bank_status", { length: 40 }),
    errorMessage: text("error_message"),
    // When a generation job took this payment. Set once and kept when the job's avatar is deleted,
    // so a deleted photoset never makes its payment spendable again.
    consumedAt: timestamp("consumed_at"),
    // Additions (payment intent, see README): which way it was paid, the photoset it is for (started
    // when the money arrives), the page the buyer was given (the answer to a repeated create), the
    // owner's cancel request (no auto-start after it), and Telegram Stars' charge and payer.
    provider: varchar("provider", { length: 20 }).$type<PaymentProviderId>().default("tbank").notNull(),
    avatarId: integer("avatar_id").references(() => avatars.id, { onDelete: "set null" }),
    styleId: varchar("style_id", { length: 50 }),
    paymentUrl: text("payment_url"),
    cancelRequestedAt: timestamp("cancel_requested_at"),
    telegramPaymentChargeId: varchar("telegram_payment_charge_id", { length: 255 }).unique("payments_telegram_payment_charge_id_key"),
    telegramPayerId: bigint("telegram_payer_id", { mode: "bigint" }),
    photoRemakes: integer("photo_remakes").default(0).notNull(),
  },
  (t) => [
    index("idx_payments_user_id").on(t.userId),
    index("idx_payments_status").on(t.status),
    index("idx_payments_payment_id").on(t.tbankPaymentId),
    check("payments_status_check", inList("status", paymentStatuses)),
    check("payments_provider_check", inList("provider", paymentProviders)),
  ],
);

export const generationJobs = pgTable(
  "generation_jobs",
  {
    id: serial("id").primaryKey(),
    avatarId: integer("avatar_id").references(() => avatars.id),
    styleId: varchar("style_id", { length: 50 }),
    status: varchar("status", { length: 20 }).$type<JobStatus>(),
    totalPhotos: integer("total_photos").default(23),
    completedPhotos: integer("completed_photos").default(0),
    errorMessage: text("error_message"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    // Addition (see README): the payment this job consumed; unique, so one payment feeds one job.
    paymentId: integer("payment_id")
      .references(() => payments.id)
      .unique("generation_jobs_payment_id_key"),
    // Addition (operators' console): the request that started the job, so its worker's log lines can be found with it.
    requestId: varchar("request_id", { length: 64 }),
  },
  (t) => [
    index("idx_generation_jobs_avatar_id").on(t.avatarId),
    index("idx_generation_jobs_status").on(t.status),
    check("generation_jobs_status_check", inList("status", jobStatuses)),
  ],
);
