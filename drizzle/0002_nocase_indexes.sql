DROP INDEX `clusters_name`;--> statement-breakpoint
CREATE INDEX `clusters_name` ON `clusters` ("name" COLLATE NOCASE);--> statement-breakpoint
DROP INDEX `datacenters_name`;--> statement-breakpoint
CREATE INDEX `datacenters_name` ON `datacenters` ("name" COLLATE NOCASE);--> statement-breakpoint
DROP INDEX `datastores_name`;--> statement-breakpoint
CREATE INDEX `datastores_name` ON `datastores` ("name" COLLATE NOCASE);--> statement-breakpoint
DROP INDEX `hosts_name`;--> statement-breakpoint
DROP INDEX `hosts_cluster`;--> statement-breakpoint
CREATE INDEX `hosts_name` ON `hosts` ("name" COLLATE NOCASE,`vcenter_id`,`moid`);--> statement-breakpoint
CREATE INDEX `hosts_cluster` ON `hosts` ("cluster" COLLATE NOCASE);--> statement-breakpoint
DROP INDEX `networks_name`;--> statement-breakpoint
CREATE INDEX `networks_name` ON `networks` ("name" COLLATE NOCASE);--> statement-breakpoint
DROP INDEX `vms_name`;--> statement-breakpoint
DROP INDEX `vms_cluster`;--> statement-breakpoint
DROP INDEX `vms_host`;--> statement-breakpoint
DROP INDEX `vms_power_state`;--> statement-breakpoint
CREATE INDEX `vms_guest` ON `vms` ("guest_full_name" COLLATE NOCASE);--> statement-breakpoint
CREATE INDEX `vms_name` ON `vms` ("name" COLLATE NOCASE,`vcenter_id`,`moid`);--> statement-breakpoint
CREATE INDEX `vms_cluster` ON `vms` ("cluster" COLLATE NOCASE);--> statement-breakpoint
CREATE INDEX `vms_host` ON `vms` ("host" COLLATE NOCASE);--> statement-breakpoint
CREATE INDEX `vms_power_state` ON `vms` ("power_state" COLLATE NOCASE);