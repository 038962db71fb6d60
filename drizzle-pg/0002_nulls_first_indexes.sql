DROP INDEX "changes_field";--> statement-breakpoint
DROP INDEX "changes_name";--> statement-breakpoint
DROP INDEX "hosts_cluster";--> statement-breakpoint
DROP INDEX "vms_cluster";--> statement-breakpoint
DROP INDEX "vms_host";--> statement-breakpoint
DROP INDEX "vms_power_state";--> statement-breakpoint
DROP INDEX "vms_guest";--> statement-breakpoint
DROP INDEX "vms_memory";--> statement-breakpoint
DROP INDEX "vms_num_cpu";--> statement-breakpoint
DROP INDEX "vms_ip";--> statement-breakpoint
CREATE INDEX "changes_field" ON "changes" USING btree ("field" NULLS FIRST,"at");--> statement-breakpoint
CREATE INDEX "changes_name" ON "changes" USING btree (lower("object_name") NULLS FIRST);--> statement-breakpoint
CREATE INDEX "hosts_cluster" ON "hosts" USING btree (lower("cluster") NULLS FIRST);--> statement-breakpoint
CREATE INDEX "vms_cluster" ON "vms" USING btree (lower("cluster") NULLS FIRST,lower("host") NULLS FIRST,lower("name"),"vcenter_id","moid");--> statement-breakpoint
CREATE INDEX "vms_host" ON "vms" USING btree (lower("host") NULLS FIRST,lower("name"),"vcenter_id","moid");--> statement-breakpoint
CREATE INDEX "vms_power_state" ON "vms" USING btree (lower("power_state") NULLS FIRST,lower("name"),"vcenter_id","moid");--> statement-breakpoint
CREATE INDEX "vms_guest" ON "vms" USING btree (lower("guest_full_name") NULLS FIRST,lower("name"),"vcenter_id","moid");--> statement-breakpoint
CREATE INDEX "vms_memory" ON "vms" USING btree ("memory_mb" NULLS FIRST,lower("name"),"vcenter_id","moid");--> statement-breakpoint
CREATE INDEX "vms_num_cpu" ON "vms" USING btree ("num_cpu" NULLS FIRST,lower("name"),"vcenter_id","moid");--> statement-breakpoint
CREATE INDEX "vms_ip" ON "vms" USING btree (lower("ip_address") NULLS FIRST,lower("name"),"vcenter_id","moid");