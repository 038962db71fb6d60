ALTER TABLE `vcenters` ADD `cert_review_pending` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- vCenters a source added before this check existed and that never synced: their certificate was never looked at.
UPDATE `vcenters` SET `cert_review_pending` = 1 WHERE `source_id` IS NOT NULL AND `thumbprint` IS NULL AND `id` NOT IN (SELECT `vcenter_id` FROM `sync_state` WHERE `last_success_at` IS NOT NULL);
