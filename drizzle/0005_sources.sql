CREATE TABLE `service_accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`username` text NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `service_accounts_name_uq` ON `service_accounts` ("name" COLLATE NOCASE);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`config` text NOT NULL,
	`refresh_minutes` integer DEFAULT 60 NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	`last_refresh_at` text,
	`last_success_at` text,
	`last_error_code` text,
	`last_error_message` text,
	`last_row_count` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sources_name_uq` ON `sources` ("name" COLLATE NOCASE);--> statement-breakpoint
ALTER TABLE `vcenters` ADD `use_service_account` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `vcenters` ADD `service_account_id` integer REFERENCES service_accounts(id) ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE `vcenters` ADD `source_id` integer REFERENCES sources(id) ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE `vcenters` ADD `retired_at` text;--> statement-breakpoint
ALTER TABLE `vcenters` ADD `site` text;--> statement-breakpoint
ALTER TABLE `vcenters` ADD `tags` text;