CREATE TABLE "avatars" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer,
	"name" varchar(255) DEFAULT 'Мой аватар',
	"status" varchar(20) DEFAULT 'draft',
	"thumbnail_url" text,
	"created_at" timestamp DEFAULT now(),
	"updated_at" timestamp DEFAULT now(),
	CONSTRAINT "avatars_status_check" CHECK (status IN ('draft', 'processing', 'ready'))
);
--> statement-breakpoint
CREATE TABLE "generated_photos" (
	"id" serial PRIMARY KEY NOT NULL,
	"avatar_id" integer,
	"style_id" varchar(50),
	"prompt" text,
	"image_url" text,
	"created_at" timestamp DEFAULT now()
);
--> statement-breakpoint
CREATE TABLE "generation_jobs" (
	"id" serial PRIMARY KEY NOT NULL,
	"avatar_id" integer,
	"style_id" varchar(50),
	"status" varchar(20),
	"total_photos" integer DEFAULT 23,
	"completed_photos" integer DEFAULT 0,
	"error_message" text,
	"created_at" timestamp DEFAULT now(),
	"updated_at" timestamp DEFAULT now(),
	CONSTRAINT "generation_jobs_status_check" CHECK (status IN ('processing', 'completed', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer,
	"tbank_payment_id" varchar(255),
	"amount" numeric(10, 2),
	"currency" varchar(3) DEFAULT 'RUB',
	"status" varchar(20),
	"created_at" timestamp DEFAULT now(),
	"updated_at" timestamp DEFAULT now(),
	CONSTRAINT "payments_status_check" CHECK (status IN ('pending', 'succeeded', 'canceled'))
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"device_id" varchar(255) NOT NULL,
	"telegram_user_id" bigint,
	"created_at" timestamp DEFAULT now(),
	"updated_at" timestamp DEFAULT now(),
	CONSTRAINT "users_device_id_key" UNIQUE("device_id"),
	CONSTRAINT "users_telegram_user_id_key" UNIQUE("telegram_user_id")
);
--> statement-breakpoint
ALTER TABLE "avatars" ADD CONSTRAINT "avatars_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "generated_photos" ADD CONSTRAINT "generated_photos_avatar_id_avatars_id_fk" FOREIGN KEY ("avatar_id") REFERENCES "public"."avatars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "generation_jobs" ADD CONSTRAINT "generation_jobs_avatar_id_avatars_id_fk" FOREIGN KEY ("avatar_id") REFERENCES "public"."avatars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_avatars_user_id" ON "avatars" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_avatars_status" ON "avatars" USING btree ("status");--> statement-breakpoint
CREATE INDEX "idx_generated_photos_avatar_id" ON "generated_photos" USING btree ("avatar_id");--> statement-breakpoint
CREATE INDEX "idx_generated_photos_style_id" ON "generated_photos" USING btree ("style_id");--> statement-breakpoint
CREATE INDEX "idx_generation_jobs_avatar_id" ON "generation_jobs" USING btree ("avatar_id");--> statement-breakpoint
CREATE INDEX "idx_generation_jobs_status" ON "generation_jobs" USING btree ("status");--> statement-breakpoint
CREATE INDEX "idx_payments_user_id" ON "payments" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_payments_status" ON "payments" USING btree ("status");--> statement-breakpoint
CREATE INDEX "idx_payments_payment_id" ON "payments" USING btree ("tbank_payment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_users_device_id" ON "users" USING btree ("device_id");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_users_telegram" ON "users" USING btree ("telegram_user_id");