CREATE TABLE "audit_log" (
	"id" serial PRIMARY KEY NOT NULL,
	"at" timestamp DEFAULT now() NOT NULL,
	"actor_user_id" integer NOT NULL,
	"actor_telegram_id" bigint,
	"actor_api_key_id" integer,
	"action" varchar(40) NOT NULL,
	"target_type" varchar(20) NOT NULL,
	"target_id" integer NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"request_id" varchar(64)
);
--> statement-breakpoint
CREATE TABLE "provider_calls" (
	"id" serial PRIMARY KEY NOT NULL,
	"provider" varchar(20) NOT NULL,
	"operation" varchar(10) NOT NULL,
	"outcome" varchar(10) NOT NULL,
	"duration_ms" integer NOT NULL,
	"at" timestamp NOT NULL,
	"error" text,
	CONSTRAINT "provider_calls_operation_check" CHECK (operation IN ('submit', 'check')),
	CONSTRAINT "provider_calls_outcome_check" CHECK (outcome IN ('ok', 'failed', 'error'))
);
--> statement-breakpoint
ALTER TABLE "payment_refunds" ALTER COLUMN "job_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "generation_jobs" ADD COLUMN "request_id" varchar(64);--> statement-breakpoint
CREATE INDEX "idx_audit_log_at" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "idx_audit_log_target" ON "audit_log" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "idx_provider_calls_at" ON "provider_calls" USING btree ("at");--> statement-breakpoint
-- The audit log is append-only: whatever connects, an entry can be added, never changed or removed.
CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();
