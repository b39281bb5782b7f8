CREATE TABLE `conversations` (
	`key` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `conversations_updated_at` ON `conversations` (`updated_at`);--> statement-breakpoint
CREATE TABLE `repo_locks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner` text NOT NULL,
	`repo` text NOT NULL,
	`locked_by` text,
	`via` text NOT NULL,
	`reason` text,
	`locked_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`released_at` integer,
	`released_by` text,
	CONSTRAINT "repo_locks_via_check" CHECK("repo_locks"."via" IN ('slack', 'console', 'cli', 'ncp'))
);
--> statement-breakpoint
CREATE INDEX `repo_locks_repo` ON `repo_locks` (lower("owner"),lower("repo"),`expires_at`);