ALTER TABLE "generated_photos" ADD COLUMN "likeness" real;--> statement-breakpoint
ALTER TABLE "reference_photos" ADD COLUMN "face_verdict" varchar(20);--> statement-breakpoint
ALTER TABLE "reference_photos" ADD COLUMN "face_embedding" real[];--> statement-breakpoint
ALTER TABLE "reference_photos" ADD COLUMN "face_box" jsonb;--> statement-breakpoint
ALTER TABLE "reference_photos" ADD COLUMN "face_sharpness" real;--> statement-breakpoint
ALTER TABLE "reference_photos" ADD COLUMN "face_key" text;--> statement-breakpoint
ALTER TABLE "reference_photos" ADD CONSTRAINT "reference_photos_face_verdict_check" CHECK ("reference_photos"."face_verdict" IN ('ok', 'otherPerson'));