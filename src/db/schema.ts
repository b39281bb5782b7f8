import { sql } from 'drizzle-orm';
import {
  type AnySQLiteColumn,
  check,
  index,
  integer,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import {
  type DeploymentStatus,
  deploymentStatuses,
  type FailedStage,
  inFlightStatuses,
  type Operation,
  type PipelineStage,
  pipelineStages,
  type RequestChannel,
} from '../domain/deployment.ts';
import { type Lang, langs } from '../domain/intent.ts';
import type { VerificationFigures, VerifyStatus } from '../domain/verification.ts';
import { verifyStatuses } from '../domain/verification.ts';

// Value lists go into DDL (check constraints, partial index predicates) as literals: DDL cannot bind
// parameters, and SQLite only uses a partial index when the query repeats the same literal terms.
const inList = (values: readonly string[]): string =>
  `(${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ')})`;
const literalList = (values: readonly string[]) => sql.raw(inList(values));

export const operations = ['deploy', 'rollback'] as const satisfies readonly Operation[];
export const requestChannels = [
  'slack',
  'console',
  'cli',
  'ncp',
] as const satisfies readonly RequestChannel[];
export const failedStages = [
  'build',
  'image',
  'manifest',
  'deploy',
  'poll',
] as const satisfies readonly FailedStage[];
export const pendingKinds = ['rollback', 'deploy', 'choose_repo'] as const;
export const pendingStates = ['pending', 'confirmed', 'canceled', 'expired'] as const;

/** The SQL predicate for "in flight"; queries reuse it verbatim so the partial unique index serves them. */
export const inFlightPredicate = sql.raw(`"deployments"."status" IN ${inList(inFlightStatuses)}`);

// Times are UTC epoch milliseconds in INTEGER columns; `timestamp_ms` mode hands the repos Date objects.
const time = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const integrations = sqliteTable(
  'integrations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    owner: text('owner').notNull(),
    repo: text('repo').notNull(),
    scProjectId: text('sc_project_id'),
    scRepoName: text('sc_repo_name'),
    buildProjectId: text('build_project_id'),
    deployProjectId: text('deploy_project_id'),
    deployStageId: text('deploy_stage_id'),
    deployScenarioId: text('deploy_scenario_id'),
    registryHost: text('registry_host'),
    imageName: text('image_name').notNull(),
    defaultBranch: text('default_branch').notNull().default('main'),
    buildBranch: text('build_branch'),
    manifestPath: text('manifest_path'),
    noticeChannel: text('notice_channel'),
    deployers: text('deployers', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    healthUrl: text('health_url'),
    metricsUrl: text('metrics_url'),
    verifyWindowMs: integer('verify_window_ms'),
    verifyMaxErrorShare: real('verify_max_error_share'),
    verifyMaxP95Ms: integer('verify_max_p95_ms'),
    autoRollback: integer('auto_rollback', { mode: 'boolean' }).notNull().default(false),
    createdAt: time('created_at').notNull(),
    updatedAt: time('updated_at').notNull(),
  },
  (t) => [
    // Case-insensitive identity: `K-Le-PaaS/Test01` and `k-le-paas/test01` are one project.
    uniqueIndex('integrations_owner_repo_ci').on(sql`lower(${t.owner})`, sql`lower(${t.repo})`),
    index('integrations_repo_ci').on(sql`lower(${t.repo})`),
  ],
);

export const deployments = sqliteTable(
  'deployments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    owner: text('owner').notNull(),
    repo: text('repo').notNull(),
    commitSha: text('commit_sha'),
    commitMessage: text('commit_message'),
    ref: text('ref'),
    operation: text('operation').$type<Operation>().notNull(),
    rollbackFromId: integer('rollback_from_id').references((): AnySQLiteColumn => deployments.id, {
      onDelete: 'set null',
    }),
    status: text('status').$type<DeploymentStatus>().notNull(),
    ncpStatus: text('ncp_status'),
    buildId: text('build_id'),
    deployHistoryId: text('deploy_history_id').unique('deployments_deploy_history_id_unique'),
    image: text('image'),
    imageTag: text('image_tag'),
    requestKey: text('request_key').unique('deployments_request_key_unique'),
    requestedBy: text('requested_by'),
    requestedVia: text('requested_via').$type<RequestChannel>().notNull(),
    lang: text('lang').$type<Lang>().notNull(),
    slackChannel: text('slack_channel'),
    slackThreadTs: text('slack_thread_ts'),
    slackMessageTs: text('slack_message_ts'),
    requestedAt: time('requested_at').notNull(),
    startedAt: time('started_at'),
    deployedAt: time('deployed_at'),
    completedAt: time('completed_at'),
    durationMs: integer('duration_ms'),
    errorMessage: text('error_message'),
    errorStage: text('error_stage').$type<FailedStage>(),
    stage: text('stage').$type<PipelineStage>(),
    /** When `stage` was last written: a start step older than its call's limit is in doubt. */
    stageAt: time('stage_at'),
    /** Who canceled or released the record (a Slack user id or a local user name). */
    endedBy: text('ended_by'),
    verifyStatus: text('verify_status').$type<VerifyStatus>(),
    verification: text('verification', { mode: 'json' }).$type<VerificationFigures>(),
    verifyState: text('verify_state', { mode: 'json' }).$type<unknown>(),
    verifyMessageTs: text('verify_message_ts'),
    reason: text('reason'),
  },
  (t) => [
    check('deployments_status_check', sql`${t.status} IN ${literalList(deploymentStatuses)}`),
    check('deployments_operation_check', sql`${t.operation} IN ${literalList(operations)}`),
    check('deployments_requested_via_check', sql`${t.requestedVia} IN ${literalList(requestChannels)}`),
    check('deployments_lang_check', sql`${t.lang} IN ${literalList(langs)}`),
    check(
      'deployments_error_stage_check',
      sql`${t.errorStage} IS NULL OR ${t.errorStage} IN ${literalList(failedStages)}`,
    ),
    check('deployments_stage_check', sql`${t.stage} IS NULL OR ${t.stage} IN ${literalList(pipelineStages)}`),
    // At most one deployment in flight per repo, whatever the case people typed: two requests racing
    // each other cannot both start one, because the second INSERT fails here.
    uniqueIndex('deployments_one_in_flight')
      .on(sql`lower(${t.owner})`, sql`lower(${t.repo})`)
      .where(sql`${t.status} IN ${literalList(inFlightStatuses)}`),
    // history / latest: equality on the repo, then newest first straight off the index.
    index('deployments_repo_time').on(sql`lower(${t.owner})`, sql`lower(${t.repo})`, t.requestedAt, t.id),
    // successfulDeploys / current / countSuccessful: equality on repo and status, newest first.
    index('deployments_repo_status_time').on(
      sql`lower(${t.owner})`,
      sql`lower(${t.repo})`,
      t.status,
      t.requestedAt,
    ),
    // Per-commit look-ups: the "is there a newer deploy of this commit" probe behind the candidates
    // (equality down to operation, then time), and findByCommitPrefix's range over the SHA.
    index('deployments_repo_commit_status').on(
      sql`lower(${t.owner})`,
      sql`lower(${t.repo})`,
      t.commitSha,
      t.status,
      t.operation,
      t.requestedAt,
    ),
    index('deployments_rollback_from').on(t.rollbackFromId),
    check(
      'deployments_verify_status_check',
      sql`${t.verifyStatus} IS NULL OR ${t.verifyStatus} IN ${literalList(verifyStatuses)}`,
    ),
    // Verifications still running, resumed at start like the in-flight records.
    index('deployments_verifying').on(t.verifyStatus).where(sql`${t.verifyStatus} = 'verifying'`),
  ],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: time('at').notNull(),
    actor: text('actor'),
    via: text('via').$type<RequestChannel>().notNull(),
    text: text('text').notNull(),
    intent: text('intent', { mode: 'json' }).$type<unknown>(),
    outcome: text('outcome').notNull(),
    deploymentId: integer('deployment_id').references(() => deployments.id, { onDelete: 'set null' }),
    errorCode: text('error_code'),
  },
  (t) => [
    check('audit_log_via_check', sql`${t.via} IN ${literalList(requestChannels)}`),
    index('audit_log_at').on(t.at),
    index('audit_log_deployment').on(t.deploymentId),
  ],
);

