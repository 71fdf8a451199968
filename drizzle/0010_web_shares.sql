CREATE TABLE "photo_shares" (
	"id" serial PRIMARY KEY NOT NULL,
	"photo_id" integer NOT NULL,
	"token_hash" varchar(64) NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"expires_at" timestamp NOT NULL,
	"revoked_at" timestamp,
	CONSTRAINT "photo_shares_token_hash_key" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "generated_photos" ADD COLUMN "favourited_at" timestamp;--> statement-breakpoint
ALTER TABLE "photo_shares" ADD CONSTRAINT "photo_shares_photo_id_generated_photos_id_fk" FOREIGN KEY ("photo_id") REFERENCES "public"."generated_photos"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_photo_shares_photo_id" ON "photo_shares" USING btree ("photo_id");