ALTER TABLE "steps" DROP CONSTRAINT "steps_execution_id_idx_unique";--> statement-breakpoint
ALTER TABLE "steps" ALTER COLUMN "finished_at" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "steps" ALTER COLUMN "duration_ms" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "idempotency_key" text GENERATED ALWAYS AS (execution_id::text || ':' || idx::text) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "attempts" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "lease_owner" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "steps" ADD CONSTRAINT "steps_idempotency_key_unique" UNIQUE("idempotency_key");