CREATE TABLE `clusters` (
	`vcenter_id` integer NOT NULL,
	`moid` text NOT NULL,
	`name` text NOT NULL,
	`datacenter` text,
	`drs_enabled` integer,
	`drs_behavior` text,
	`ha_enabled` integer,
	`host_count` integer NOT NULL,
	`effective_host_count` integer,
	`vm_count` integer NOT NULL,
	`total_cpu_mhz` integer,
	`total_cpu_cores` integer,
	`total_memory_bytes` integer,
	`overall_status` text,
	PRIMARY KEY(`vcenter_id`, `moid`),
	FOREIGN KEY (`vcenter_id`) REFERENCES `vcenters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `clusters_name` ON `clusters` (`name`);--> statement-breakpoint
CREATE TABLE `datacenters` (
	`vcenter_id` integer NOT NULL,
	`moid` text NOT NULL,
	`name` text NOT NULL,
	`cluster_count` integer NOT NULL,
	`host_count` integer NOT NULL,
	`vm_count` integer NOT NULL,
	PRIMARY KEY(`vcenter_id`, `moid`),
	FOREIGN KEY (`vcenter_id`) REFERENCES `vcenters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `datacenters_name` ON `datacenters` (`name`);--> statement-breakpoint
CREATE TABLE `datastores` (
	`vcenter_id` integer NOT NULL,
	`moid` text NOT NULL,
	`name` text NOT NULL,
	`datacenter` text,
	`type` text,
	`capacity_bytes` integer,
	`free_bytes` integer,
	`provisioned_bytes` integer,
	`free_percent` real,
	`accessible` integer,
	`vm_count` integer NOT NULL,
	`host_count` integer NOT NULL,
	`maintenance_mode` text,
	`url` text,
	PRIMARY KEY(`vcenter_id`, `moid`),
	FOREIGN KEY (`vcenter_id`) REFERENCES `vcenters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `datastores_name` ON `datastores` (`name`);--> statement-breakpoint
CREATE TABLE `host_datastores` (
	`vcenter_id` integer NOT NULL,
	`host_moid` text NOT NULL,
	`datastore_moid` text NOT NULL,
	PRIMARY KEY(`vcenter_id`, `host_moid`, `datastore_moid`),
	FOREIGN KEY (`vcenter_id`) REFERENCES `vcenters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `host_datastores_b` ON `host_datastores` (`vcenter_id`,`datastore_moid`);--> statement-breakpoint
CREATE TABLE `hosts` (
	`vcenter_id` integer NOT NULL,
	`moid` text NOT NULL,
	`name` text NOT NULL,
	`datacenter` text,
	`cluster` text,
	`connection_state` text,
	`power_state` text,
	`in_maintenance_mode` integer,
	`vendor` text,
	`model` text,
	`cpu_model` text,
	`num_cpu_sockets` integer,
	`num_cpu_cores` integer,
	`num_cpu_threads` integer,
	`cpu_mhz` integer,
	`memory_mb` integer,
	`esxi_version` text,
	`esxi_build` text,
	`vm_count` integer NOT NULL,
	`boot_time` text,
	`overall_status` text,
	PRIMARY KEY(`vcenter_id`, `moid`),
	FOREIGN KEY (`vcenter_id`) REFERENCES `vcenters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `hosts_name` ON `hosts` (`name`);--> statement-breakpoint
CREATE INDEX `hosts_cluster` ON `hosts` (`cluster`);--> statement-breakpoint
CREATE TABLE `networks` (
	`vcenter_id` integer NOT NULL,
	`moid` text NOT NULL,
	`name` text NOT NULL,
	`datacenter` text,
	`type` text,
	`vlan_id` text,
	`vm_count` integer NOT NULL,
	PRIMARY KEY(`vcenter_id`, `moid`),
	FOREIGN KEY (`vcenter_id`) REFERENCES `vcenters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `networks_name` ON `networks` (`name`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `snapshots` (
	`vcenter_id` integer NOT NULL,
	`moid` text NOT NULL,
	`vm_moid` text NOT NULL,
	`vm` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`created_at` text,
	`state` text,
	`parent_moid` text,
	PRIMARY KEY(`vcenter_id`, `moid`),
	FOREIGN KEY (`vcenter_id`) REFERENCES `vcenters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `snapshots_vm` ON `snapshots` (`vcenter_id`,`vm_moid`);--> statement-breakpoint
CREATE TABLE `sync_state` (
	`vcenter_id` integer PRIMARY KEY NOT NULL,
	`status` text DEFAULT 'idle' NOT NULL,
	`started_at` text,
	`finished_at` text,
	`duration_ms` integer,
	`counts` text,
	`error_code` text,
	`error_message` text,
	`last_success_at` text,
	`warnings` text,
	FOREIGN KEY (`vcenter_id`) REFERENCES `vcenters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `vcenters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`username` text NOT NULL,
	`thumbprint` text,
	`ca_pem` text,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	`product_name` text,
	`version` text,
	`build` text,
	`api_version` text,
	`instance_uuid` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vcenters_name_uq` ON `vcenters` (`name`);--> statement-breakpoint
CREATE TABLE `vm_datastores` (
	`vcenter_id` integer NOT NULL,
	`vm_moid` text NOT NULL,
	`datastore_moid` text NOT NULL,
	PRIMARY KEY(`vcenter_id`, `vm_moid`, `datastore_moid`),
	FOREIGN KEY (`vcenter_id`) REFERENCES `vcenters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `vm_datastores_b` ON `vm_datastores` (`vcenter_id`,`datastore_moid`);--> statement-breakpoint
CREATE TABLE `vm_networks` (
	`vcenter_id` integer NOT NULL,
	`vm_moid` text NOT NULL,
	`network_moid` text NOT NULL,
	PRIMARY KEY(`vcenter_id`, `vm_moid`, `network_moid`),
	FOREIGN KEY (`vcenter_id`) REFERENCES `vcenters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `vm_networks_b` ON `vm_networks` (`vcenter_id`,`network_moid`);--> statement-breakpoint
CREATE TABLE `vms` (
	`vcenter_id` integer NOT NULL,
	`moid` text NOT NULL,
	`name` text NOT NULL,
	`datacenter` text,
	`cluster` text,
	`host` text,
	`folder` text,
	`resource_pool` text,
	`power_state` text,
	`num_cpu` integer,
	`cores_per_socket` integer,
	`memory_mb` integer,
	`guest_id` text,
	`guest_full_name` text,
	`guest_full_name_reported` text,
	`guest_host_name` text,
	`ip_address` text,
	`ip_addresses` text,
	`tools_status` text,
	`tools_running_status` text,
	`tools_version_status` text,
	`provisioned_bytes` integer,
	`used_bytes` integer,
	`datastores` text,
	`networks` text,
	`snapshot_count` integer NOT NULL,
	`oldest_snapshot_at` text,
	`annotation` text,
	`template` integer NOT NULL,
	`hardware_version` text,
	`instance_uuid` text,
	`bios_uuid` text,
	`boot_time` text,
	`overall_status` text,
	`host_moid` text,
	PRIMARY KEY(`vcenter_id`, `moid`),
	FOREIGN KEY (`vcenter_id`) REFERENCES `vcenters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `vms_name` ON `vms` (`name`);--> statement-breakpoint
CREATE INDEX `vms_cluster` ON `vms` (`cluster`);--> statement-breakpoint
CREATE INDEX `vms_host` ON `vms` (`host`);--> statement-breakpoint
CREATE INDEX `vms_power_state` ON `vms` (`power_state`);--> statement-breakpoint
CREATE INDEX `vms_memory` ON `vms` (`memory_mb`);--> statement-breakpoint
CREATE INDEX `vms_num_cpu` ON `vms` (`num_cpu`);--> statement-breakpoint
CREATE INDEX `vms_ip` ON `vms` (`ip_address`);