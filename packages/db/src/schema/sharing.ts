/**
 * Share pages of photos (issue #16): a link `/s/<token>` that shows one photo to anyone who has it
 * for 30 days, until its owner revokes it. The token is 32 random bytes (base64url) and lives only
 * in the link; the table keeps its SHA-256, so neither a database dump nor a log of it opens a
 * photo. A share goes with its photo (ON DELETE CASCADE): deleting a photo, an avatar or an
 * account ends its links in the same transaction.
 */
import { index, integer, pgTable, serial, timestamp, varchar } from "drizzle-orm/pg-core";
import { generatedPhotos } from "./spec.ts";

export const photoShares = pgTable(
  "photo_shares",
  {
    id: serial("id").primaryKey(),
    photoId: integer("photo_id")
      .notNull()
      .references(() => generatedPhotos.id, { onDelete: "cascade" }),
    /** SHA-256 (hex) of the token in the link. */
    tokenHash: varchar("token_hash", { length: 64 }).notNull().unique("photo_shares_token_hash_key"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    /** Set when the owner stops sharing: the link answers like an unknown one from then on. */
    revokedAt: timestamp("revoked_at"),
  },
  (t) => [index("idx_photo_shares_photo_id").on(t.photoId)],
);
