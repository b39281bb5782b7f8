-- Written by hand: drizzle-kit rebuilds the deployments table to add a CHECK (its copy and index quoting go
-- wrong); SQLite adds a column with its CHECK in place, which keeps every row and index as it is.
CREATE TABLE `repo_pins` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner` text NOT NULL,
	`repo` text NOT NULL,
	`rollback_id` integer NOT NULL,
	`from_deployment_id` integer,
	`from_sha` text NOT NULL,
	`from_message` text,
	`reason` text NOT NULL,
	`pinned_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`reminded_at` integer,
	`unpinned_at` integer,
	`unpinned_by` text,
	`unpin_reason` text,
	FOREIGN KEY (`rollback_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`from_deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `repo_pins_rollback` ON `repo_pins` (`rollback_id`);--> statement-breakpoint
CREATE INDEX `repo_pins_repo` ON `repo_pins` (lower("owner"),lower("repo"),`expires_at`);--> statement-breakpoint
CREATE INDEX `repo_pins_due` ON `repo_pins` (`expires_at`) WHERE "repo_pins"."unpinned_at" IS NULL AND "repo_pins"."reminded_at" IS NULL;--> statement-breakpoint
ALTER TABLE `deployments` ADD `verify_status` text CONSTRAINT "deployments_verify_status_check" CHECK("verify_status" IS NULL OR "verify_status" IN ('verifying', 'verified', 'verification_failed', 'superseded'));--> statement-breakpoint
ALTER TABLE `deployments` ADD `verification` text;--> statement-breakpoint
ALTER TABLE `deployments` ADD `verify_state` text;--> statement-breakpoint
ALTER TABLE `deployments` ADD `verify_message_ts` text;--> statement-breakpoint
ALTER TABLE `deployments` ADD `reason` text;--> statement-breakpoint
CREATE INDEX `deployments_verifying` ON `deployments` (`verify_status`) WHERE "deployments"."verify_status" = 'verifying';--> statement-breakpoint
ALTER TABLE `integrations` ADD `health_url` text;--> statement-breakpoint
ALTER TABLE `integrations` ADD `metrics_url` text;--> statement-breakpoint
ALTER TABLE `integrations` ADD `verify_window_ms` integer;--> statement-breakpoint
ALTER TABLE `integrations` ADD `verify_max_error_share` real;--> statement-breakpoint
ALTER TABLE `integrations` ADD `verify_max_p95_ms` integer;--> statement-breakpoint
ALTER TABLE `integrations` ADD `auto_rollback` integer DEFAULT false NOT NULL;
