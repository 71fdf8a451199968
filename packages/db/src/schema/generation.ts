import { check, index, integer, pgTable, serial, text, timestamp, unique, varchar } from "drizzle-orm/pg-core";
import { inList } from "./check-in.ts";
import { generationJobs } from "./spec.ts";

export const slotStatuses = ["pending", "running", "succeeded", "failed"] as const;
export type SlotStatus = (typeof slotStatuses)[number];

/**
 * One row per photo a job must make. Workers claim rows with FOR UPDATE SKIP LOCKED and a lease,
 * so any number of worker processes share the work and a crashed worker's slots come back.
 */
export const generationSlots = pgTable(
  "generation_slots",
  {
    id: serial("id").primaryKey(),
    jobId: integer("job_id")
      .notNull()
      .references(() => generationJobs.id),
    position: integer("position").notNull(),
    sceneId: varchar("scene_id", { length: 50 }).notNull(),
    prompt: text("prompt").notNull(),
    status: varchar("status", { length: 20 }).$type<SlotStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** Renders of this slot the likeness gate refused (no face, several, or not the person); each is rendered again, up to LIKENESS_RETRIES. */
    likenessRejections: integer("likeness_rejections").notNull().default(0),
    availableAt: timestamp("available_at").defaultNow().notNull(),
    leaseExpiresAt: timestamp("lease_expires_at"),
    // Who holds the slot: a fresh token per claim, unchanged by lease renewals, so a worker's
    // writes can tell "still mine" from "taken over after my lease ran out".
    claimToken: varchar("claim_token", { length: 36 }),
    provider: varchar("provider", { length: 20 }),
    providerTaskId: varchar("provider_task_id", { length: 255 }),
    errorMessage: text("error_message"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (t) => [
    unique("generation_slots_job_position_key").on(t.jobId, t.position),
    index("idx_generation_slots_claim").on(t.status, t.availableAt),
    // A claim's per-job questions (its next pending slots in order, its running count) in one index.
    index("idx_generation_slots_job_status").on(t.jobId, t.status, t.position),
    index("idx_generation_slots_provider_task").on(t.provider, t.providerTaskId),
    check("generation_slots_status_check", inList("status", slotStatuses)),
  ],
);
