ALTER TABLE `deployments` ADD `stage_at` integer;--> statement-breakpoint
ALTER TABLE `deployments` ADD `ended_by` text;