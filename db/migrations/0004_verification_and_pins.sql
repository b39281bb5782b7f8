-- Hand-fixed after drizzle-kit: the copy selects only the columns the old table has, and the lower() index
-- expressions are not quoted as column names (the drizzle-kit table rebuild gets both wrong).
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
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_deployments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner` text NOT NULL,
	`repo` text NOT NULL,
	`commit_sha` text,
	`commit_message` text,
	`ref` text,
	`operation` text NOT NULL,
	`rollback_from_id` integer,
	`status` text NOT NULL,
	`ncp_status` text,
	`build_id` text,
	`deploy_history_id` text,
	`image` text,
	`image_tag` text,
	`request_key` text,
	`requested_by` text,
	`requested_via` text NOT NULL,
	`lang` text NOT NULL,
	`slack_channel` text,
	`slack_thread_ts` text,
	`slack_message_ts` text,
	`requested_at` integer NOT NULL,
	`started_at` integer,
	`deployed_at` integer,
	`completed_at` integer,
	`duration_ms` integer,
	`error_message` text,
	`error_stage` text,
	`stage` text,
	`verify_status` text,
	`verification` text,
	`verify_state` text,
	`verify_message_ts` text,
	`reason` text,
	FOREIGN KEY (`rollback_from_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "deployments_status_check" CHECK("__new_deployments"."status" IN ('queued', 'building', 'deploying', 'success', 'failed', 'canceled', 'timed_out')),
	CONSTRAINT "deployments_operation_check" CHECK("__new_deployments"."operation" IN ('deploy', 'rollback')),
	CONSTRAINT "deployments_requested_via_check" CHECK("__new_deployments"."requested_via" IN ('slack', 'console', 'cli', 'ncp')),
	CONSTRAINT "deployments_lang_check" CHECK("__new_deployments"."lang" IN ('ko', 'en')),
	CONSTRAINT "deployments_error_stage_check" CHECK("__new_deployments"."error_stage" IS NULL OR "__new_deployments"."error_stage" IN ('build', 'image', 'manifest', 'deploy', 'poll')),
	CONSTRAINT "deployments_stage_check" CHECK("__new_deployments"."stage" IS NULL OR "__new_deployments"."stage" IN ('resolve', 'build_branch', 'build_tag', 'build_start', 'build_start_unknown', 'build_wait', 'image_check', 'manifest', 'deploy_start', 'deploy_start_unknown', 'deploy_wait', 'manifest_restore', 'done')),
	CONSTRAINT "deployments_verify_status_check" CHECK("__new_deployments"."verify_status" IS NULL OR "__new_deployments"."verify_status" IN ('verifying', 'verified', 'verification_failed', 'superseded'))
);
--> statement-breakpoint
INSERT INTO `__new_deployments`("id", "owner", "repo", "commit_sha", "commit_message", "ref", "operation", "rollback_from_id", "status", "ncp_status", "build_id", "deploy_history_id", "image", "image_tag", "request_key", "requested_by", "requested_via", "lang", "slack_channel", "slack_thread_ts", "slack_message_ts", "requested_at", "started_at", "deployed_at", "completed_at", "duration_ms", "error_message", "error_stage", "stage") SELECT "id", "owner", "repo", "commit_sha", "commit_message", "ref", "operation", "rollback_from_id", "status", "ncp_status", "build_id", "deploy_history_id", "image", "image_tag", "request_key", "requested_by", "requested_via", "lang", "slack_channel", "slack_thread_ts", "slack_message_ts", "requested_at", "started_at", "deployed_at", "completed_at", "duration_ms", "error_message", "error_stage", "stage" FROM `deployments`;--> statement-breakpoint
DROP TABLE `deployments`;--> statement-breakpoint
ALTER TABLE `__new_deployments` RENAME TO `deployments`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `deployments_deploy_history_id_unique` ON `deployments` (`deploy_history_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `deployments_request_key_unique` ON `deployments` (`request_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `deployments_one_in_flight` ON `deployments` (lower("owner"),lower("repo")) WHERE "deployments"."status" IN ('queued', 'building', 'deploying');--> statement-breakpoint
CREATE INDEX `deployments_repo_time` ON `deployments` (lower("owner"),lower("repo"),`requested_at`,`id`);--> statement-breakpoint
CREATE INDEX `deployments_repo_status_time` ON `deployments` (lower("owner"),lower("repo"),`status`,`requested_at`);--> statement-breakpoint
CREATE INDEX `deployments_repo_commit_status` ON `deployments` (lower("owner"),lower("repo"),`commit_sha`,`status`,`operation`,`requested_at`);--> statement-breakpoint
CREATE INDEX `deployments_rollback_from` ON `deployments` (`rollback_from_id`);--> statement-breakpoint
CREATE INDEX `deployments_verifying` ON `deployments` (`verify_status`) WHERE "deployments"."verify_status" = 'verifying';--> statement-breakpoint
ALTER TABLE `integrations` ADD `health_url` text;--> statement-breakpoint
ALTER TABLE `integrations` ADD `metrics_url` text;--> statement-breakpoint
ALTER TABLE `integrations` ADD `verify_window_ms` integer;--> statement-breakpoint
ALTER TABLE `integrations` ADD `verify_max_error_share` real;--> statement-breakpoint
ALTER TABLE `integrations` ADD `verify_max_p95_ms` integer;--> statement-breakpoint
ALTER TABLE `integrations` ADD `auto_rollback` integer DEFAULT false NOT NULL;