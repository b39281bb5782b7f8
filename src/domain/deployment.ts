import type { Lang } from './intent.ts';
import type { VerificationFigures, VerifyStatus } from './verification.ts';

export const deploymentStatuses = [
  'queued',
  'building',
  'deploying',
  'success',
  'failed',
  'canceled',
  'timed_out',
] as const;
export type DeploymentStatus = (typeof deploymentStatuses)[number];

export const inFlightStatuses: readonly DeploymentStatus[] = ['queued', 'building', 'deploying'];
export const terminalStatuses: readonly DeploymentStatus[] = ['success', 'failed', 'canceled', 'timed_out'];
export const isInFlight = (s: DeploymentStatus): boolean => inFlightStatuses.includes(s);
export const isTerminal = (s: DeploymentStatus): boolean => terminalStatuses.includes(s);

export type Operation = 'deploy' | 'rollback';
export type RequestChannel = 'slack' | 'console' | 'cli' | 'ncp';
export type FailedStage = 'build' | 'image' | 'manifest' | 'deploy' | 'poll';

/**
 * The step of the pipeline a record is at (or stopped at), one name per call the bot makes, in order.
 * A `*_unknown` stage is a start NCP did not answer: it may or may not have begun, so the record stays
 * in flight and is left to reconciliation rather than guessed failed.
 */
export const pipelineStages = [
  'resolve',
  'build_branch',
  'build_tag',
  'build_start',
  'build_start_unknown',
  'build_wait',
  'image_check',
  'manifest',
  'deploy_start',
  'deploy_start_unknown',
  'deploy_wait',
  'manifest_restore',
  'done',
] as const;
export type PipelineStage = (typeof pipelineStages)[number];

/** A start whose outcome NCP never told us; the poller leaves it for the reconciler. */
export const awaitsReconciliation = (d: Pick<Deployment, 'stage'>): boolean =>
  d.stage === 'build_start_unknown' || d.stage === 'deploy_start_unknown';

/**
 * True when an in-flight record lacks the NCP id of the phase it is in (killed between the record and
 * the id, a start without an answer): only then is its outcome in doubt and the reconciler's to settle.
 */
export function lacksRunId(d: Pick<Deployment, 'status' | 'buildId' | 'deployHistoryId'>): boolean {
  if (!isInFlight(d.status)) return false;
  if (d.status === 'building' || d.status === 'queued') return d.buildId === null;
  return d.deployHistoryId === null;
}

/** Who asked and where to tell them; stored with the deployment so any process can send the notices. */
export interface Requester {
  readonly via: RequestChannel;
  /** Slack user id, or a local user name for the console and CLI. */
  readonly user: string | null;
  readonly lang: Lang;
  readonly slackChannel?: string | null;
  readonly slackThreadTs?: string | null;
  /** Why it was started, when not a person's plain request (the bot's own rollback, a forced deploy). */
  readonly reason?: string | null;
}

export interface Deployment {
  readonly id: number;
  readonly owner: string;
  readonly repo: string;
  readonly commitSha: string | null;
  readonly commitMessage: string | null;
  readonly ref: string | null;
  readonly operation: Operation;
  readonly rollbackFromId: number | null;
  readonly status: DeploymentStatus;
  readonly ncpStatus: string | null;
  readonly buildId: string | null;
  readonly deployHistoryId: string | null;
  readonly image: string | null;
  readonly imageTag: string | null;
  /** Idempotency key: a retried request with the same key finds this record instead of making another. */
  readonly requestKey: string | null;
  readonly requestedBy: string | null;
  readonly requestedVia: RequestChannel;
  readonly lang: Lang;
  readonly slackChannel: string | null;
  readonly slackThreadTs: string | null;
  /** The progress message updated in place. */
  readonly slackMessageTs: string | null;
  readonly requestedAt: Date;
  readonly startedAt: Date | null;
  readonly deployedAt: Date | null;
  readonly completedAt: Date | null;
  readonly durationMs: number | null;
  readonly errorMessage: string | null;
  readonly errorStage: FailedStage | null;
  /** The pipeline step reached; on a failed record, the step that failed. */
  readonly stage: PipelineStage | null;
  /** When `stage` was written; the reconciler reads it to tell a start in progress from one in doubt. */
  readonly stageAt?: Date | null;
  /** Who canceled or released the record. */
  readonly endedBy?: string | null;
  /** Checks after success: null when the integration has no health URL (or the run did not succeed). */
  readonly verifyStatus: VerifyStatus | null;
  readonly verification: VerificationFigures | null;
  /** The resumable state of a running verification (parsed by the poller before use). */
  readonly verifyState: unknown;
  /** The verification card in the thread, updated in place. */
  readonly verifyMessageTs: string | null;
  /** Why the bot started it on its own (auto-rollback), or why a person forced it. */
  readonly reason: string | null;
}

export interface Integration {
  readonly id: number;
  readonly owner: string;
  readonly repo: string;
  readonly scProjectId: string | null;
  readonly scRepoName: string | null;
  readonly buildProjectId: string | null;
  readonly deployProjectId: string | null;
  readonly deployStageId: string | null;
  readonly deployScenarioId: string | null;
  readonly registryHost: string | null;
  /** Image repository in NCR; defaults to `<owner>-<repo>` in lower case. */
  readonly imageName: string;
  readonly defaultBranch: string;
  /**
   * The SourceCommit branch the SourceBuild project builds. The bot force-pushes the commit to build there
   * before each build, so it must be a branch nobody else writes; null means `klepaas-build`.
   */
  readonly buildBranch: string | null;
  readonly manifestPath: string | null;
  readonly noticeChannel: string | null;
  /** Slack user ids allowed to deploy and roll back (APPROVERS too); empty means anyone who may talk to the bot. */
  readonly deployers: readonly string[];
  /** Verification after success: a health URL turns it on; metrics add the 5xx share and p95. */
  readonly healthUrl: string | null;
  readonly metricsUrl: string | null;
  /** Overrides of the source document's defaults; null means the default. */
  readonly verifyWindowMs: number | null;
  readonly verifyMaxErrorShare: number | null;
  readonly verifyMaxP95Ms: number | null;
  /** Roll back on its own when a deploy fails verification. */
  readonly autoRollback: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export const defaultImageName = (owner: string, repo: string): string => `${owner}-${repo}`.toLowerCase();

export const DEFAULT_BUILD_BRANCH = 'klepaas-build';

/** A repo kept on the version a rollback returned to (see the pins table). */
export interface RepoPin {
  readonly id: number;
  readonly owner: string;
  readonly repo: string;
  readonly rollbackId: number;
  readonly fromDeploymentId: number | null;
  /** The commit rolled away from: a deploy that still contains it is refused unless forced. */
  readonly fromSha: string;
  readonly fromMessage: string | null;
  readonly reason: string;
  readonly pinnedAt: Date;
  readonly expiresAt: Date;
  readonly remindedAt: Date | null;
  readonly unpinnedAt: Date | null;
  readonly unpinnedBy: string | null;
  readonly unpinReason: string | null;
}
