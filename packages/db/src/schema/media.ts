import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, real, serial, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { avatars } from "./spec.ts";

/** The selfies an avatar is made from (generation issue). Keys point into media storage. */
export const referencePhotos = pgTable(
  "reference_photos",
  {
    id: serial("id").primaryKey(),
    avatarId: integer("avatar_id")
      .notNull()
      .references(() => avatars.id),
    storageKey: text("storage_key").notNull(),
    thumbnailKey: text("thumbnail_key").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    contentType: varchar("content_type", { length: 50 }).notNull(),
    /** SHA-256 of the uploaded bytes: the same file sent again (a retry after a lost answer) is the same selfie. */
    contentSha256: varchar("content_sha256", { length: 64 }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    /**
     * The face checks (@pinglass/faces): `ok`, or `otherPerson` for a selfie that later uploads
     * showed to be someone else (flagged, shown, not counted). Null: uploaded before face checks.
     */
    faceVerdict: varchar("face_verdict", { length: 20 }).$type<"ok" | "otherPerson">(),
    /** The face's identity embedding (1024 numbers, unit length). */
    faceEmbedding: real("face_embedding").array(),
    /** The face's box (fractions of the picture), size and angles. */
    faceBox: jsonb("face_box").$type<{ x: number; y: number; width: number; height: number; sizeRatio: number; yaw: number; pitch: number; roll: number }>(),
    faceSharpness: real("face_sharpness"),
    /** The selfie cropped around its face: what providers are sent (the best few, see the generation worker). */
    faceKey: text("face_key"),
  },
  (t) => [
    index("idx_reference_photos_avatar_id").on(t.avatarId),
    uniqueIndex("idx_reference_photos_avatar_content").on(t.avatarId, t.contentSha256),
    check("reference_photos_face_verdict_check", sql`${t.faceVerdict} IN ('ok', 'otherPerson')`),
  ],
);

/**
 * rate-limiter-flexible's PostgreSQL store (its own column layout), shared by every server process
 * on PostgreSQL and Neon; PGlite uses the library's memory store instead.
 */
export const rateLimits = pgTable("rate_limits", {
  key: varchar("key", { length: 255 }).primaryKey(),
  points: integer("points").notNull().default(0),
  expire: bigint("expire", { mode: "number" }),
});