export const pendingActions = sqliteTable(
  'pending_actions',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<(typeof pendingKinds)[number]>().notNull(),
    payload: text('payload', { mode: 'json' }).$type<unknown>(),
    requestedBy: text('requested_by'),
    via: text('via').$type<RequestChannel>().notNull(),
    lang: text('lang').$type<Lang>().notNull(),
    slackChannel: text('slack_channel'),
    slackThreadTs: text('slack_thread_ts'),
    createdAt: time('created_at').notNull(),
    expiresAt: time('expires_at').notNull(),
    state: text('state').$type<(typeof pendingStates)[number]>().notNull().default('pending'),
    decidedBy: text('decided_by'),
    decidedAt: time('decided_at'),
    deploymentId: integer('deployment_id').references(() => deployments.id, { onDelete: 'set null' }),
  },
  (t) => [
    check('pending_actions_kind_check', sql`${t.kind} IN ${literalList(pendingKinds)}`),
    check('pending_actions_state_check', sql`${t.state} IN ${literalList(pendingStates)}`),
    check('pending_actions_via_check', sql`${t.via} IN ${literalList(requestChannels)}`),
    check('pending_actions_lang_check', sql`${t.lang} IN ${literalList(langs)}`),
  ],
);

export const processedEvents = sqliteTable(
  'processed_events',
  {
    eventId: text('event_id').primaryKey(),
    seenAt: time('seen_at').notNull(),
  },
  (t) => [index('processed_events_seen_at').on(t.seenAt)],
);

