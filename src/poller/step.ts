import type { Deployment, FailedStage } from '../domain/deployment.ts';

/**
 * One tick of the status poller, decided without I/O: the job code fetches what NCP says, classifies it
 * with the NCP status mapping, and asks this function what follows. The clock comes in as `now`.
 */

/** What the NCP status mapping says about one raw build or deploy status. */
export type RunState = 'running' | 'succeeded' | 'failed' | 'canceled' | 'unknown';

export type Phase = 'build' | 'deploy';

export interface PollLimits {
  readonly intervalMs: number;
  /** Limit of the deploy phase (POLL_TIMEOUT_MS, 5 min by default, as the status-poller rules say). */
  readonly deployTimeoutMs: number;
  /** Limit of the build phase (BUILD_TIMEOUT_MS); builds routinely take longer than deploys. */
  readonly buildTimeoutMs: number;
  /**
   * Limit of a deploy waiting for an approver (SourceDeploy `pending`, APPROVAL_TIMEOUT_MS). People take
   * hours; the deploy limit counts again from when the approver decided.
   */
  readonly approvalTimeoutMs: number;
}

/** The raw parts of a build or deploy run the decision needs; NCP's own words, never rewritten. */
export interface RunReport {
  /** null: a build run with no job yet (documented), still being prepared. */
  readonly status: string | null;
  readonly message: string | null;
  readonly failedPhase?: string | null;
  readonly endedAt: Date | null;
}

export type Observation =
  /** The record's own build id, read from SourceBuild; `run` null when NCP does not list it (yet). */
  | { readonly kind: 'build'; readonly state: RunState; readonly run: RunReport | null }
  /** The record's own deploy history id, read from SourceDeploy. */
  | { readonly kind: 'deploy'; readonly state: RunState; readonly run: RunReport }
  /** The NCP call failed (network, 5xx, 429...): never a verdict on the deployment. */
  | { readonly kind: 'error'; readonly message: string }
  /** The record has no NCP id to follow yet (the service is still starting it). */
  | { readonly kind: 'nothing' };

export type DeploymentView = Pick<
  Deployment,
  'status' | 'buildId' | 'deployHistoryId' | 'requestedAt' | 'startedAt' | 'ncpStatus'
>;

export interface StepInput {
  readonly deployment: DeploymentView;
  readonly observation: Observation;
  readonly now: Date;
  /** When the current phase began; the limit of that phase counts from here. */
  readonly phaseStartedAt: Date;
  readonly limits: PollLimits;
}

export type WaitReason =
  | 'running'
  | 'awaiting_approval'
  | 'unknown_status'
  | 'not_listed'
  | 'ncp_error'
  | 'no_ncp_id';

export type StepDecision =
  | {
      readonly kind: 'poll';
      readonly delayMs: number;
      readonly phase: Phase;
      readonly reason: WaitReason;
      /** The raw status to record; unchanged when NCP told us nothing new. */
      readonly ncpStatus: string | null;
    }
  | { readonly kind: 'build_succeeded'; readonly ncpStatus: string }
  | {
      readonly kind: 'done';
      readonly status: 'success';
      readonly ncpStatus: string;
      readonly deployedAt: Date;
      readonly completedAt: Date;
      readonly durationMs: number;
    }
  | {
      readonly kind: 'done';
      readonly status: 'failed' | 'canceled';
      readonly ncpStatus: string;
      readonly stage: FailedStage;
      /** NCP's failed phase (SourceBuild `failedPhase`), when it gave one. */
      readonly failedPhase: string | null;
      readonly message: string;
      readonly completedAt: Date;
      readonly durationMs: number;
    }
  | {
      readonly kind: 'done';
      readonly status: 'timed_out';
      /** The last status NCP reported, or null when it never answered. */
      readonly ncpStatus: string | null;
      /** `poll` when the limit passed while NCP could not be reached. */
      readonly stage: FailedStage;
      readonly limitMs: number;
      readonly message: string;
      readonly completedAt: Date;
      readonly durationMs: number;
    };

export type TerminalDecision = Extract<StepDecision, { kind: 'done' }>;

/** Which NCP run the record's state says to follow. */
export function phaseOf(d: Pick<Deployment, 'status' | 'buildId' | 'deployHistoryId'>): Phase {
  if (d.status === 'building') return 'build';
  if (d.deployHistoryId !== null) return 'deploy';
  return d.buildId !== null ? 'build' : 'deploy';
}

