CREATE TABLE "rate_limits" (
	"key" varchar(255) PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" bigint
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "previous_device_id" varchar(255);--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "device_rotated_at" timestamp;--> statement-breakpoint
ALTER TABLE "reference_photos" ADD COLUMN "content_sha256" varchar(64);--> statement-breakpoint
CREATE INDEX "idx_users_previous_device_id" ON "users" USING btree ("previous_device_id");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_reference_photos_avatar_content" ON "reference_photos" USING btree ("avatar_id","content_sha256");