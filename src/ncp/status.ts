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
 * SourceDeploy statuses (history `status`). `pending` and `waiting` wait for an approval or a slot, so
 * they are still running; `reject` is an approver refusing, a failure of the run; `canceling` is on
 * its way to canceled and is still running until NCP says so.
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
  canary_reject: 'failed',
});

function lookup(table: Readonly<Record<string, RunPhase>>, raw: string): StatusMapping {
  const key = raw.trim().toLowerCase();
  const phase = Object.hasOwn(table, key) ? table[key] : undefined;
  if (phase) return { phase, known: true };
  // Anything else, a canary state NCP adds later included, is polled again and reported by the caller.
  return { phase: 'running', known: false };
}

export const mapBuildStatus = (raw: string): StatusMapping => lookup(buildStatusTable, raw);
export const mapDeployStatus = (raw: string): StatusMapping => lookup(deployStatusTable, raw);
