import { index, integer, pgTable, serial, text, timestamp, varchar } from "drizzle-orm/pg-core";
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
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (t) => [index("idx_reference_photos_avatar_id").on(t.avatarId)],
);