/**
 * Deploy locks ("test01 30분 동안 배포 막아줘"). A lock is active while unreleased and unexpired; rows are
 * kept after release or expiry, so the audit answer can say who locked what and when.
 */
export const repoLocks = sqliteTable(
  'repo_locks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    owner: text('owner').notNull(),
    repo: text('repo').notNull(),
    lockedBy: text('locked_by'),
    via: text('via').$type<RequestChannel>().notNull(),
    reason: text('reason'),
    lockedAt: time('locked_at').notNull(),
    expiresAt: time('expires_at').notNull(),
    releasedAt: time('released_at'),
    releasedBy: text('released_by'),
  },
  (t) => [
    check('repo_locks_via_check', sql`${t.via} IN ${literalList(requestChannels)}`),
    index('repo_locks_repo').on(sql`lower(${t.owner})`, sql`lower(${t.repo})`, t.expiresAt),
  ],
);

/**
 * What a conversation (a Slack thread, a console session) is about: its repo, its last confirmation and
 * plan, so "한 단계 더", "undo that" and "그거 취소해" act on the same thing from any process.
 */
export const conversations = sqliteTable(
  'conversations',
  {
    key: text('key').primaryKey(),
    state: text('state', { mode: 'json' }).$type<unknown>().notNull(),
    updatedAt: time('updated_at').notNull(),
  },
  (t) => [index('conversations_updated_at').on(t.updatedAt)],
);

export type DeploymentRow = typeof deployments.$inferSelect;
export type RepoLockRow = typeof repoLocks.$inferSelect;
export type IntegrationRow = typeof integrations.$inferSelect;
export type PendingActionRow = typeof pendingActions.$inferSelect;

/**
 * Pins after a rollback: the repo stays on what it was rolled back to, and deploys that would bring the
 * rolled-away-from commit back are refused until the pin ends (expiry, unpin, a verified deploy).
 * One pin per rollback; active while not unpinned and not expired.
 */
export const repoPins = sqliteTable(
  'repo_pins',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    owner: text('owner').notNull(),
    repo: text('repo').notNull(),
    rollbackId: integer('rollback_id')
      .notNull()
      .references(() => deployments.id, { onDelete: 'cascade' }),
    fromDeploymentId: integer('from_deployment_id').references(() => deployments.id, {
      onDelete: 'set null',
    }),
    fromSha: text('from_sha').notNull(),
    fromMessage: text('from_message'),
    reason: text('reason').notNull(),
    pinnedAt: time('pinned_at').notNull(),
    expiresAt: time('expires_at').notNull(),
    remindedAt: time('reminded_at'),
    unpinnedAt: time('unpinned_at'),
    unpinnedBy: text('unpinned_by'),
    unpinReason: text('unpin_reason'),
  },
  (t) => [
    uniqueIndex('repo_pins_rollback').on(t.rollbackId),
    index('repo_pins_repo').on(sql`lower(${t.owner})`, sql`lower(${t.repo})`, t.expiresAt),
    index('repo_pins_due').on(t.expiresAt).where(sql`${t.unpinnedAt} IS NULL AND ${t.remindedAt} IS NULL`),
  ],
);
export type RepoPinRow = typeof repoPins.$inferSelect;
