CREATE TABLE "reference_photos" (
	"id" serial PRIMARY KEY NOT NULL,
	"avatar_id" integer NOT NULL,
	"storage_key" text NOT NULL,
	"thumbnail_key" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"content_type" varchar(50) NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "generation_slots" (
	"id" serial PRIMARY KEY NOT NULL,
	"job_id" integer NOT NULL,
	"position" integer NOT NULL,
	"scene_id" varchar(50) NOT NULL,
	"prompt" text NOT NULL,
	"status" varchar(20) DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"available_at" timestamp DEFAULT now() NOT NULL,
	"lease_expires_at" timestamp,
	"provider" varchar(20),
	"provider_task_id" varchar(255),
	"error_message" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "generation_slots_job_position_key" UNIQUE("job_id","position"),
	CONSTRAINT "generation_slots_status_check" CHECK (status IN ('pending', 'running', 'succeeded', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "payment_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"payment_id" integer,
	"dedupe_key" varchar(128) NOT NULL,
	"bank_status" varchar(40),
	"body" jsonb NOT NULL,
	"received_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "payment_events_dedupe_key_key" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "payment_refunds" (
	"id" serial PRIMARY KEY NOT NULL,
	"payment_id" integer NOT NULL,
	"job_id" integer NOT NULL,
	"amount" numeric(10, 2) NOT NULL,
	"failed_photos" integer NOT NULL,
	"status" varchar(20) DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error_message" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "payment_refunds_job_id_key" UNIQUE("job_id"),
	CONSTRAINT "payment_refunds_status_check" CHECK (status IN ('pending', 'succeeded', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "telegram_deliveries" (
	"job_id" integer PRIMARY KEY NOT NULL,
	"chat_id" bigint NOT NULL,
	"status" varchar(20) DEFAULT 'pending' NOT NULL,
	"sent_photos" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"available_at" timestamp DEFAULT now() NOT NULL,
	"lease_expires_at" timestamp,
	"error_message" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "telegram_deliveries_status_check" CHECK (status IN ('pending', 'sent', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "telegram_link_codes" (
	"code_hash" varchar(64) PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"expires_at" timestamp NOT NULL,
	"used_at" timestamp,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payments" DROP CONSTRAINT "payments_status_check";--> statement-breakpoint
ALTER TABLE "generated_photos" ADD COLUMN "job_id" integer;--> statement-breakpoint
ALTER TABLE "generated_photos" ADD COLUMN "slot_id" integer;--> statement-breakpoint
ALTER TABLE "generated_photos" ADD COLUMN "scene_id" varchar(50);--> statement-breakpoint
ALTER TABLE "generated_photos" ADD COLUMN "thumbnail_url" text;--> statement-breakpoint
ALTER TABLE "generation_jobs" ADD COLUMN "payment_id" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "order_id" varchar(64);--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "tier_id" varchar(20);--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "photo_count" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "receipt_email" varchar(255);--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refunded_amount" numeric(10, 2) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "bank_status" varchar(40);--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "error_message" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "language_code" varchar(10);--> statement-breakpoint
ALTER TABLE "reference_photos" ADD CONSTRAINT "reference_photos_avatar_id_avatars_id_fk" FOREIGN KEY ("avatar_id") REFERENCES "public"."avatars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "generation_slots" ADD CONSTRAINT "generation_slots_job_id_generation_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."generation_jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_events" ADD CONSTRAINT "payment_events_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_refunds" ADD CONSTRAINT "payment_refunds_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_refunds" ADD CONSTRAINT "payment_refunds_job_id_generation_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."generation_jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "telegram_deliveries" ADD CONSTRAINT "telegram_deliveries_job_id_generation_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."generation_jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "telegram_link_codes" ADD CONSTRAINT "telegram_link_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_reference_photos_avatar_id" ON "reference_photos" USING btree ("avatar_id");--> statement-breakpoint
CREATE INDEX "idx_generation_slots_claim" ON "generation_slots" USING btree ("status","available_at");--> statement-breakpoint
CREATE INDEX "idx_generation_slots_provider_task" ON "generation_slots" USING btree ("provider","provider_task_id");--> statement-breakpoint
CREATE INDEX "idx_payment_events_payment_id" ON "payment_events" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "idx_payment_refunds_payment_id" ON "payment_refunds" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "idx_telegram_deliveries_claim" ON "telegram_deliveries" USING btree ("status","available_at");--> statement-breakpoint
CREATE INDEX "idx_telegram_link_codes_user_id" ON "telegram_link_codes" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "generated_photos" ADD CONSTRAINT "generated_photos_job_id_generation_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."generation_jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "generation_jobs" ADD CONSTRAINT "generation_jobs_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_generated_photos_job_id" ON "generated_photos" USING btree ("job_id");--> statement-breakpoint
ALTER TABLE "generated_photos" ADD CONSTRAINT "generated_photos_slot_id_key" UNIQUE("slot_id");--> statement-breakpoint
ALTER TABLE "generation_jobs" ADD CONSTRAINT "generation_jobs_payment_id_key" UNIQUE("payment_id");--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_order_id_key" UNIQUE("order_id");--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_status_check" CHECK (status IN ('pending', 'succeeded', 'canceled', 'refunded'));