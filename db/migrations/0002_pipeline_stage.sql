-- Written by hand: drizzle-kit rebuilt the table (with a broken copy and index quoting) to add a CHECK;
-- SQLite adds a column with its CHECK in place, which keeps every row and index as it is.
ALTER TABLE `deployments` ADD `stage` text CONSTRAINT "deployments_stage_check" CHECK("stage" IS NULL OR "stage" IN ('resolve', 'build_branch', 'build_tag', 'build_start', 'build_start_unknown', 'build_wait', 'image_check', 'manifest', 'deploy_start', 'deploy_start_unknown', 'deploy_wait', 'manifest_restore', 'done'));--> statement-breakpoint
ALTER TABLE `integrations` ADD `build_branch` text;
