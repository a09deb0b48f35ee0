CREATE TABLE "backups" (
	"id" uuid PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"target" text NOT NULL,
	"device_id" text NOT NULL,
	"path" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ticket_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "backups_type_check" CHECK ("backups"."type" in ('files', 'postgres', 'redis'))
);
--> statement-breakpoint
CREATE INDEX "backups_type_target_created_at_idx" ON "backups" USING btree ("type","target","created_at");