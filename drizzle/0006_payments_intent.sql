ALTER TABLE "payments" ADD COLUMN "provider" varchar(20) DEFAULT 'tbank' NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "avatar_id" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "style_id" varchar(50);--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "payment_url" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "cancel_requested_at" timestamp;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "telegram_payment_charge_id" varchar(255);--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "telegram_payer_id" bigint;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "photo_remakes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_avatar_id_avatars_id_fk" FOREIGN KEY ("avatar_id") REFERENCES "public"."avatars"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_telegram_payment_charge_id_key" UNIQUE("telegram_payment_charge_id");--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_provider_check" CHECK (provider IN ('tbank', 'test', 'stars'));