CREATE TABLE "vault" (
	"id" text PRIMARY KEY NOT NULL,
	"content" text NOT NULL,
	"version" bigint NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
