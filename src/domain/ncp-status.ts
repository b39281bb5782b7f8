/**
 * What the poller does with a raw NCP status. `known: false` means NCP answered something this table
 * does not list: the caller logs it and keeps polling (treated as still running) rather than guessing
 * an outcome.
 */
export type RunPhase = 'running' | 'success' | 'failed' | 'canceled';

export interface StatusMapping {
  readonly phase: RunPhase;
  readonly known: boolean;
}

/** SourceBuild statuses (build history `status`). */
export const buildStatusTable: Readonly<Record<string, RunPhase>> = Object.freeze({
  prepare: 'running',
  upload: 'running',
  success: 'success',
  fail: 'failed',
  canceled: 'canceled',
});

/**
 * SourceDeploy statuses (history `status`). `pending` waits for an approver and `waiting` for a slot,
 * so they are still running (`pending` has its own, long limit in the poller); `reject` is an approver
 * refusing, a failure of the run; `canceling` is on its way to canceled and is still running until NCP
 * says so; `canary_reject` is documented as "cancel canary deployment", so it ends canceled.
 */
export const deployStatusTable: Readonly<Record<string, RunPhase>> = Object.freeze({
  success: 'success',
  fail: 'failed',
  inprogress: 'running',
  pending: 'running',
  reject: 'failed',
  canceling: 'running',
  canceled: 'canceled',
  waiting: 'running',
  error: 'failed',
  canary_pending: 'running',
  canary_analyzing: 'running',
  canary_waiting_timeout: 'failed',
  canary_rejecting: 'running',
  canary_reject: 'canceled',
});

function lookup(table: Readonly<Record<string, RunPhase>>, raw: string | null): StatusMapping {
  // A build history item documents `status: null` for a run with no job yet: it is being prepared.
  if (raw === null) return { phase: 'running', known: true };
  const key = raw.trim().toLowerCase();
  const phase = Object.hasOwn(table, key) ? table[key] : undefined;
  if (phase) return { phase, known: true };
  // Anything else, a canary state NCP adds later included, is polled again and reported by the caller.
  return { phase: 'running', known: false };
}

export const mapBuildStatus = (raw: string | null): StatusMapping => lookup(buildStatusTable, raw);
export const mapDeployStatus = (raw: string): StatusMapping => lookup(deployStatusTable, raw);
