-- IF NOT EXISTS: the leader election created this table at run time before this migration existed.
CREATE TABLE IF NOT EXISTS "team_leader" (
	"id" text PRIMARY KEY NOT NULL,
	"instance" text NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"backend_pid" integer NOT NULL,
	"term" bigint NOT NULL,
	"acquired_at" timestamp with time zone NOT NULL,
	"renewed_at" timestamp with time zone NOT NULL,
	"released_at" timestamp with time zone
);
