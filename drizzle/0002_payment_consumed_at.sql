ALTER TABLE "payments" ADD COLUMN "consumed_at" timestamp;--> statement-breakpoint
UPDATE "payments" SET "consumed_at" = "generation_jobs"."created_at" FROM "generation_jobs" WHERE "generation_jobs"."payment_id" = "payments"."id";
