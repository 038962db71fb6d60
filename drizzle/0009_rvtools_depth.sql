CREATE TABLE `dv_switches` (
	`vcenter_id` integer NOT NULL,
	`moid` text NOT NULL,
	`name` text NOT NULL,
	`datacenter` text,
	`vendor` text,
	`version` text,
	`description` text,
	`created_at` text,
	`host_count` integer,
	`max_ports` integer,
	`num_ports` integer,
	`vm_count` integer,
	`max_mtu` integer,
	`cdp_type` text,
	`cdp_operation` text,
	`contact` text,
	`admin_name` text,
	`uplinks` text,
	`uuid` text,
	PRIMARY KEY(`vcenter_id`, `moid`),
	FOREIGN KEY (`vcenter_id`) REFERENCES `vcenters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `host_custom_values` (
	`vcenter_id` integer NOT NULL,
	`host_moid` text NOT NULL,
	`key` integer NOT NULL,
	`name` text NOT NULL,
	`value` text,
	PRIMARY KEY(`vcenter_id`, `host_moid`, `key`),
	FOREIGN KEY (`vcenter_id`,`host_moid`) REFERENCES `hosts`(`vcenter_id`,`moid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `host_nics` (
	`vcenter_id` integer NOT NULL,
	`host_moid` text NOT NULL,
	`device` text NOT NULL,
	`driver` text,
	`speed_mb` integer,
	`duplex` integer,
	`mac` text,
	`pci` text,
	`switch` text,
	`wake_on_lan` integer,
	PRIMARY KEY(`vcenter_id`, `host_moid`, `device`),
	FOREIGN KEY (`vcenter_id`,`host_moid`) REFERENCES `hosts`(`vcenter_id`,`moid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `host_vmkernels` (
	`vcenter_id` integer NOT NULL,
	`host_moid` text NOT NULL,
	`device` text NOT NULL,
	`portgroup` text,
	`mac` text,
	`dhcp` integer,
	`ip` text,
	`subnet_mask` text,
	`ipv6` text,
	`mtu` integer,
	PRIMARY KEY(`vcenter_id`, `host_moid`, `device`),
	FOREIGN KEY (`vcenter_id`,`host_moid`) REFERENCES `hosts`(`vcenter_id`,`moid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `host_vswitches` (
	`vcenter_id` integer NOT NULL,
	`host_moid` text NOT NULL,
	`name` text NOT NULL,
	`num_ports` integer,
	`free_ports` integer,
	`mtu` integer,
	`uplinks` text,
	`allow_promiscuous` integer,
	`mac_changes` integer,
	`forged_transmits` integer,
	`shaping` integer,
	`shaping_average` integer,
	`shaping_peak` integer,
	`shaping_burst` integer,
	`teaming_policy` text,
	`reverse_policy` integer,
	`notify_switches` integer,
	`rolling_order` integer,
	`offload` integer,
	`tso` integer,
	`zero_copy_xmit` integer,
	PRIMARY KEY(`vcenter_id`, `host_moid`, `name`),
	FOREIGN KEY (`vcenter_id`,`host_moid`) REFERENCES `hosts`(`vcenter_id`,`moid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `tag_assignments` (
	`vcenter_id` integer NOT NULL,
	`moid` text NOT NULL,
	`tag_id` text NOT NULL,
	`name` text NOT NULL,
	`category` text NOT NULL,
	`description` text,
	`object_type` text NOT NULL,
	`object_moid` text NOT NULL,
	`object` text,
	PRIMARY KEY(`vcenter_id`, `moid`),
	FOREIGN KEY (`vcenter_id`,`tag_id`) REFERENCES `tag_defs`(`vcenter_id`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tag_assignments_object` ON `tag_assignments` (`vcenter_id`,`object_moid`);--> statement-breakpoint
CREATE INDEX `tag_assignments_tag` ON `tag_assignments` (`vcenter_id`,`tag_id`);--> statement-breakpoint
CREATE INDEX `tag_assignments_name` ON `tag_assignments` ("name" COLLATE NOCASE);--> statement-breakpoint
CREATE TABLE `tag_categories` (
	`vcenter_id` integer NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`cardinality` text,
	PRIMARY KEY(`vcenter_id`, `id`),
	FOREIGN KEY (`vcenter_id`) REFERENCES `vcenters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `tag_defs` (
	`vcenter_id` integer NOT NULL,
	`id` text NOT NULL,
	`category_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	PRIMARY KEY(`vcenter_id`, `id`),
	FOREIGN KEY (`vcenter_id`,`category_id`) REFERENCES `tag_categories`(`vcenter_id`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `vm_custom_values` (
	`vcenter_id` integer NOT NULL,
	`vm_moid` text NOT NULL,
	`key` integer NOT NULL,
	`name` text NOT NULL,
	`value` text,
	PRIMARY KEY(`vcenter_id`, `vm_moid`, `key`),
	FOREIGN KEY (`vcenter_id`,`vm_moid`) REFERENCES `vms`(`vcenter_id`,`moid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `vm_custom_values_name` ON `vm_custom_values` (`vcenter_id`,"name" COLLATE NOCASE);--> statement-breakpoint
CREATE TABLE `vm_disks` (
	`vcenter_id` integer NOT NULL,
	`moid` text NOT NULL,
	`vm_moid` text NOT NULL,
	`vm` text NOT NULL,
	`name` text NOT NULL,
	`device_key` integer NOT NULL,
	`capacity_bytes` integer,
	`provisioning` text,
	`thin` integer,
	`eagerly_scrub` integer,
	`datastore` text,
	`file_name` text,
	`controller` text,
	`controller_type` text,
	`bus_number` integer,
	`unit_number` integer,
	`disk_mode` text,
	`sharing` text,
	`split` integer,
	`write_through` integer,
	`raw` integer,
	`uuid` text,
	`shares_level` text,
	`shares` integer,
	`reservation` integer,
	`io_limit` integer,
	PRIMARY KEY(`vcenter_id`, `moid`),
	FOREIGN KEY (`vcenter_id`,`vm_moid`) REFERENCES `vms`(`vcenter_id`,`moid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vm_disks_owner` ON `vm_disks` (`vcenter_id`,`vm_moid`,`device_key`);--> statement-breakpoint
CREATE INDEX `vm_disks_name` ON `vm_disks` ("name" COLLATE NOCASE);--> statement-breakpoint
CREATE TABLE `vm_nics` (
	`vcenter_id` integer NOT NULL,
	`moid` text NOT NULL,
	`vm_moid` text NOT NULL,
	`vm` text NOT NULL,
	`name` text NOT NULL,
	`device_key` integer NOT NULL,
	`adapter_type` text,
	`network` text,
	`switch` text,
	`mac_address` text,
	`address_type` text,
	`connected` integer,
	`start_connected` integer,
	`ipv4` text,
	`ipv6` text,
	PRIMARY KEY(`vcenter_id`, `moid`),
	FOREIGN KEY (`vcenter_id`,`vm_moid`) REFERENCES `vms`(`vcenter_id`,`moid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vm_nics_owner` ON `vm_nics` (`vcenter_id`,`vm_moid`,`device_key`);--> statement-breakpoint
CREATE INDEX `vm_nics_name` ON `vm_nics` ("name" COLLATE NOCASE);--> statement-breakpoint
CREATE TABLE `vm_partitions` (
	`vcenter_id` integer NOT NULL,
	`moid` text NOT NULL,
	`vm_moid` text NOT NULL,
	`vm` text NOT NULL,
	`name` text NOT NULL,
	`capacity_bytes` integer,
	`free_bytes` integer,
	`free_percent` real,
	`used_percent` real,
	`disk_key` integer,
	PRIMARY KEY(`vcenter_id`, `moid`),
	FOREIGN KEY (`vcenter_id`,`vm_moid`) REFERENCES `vms`(`vcenter_id`,`moid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `vm_partitions_owner` ON `vm_partitions` (`vcenter_id`,`vm_moid`);--> statement-breakpoint
CREATE INDEX `vm_partitions_name` ON `vm_partitions` ("name" COLLATE NOCASE);--> statement-breakpoint
ALTER TABLE `clusters` ADD `ha_admission_control` integer;--> statement-breakpoint
ALTER TABLE `clusters` ADD `ha_failover_level` integer;--> statement-breakpoint
ALTER TABLE `clusters` ADD `ha_host_monitoring` text;--> statement-breakpoint
ALTER TABLE `clusters` ADD `ha_vm_monitoring` text;--> statement-breakpoint
ALTER TABLE `clusters` ADD `ha_restart_priority` text;--> statement-breakpoint
ALTER TABLE `clusters` ADD `ha_isolation_response` text;--> statement-breakpoint
ALTER TABLE `clusters` ADD `drs_vmotion_rate` integer;--> statement-breakpoint
ALTER TABLE `clusters` ADD `evc_mode` text;--> statement-breakpoint
ALTER TABLE `clusters` ADD `vsan_enabled` integer;--> statement-breakpoint
ALTER TABLE `datastores` ADD `version` text;--> statement-breakpoint
ALTER TABLE `datastores` ADD `multiple_host_access` integer;--> statement-breakpoint
ALTER TABLE `datastores` ADD `address` text;--> statement-breakpoint
ALTER TABLE `datastores` ADD `block_size_mb` integer;--> statement-breakpoint
ALTER TABLE `datastores` ADD `extent_count` integer;--> statement-breakpoint
ALTER TABLE `datastores` ADD `vmfs_upgradable` integer;--> statement-breakpoint
ALTER TABLE `hosts` ADD `serial_number` text;--> statement-breakpoint
ALTER TABLE `hosts` ADD `service_tag` text;--> statement-breakpoint
ALTER TABLE `hosts` ADD `uuid` text;--> statement-breakpoint
ALTER TABLE `hosts` ADD `bios_vendor` text;--> statement-breakpoint
ALTER TABLE `hosts` ADD `bios_version` text;--> statement-breakpoint
ALTER TABLE `hosts` ADD `bios_date` text;--> statement-breakpoint
ALTER TABLE `hosts` ADD `nic_count` integer;--> statement-breakpoint
ALTER TABLE `hosts` ADD `vmkernel_ips` text;--> statement-breakpoint
ALTER TABLE `networks` ADD `switch` text;--> statement-breakpoint
ALTER TABLE `networks` ADD `uplink` integer;--> statement-breakpoint
ALTER TABLE `networks` ADD `num_ports` integer;--> statement-breakpoint
ALTER TABLE `networks` ADD `port_binding` text;--> statement-breakpoint
ALTER TABLE `networks` ADD `active_uplinks` text;--> statement-breakpoint
ALTER TABLE `networks` ADD `standby_uplinks` text;--> statement-breakpoint
ALTER TABLE `networks` ADD `allow_promiscuous` integer;--> statement-breakpoint
ALTER TABLE `networks` ADD `mac_changes` integer;--> statement-breakpoint
ALTER TABLE `networks` ADD `forged_transmits` integer;--> statement-breakpoint
ALTER TABLE `networks` ADD `teaming_policy` text;--> statement-breakpoint
ALTER TABLE `networks` ADD `key` text;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `tags_as_of` text;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `tags_error` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `created_at` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `firmware` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `secure_boot` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `cpu_reservation_mhz` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `cpu_limit_mhz` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `cpu_shares` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `cpu_shares_level` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `memory_reservation_mb` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `memory_limit_mb` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `memory_shares` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `memory_shares_level` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `cpu_hot_add` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `memory_hot_add` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `resource_pool_path` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `vapp` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `consolidation_needed` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `vm_path_name` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `disk_count` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `nic_count` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `disk_capacity_bytes` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `num_monitors` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `video_ram_kb` integer;