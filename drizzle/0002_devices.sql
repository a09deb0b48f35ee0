CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"host" text NOT NULL,
	"port" integer NOT NULL,
	"username" text NOT NULL,
	"auth" jsonb NOT NULL,
	"allow_password" boolean DEFAULT false NOT NULL,
	"host_key" text,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"allow" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"max_concurrency" integer NOT NULL,
	"connect_timeout_ms" integer,
	"services" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "devices_port_check" CHECK ("devices"."port" between 1 and 65535),
	CONSTRAINT "devices_max_concurrency_check" CHECK ("devices"."max_concurrency" between 1 and 8)
);
