DROP INDEX `vms_memory`;--> statement-breakpoint
DROP INDEX `vms_num_cpu`;--> statement-breakpoint
CREATE INDEX `vms_memory` ON `vms` (`memory_mb`,"name" COLLATE NOCASE,`vcenter_id`,`moid`);--> statement-breakpoint
CREATE INDEX `vms_num_cpu` ON `vms` (`num_cpu`,"name" COLLATE NOCASE,`vcenter_id`,`moid`);