DROP INDEX `vms_cluster`;--> statement-breakpoint
DROP INDEX `vms_host`;--> statement-breakpoint
DROP INDEX `vms_power_state`;--> statement-breakpoint
DROP INDEX `vms_guest`;--> statement-breakpoint
DROP INDEX `vms_ip`;--> statement-breakpoint
CREATE INDEX `vms_cluster` ON `vms` ("cluster" COLLATE NOCASE,"host" COLLATE NOCASE,"name" COLLATE NOCASE,`vcenter_id`,`moid`);--> statement-breakpoint
CREATE INDEX `vms_host` ON `vms` ("host" COLLATE NOCASE,"name" COLLATE NOCASE,`vcenter_id`,`moid`);--> statement-breakpoint
CREATE INDEX `vms_power_state` ON `vms` ("power_state" COLLATE NOCASE,"name" COLLATE NOCASE,`vcenter_id`,`moid`);--> statement-breakpoint
CREATE INDEX `vms_guest` ON `vms` ("guest_full_name" COLLATE NOCASE,"name" COLLATE NOCASE,`vcenter_id`,`moid`);--> statement-breakpoint
CREATE INDEX `vms_ip` ON `vms` ("ip_address" COLLATE NOCASE,"name" COLLATE NOCASE,`vcenter_id`,`moid`);