ALTER TABLE "tickets" ADD COLUMN "intent" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "team" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "handoff_summary" text;--> statement-breakpoint
CREATE INDEX "tickets_team_idx" ON "tickets" USING btree ("team");