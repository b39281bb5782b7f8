CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text,
	`via` text NOT NULL,
	`text` text NOT NULL,
	`intent` text,
	`outcome` text NOT NULL,
	`deployment_id` integer,
	`error_code` text,
	FOREIGN KEY (`deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "audit_log_via_check" CHECK("audit_log"."via" IN ('slack', 'console', 'cli', 'ncp'))
);
--> statement-breakpoint
CREATE INDEX `audit_log_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_log_deployment` ON `audit_log` (`deployment_id`);--> statement-breakpoint
CREATE TABLE `deployments` (
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
	FOREIGN KEY (`rollback_from_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "deployments_status_check" CHECK("deployments"."status" IN ('queued', 'building', 'deploying', 'success', 'failed', 'canceled', 'timed_out')),
	CONSTRAINT "deployments_operation_check" CHECK("deployments"."operation" IN ('deploy', 'rollback')),
	CONSTRAINT "deployments_requested_via_check" CHECK("deployments"."requested_via" IN ('slack', 'console', 'cli', 'ncp')),
	CONSTRAINT "deployments_lang_check" CHECK("deployments"."lang" IN ('ko', 'en')),
	CONSTRAINT "deployments_error_stage_check" CHECK("deployments"."error_stage" IS NULL OR "deployments"."error_stage" IN ('build', 'image', 'manifest', 'deploy', 'poll'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deployments_deploy_history_id_unique` ON `deployments` (`deploy_history_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `deployments_request_key_unique` ON `deployments` (`request_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `deployments_one_in_flight` ON `deployments` (lower("owner"),lower("repo")) WHERE "deployments"."status" IN ('queued', 'building', 'deploying');--> statement-breakpoint
CREATE INDEX `deployments_repo_time` ON `deployments` (lower("owner"),lower("repo"),`requested_at`,`id`);--> statement-breakpoint
CREATE INDEX `deployments_repo_status_time` ON `deployments` (lower("owner"),lower("repo"),`status`,`requested_at`);--> statement-breakpoint
CREATE INDEX `deployments_repo_commit` ON `deployments` (lower("owner"),lower("repo"),`commit_sha`);--> statement-breakpoint
CREATE INDEX `deployments_rollback_from` ON `deployments` (`rollback_from_id`);--> statement-breakpoint
CREATE TABLE `integrations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner` text NOT NULL,
	`repo` text NOT NULL,
	`sc_project_id` text,
	`sc_repo_name` text,
	`build_project_id` text,
	`deploy_project_id` text,
	`deploy_stage_id` text,
	`deploy_scenario_id` text,
	`registry_host` text,
	`image_name` text NOT NULL,
	`default_branch` text DEFAULT 'main' NOT NULL,
	`manifest_path` text,
	`notice_channel` text,
	`deployers` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `integrations_owner_repo_ci` ON `integrations` (lower("owner"),lower("repo"));--> statement-breakpoint
CREATE INDEX `integrations_repo_ci` ON `integrations` (lower("repo"));--> statement-breakpoint
CREATE TABLE `pending_actions` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`payload` text,
	`requested_by` text,
	`via` text NOT NULL,
	`lang` text NOT NULL,
	`slack_channel` text,
	`slack_thread_ts` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`deployment_id` integer,
	FOREIGN KEY (`deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "pending_actions_kind_check" CHECK("pending_actions"."kind" IN ('rollback', 'deploy', 'choose_repo')),
	CONSTRAINT "pending_actions_state_check" CHECK("pending_actions"."state" IN ('pending', 'confirmed', 'canceled', 'expired')),
	CONSTRAINT "pending_actions_via_check" CHECK("pending_actions"."via" IN ('slack', 'console', 'cli', 'ncp')),
	CONSTRAINT "pending_actions_lang_check" CHECK("pending_actions"."lang" IN ('ko', 'en'))
);
--> statement-breakpoint
CREATE TABLE `processed_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `processed_events_seen_at` ON `processed_events` (`seen_at`);