/** Duration counted from the moment the work began, as the reference computes `total_duration`. */
export function durationFrom(d: Pick<Deployment, 'requestedAt' | 'startedAt'>, end: Date): number {
  return Math.max(0, end.getTime() - (d.startedAt ?? d.requestedAt).getTime());
}

export function formatLimit(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}

export function decideStep(input: StepInput): StepDecision {
  const { deployment: d, observation: o, now, limits } = input;
  const phase = phaseOf(d);

  // A final answer from NCP wins over the clock: a run that finished right at the limit did finish.
  if (o.kind === 'build' && o.run !== null && phase === 'build') {
    const run = o.run;
    if (o.state === 'succeeded' && run.status !== null)
      return { kind: 'build_succeeded', ncpStatus: run.status };
    if (o.state === 'failed' || o.state === 'canceled') return ended(d, o.state, 'build', run, now);
  }
  if (o.kind === 'deploy' && phase === 'deploy') {
    const run = o.run;
    if (o.state === 'succeeded') {
      const deployedAt = run.endedAt ?? now;
      return {
        kind: 'done',
        status: 'success',
        ncpStatus: run.status ?? 'success',
        deployedAt,
        completedAt: now,
        durationMs: durationFrom(d, deployedAt),
      };
    }
    if (o.state === 'failed' || o.state === 'canceled') return ended(d, o.state, 'deploy', run, now);
  }

  const ncpStatus = o.kind === 'build' || o.kind === 'deploy' ? (o.run?.status ?? d.ncpStatus) : d.ncpStatus;
  // Waiting for an approver is timed by its own limit; an unreachable NCP keeps the last known state.
  const awaitingApproval = phase === 'deploy' && ncpStatus === 'pending';
  const limitMs =
    phase === 'build'
      ? limits.buildTimeoutMs
      : awaitingApproval
        ? Math.max(limits.approvalTimeoutMs, limits.deployTimeoutMs)
        : limits.deployTimeoutMs;
  const elapsed = now.getTime() - input.phaseStartedAt.getTime();
  if (elapsed >= limitMs) {
    const unreachable = o.kind === 'error';
    const what = phase === 'build' ? 'SourceBuild' : 'SourceDeploy';
    return {
      kind: 'done',
      status: 'timed_out',
      ncpStatus,
      stage: unreachable ? 'poll' : phase,
      limitMs,
      message: unreachable
        ? `${what} could not be reached before the ${formatLimit(limitMs)} limit (last error: ${o.message})`
        : awaitingApproval
          ? `SourceDeploy run waited for approval longer than ${formatLimit(limitMs)} (status pending)`
          : `${what} reported no final status within ${formatLimit(limitMs)} (last status: ${ncpStatus ?? 'none'})`,
      completedAt: now,
      durationMs: durationFrom(d, now),
    };
  }

  const reason: WaitReason =
    o.kind === 'error'
      ? 'ncp_error'
      : o.kind === 'nothing'
        ? 'no_ncp_id'
        : o.kind === 'build' && o.run === null
          ? 'not_listed'
          : o.state === 'unknown'
            ? 'unknown_status'
            : awaitingApproval
              ? 'awaiting_approval'
              : 'running';
  // Never wait past the limit: the tick that lands on it decides timed_out without an extra interval.
  const delayMs = Math.max(1, Math.min(limits.intervalMs, limitMs - elapsed));
  return { kind: 'poll', delayMs, phase, reason, ncpStatus };
}

/** What the references say a final status means, for statuses whose word alone is unclear. */
const statusMeaning: Readonly<Record<string, string>> = {
  reject: 'the approver rejected the deployment',
  canary_reject: 'the canary deployment was canceled',
  canary_waiting_timeout: 'the canary was not accepted in time',
};

function ended(
  d: DeploymentView,
  state: 'failed' | 'canceled',
  stage: Phase,
  run: RunReport,
  now: Date,
): TerminalDecision {
  const what = stage === 'build' ? 'SourceBuild' : 'SourceDeploy';
  const failedPhase = run.failedPhase ?? null;
  const status = run.status ?? state;
  const told = statusMeaning[status];
  const message =
    run.message?.trim() ||
    `${what} reported ${status}${told ? ` (${told})` : ''}${failedPhase ? ` in phase ${failedPhase}` : ''}`;
  const end = run.endedAt ?? now;
  return {
    kind: 'done',
    status: state,
    ncpStatus: status,
    stage,
    failedPhase,
    message,
    completedAt: now,
    durationMs: durationFrom(d, end),
  };
}
