CREATE TABLE `changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`vcenter_id` integer NOT NULL,
	`vcenter` text NOT NULL,
	`entity` text NOT NULL,
	`moid` text NOT NULL,
	`object_name` text,
	`kind` text NOT NULL,
	`field` text,
	`old_value` text,
	`new_value` text,
	`source` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `changes_at` ON `changes` (`at`,`id`);--> statement-breakpoint
CREATE INDEX `changes_object` ON `changes` (`vcenter_id`,`moid`,`at`);--> statement-breakpoint
CREATE INDEX `changes_field` ON `changes` (`field`,`at`);