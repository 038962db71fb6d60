CREATE TABLE `vm_devices` (
	`vcenter_id` integer NOT NULL,
	`vm_moid` text NOT NULL,
	`change_version` text NOT NULL,
	`devices` text NOT NULL,
	PRIMARY KEY(`vcenter_id`, `vm_moid`),
	FOREIGN KEY (`vcenter_id`,`vm_moid`) REFERENCES `vms`(`vcenter_id`,`moid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `snapshots` ADD `size_vmsn_bytes` integer;--> statement-breakpoint
ALTER TABLE `snapshots` ADD `size_total_bytes` integer;