import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildStatusTable,
  deployStatusTable,
  mapBuildStatus,
  mapDeployStatus,
} from '../../../src/domain/ncp-status.ts';
import {
  type DeploymentView,
  decideStep,
  type Observation,
  type PollLimits,
  phaseOf,
  type RunState,
  type StepInput,
} from '../../../src/poller/step.ts';

const t0 = new Date('2025-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const limits: PollLimits = {
  intervalMs: 10_000,
  deployTimeoutMs: 300_000,
  buildTimeoutMs: 900_000,
  approvalTimeoutMs: 86_400_000,
};

const deploying: DeploymentView = {
  status: 'deploying',
  buildId: null,
  deployHistoryId: 'h1',
  requestedAt: t0,
  startedAt: t0,
  ncpStatus: null,
};
const building: DeploymentView = { ...deploying, status: 'building', buildId: 'b1', deployHistoryId: null };

const asState = (m: { phase: string; known: boolean }): RunState =>
  !m.known ? 'unknown' : m.phase === 'success' ? 'succeeded' : (m.phase as RunState);

const deployObs = (
  status: string,
  endedAt: Date | null = null,
  message: string | null = null,
): Observation => ({
  kind: 'deploy',
  state: asState(mapDeployStatus(status)),
  run: { status, message, endedAt },
});
const buildObs = (status: string | null, failedPhase: string | null = null): Observation => ({
  kind: 'build',
  state: asState(mapBuildStatus(status)),
  run: { status, message: null, failedPhase, endedAt: null },
});

const step = (over: Partial<StepInput> & Pick<StepInput, 'observation'>) =>
  decideStep({ deployment: deploying, now: at(20_000), phaseStartedAt: t0, limits, ...over });

describe('decideStep: the deploy phase, every SourceDeploy status', () => {
  const expected: Record<string, string> = {
    success: 'success',
    fail: 'failed',
    inprogress: 'poll',
    pending: 'poll',
    reject: 'failed',
    canceling: 'poll',
    canceled: 'canceled',
    waiting: 'poll',
    error: 'failed',
    canary_pending: 'poll',
    canary_analyzing: 'poll',
    canary_waiting_timeout: 'failed',
    canary_rejecting: 'poll',
    canary_reject: 'canceled',
  };
  it('covers the whole mapping table', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(deployStatusTable).sort());
  });
  for (const [status, outcome] of Object.entries(expected)) {
    it(`${status} -> ${outcome}`, () => {
      const d = step({ observation: deployObs(status) });
      expect(d.kind === 'done' ? d.status : d.kind).toBe(outcome);
      if (d.kind === 'done' || d.kind === 'poll') expect(d.ncpStatus).toBe(status);
    });
  }

  it('success records deployed/completed times and the duration from the start', () => {
    const d = step({ observation: deployObs('success', at(15_000)) });
    expect(d).toMatchObject({
      kind: 'done',
      status: 'success',
      deployedAt: at(15_000),
      completedAt: at(20_000),
      durationMs: 15_000,
    });
  });

  it('success without an end time from NCP uses the observation time', () => {
    const d = step({ observation: deployObs('success') });
    expect(d).toMatchObject({ deployedAt: at(20_000), durationMs: 20_000 });
  });

  it('failure keeps NCP status, stage and message', () => {
    const d = step({ observation: deployObs('fail', at(18_000), 'ImagePullBackOff') });
    expect(d).toMatchObject({ kind: 'done', status: 'failed', ncpStatus: 'fail', stage: 'deploy' });
    expect(d.kind === 'done' && 'message' in d ? d.message : '').toBe('ImagePullBackOff');
  });

  it('a failure with no message says what NCP reported', () => {
    const d = step({ observation: deployObs('reject') });
    expect(d.kind === 'done' && 'message' in d ? d.message : '').toBe(
      'SourceDeploy reported reject (the approver rejected the deployment)',
    );
  });

  it('regression: pending waits for an approver under its own limit, not the 5-minute deploy limit', () => {
    const sixMinutes = at(6 * 60_000);
    const waiting = step({ observation: deployObs('pending'), now: sixMinutes });
    expect(waiting).toMatchObject({ kind: 'poll', reason: 'awaiting_approval', ncpStatus: 'pending' });
    // The same six minutes in progress is past the deploy limit.
    expect(step({ observation: deployObs('inprogress'), now: sixMinutes })).toMatchObject({
      kind: 'done',
      status: 'timed_out',
    });
    const late = step({ observation: deployObs('pending'), now: at(86_400_000) });
    expect(late).toMatchObject({ kind: 'done', status: 'timed_out', limitMs: 86_400_000 });
    expect(late.kind === 'done' && 'message' in late ? late.message : '').toMatch(/waited for approval/);
    // NCP unreachable while it waited: the approval limit still applies to the last known state.
    const unreachable = step({
      deployment: { ...deploying, ncpStatus: 'pending' },
      observation: { kind: 'error', message: 'ECONNRESET' },
      now: sixMinutes,
    });
    expect(unreachable).toMatchObject({ kind: 'poll', reason: 'ncp_error' });
  });

  it('an unknown status keeps polling and is recorded raw', () => {
    const d = step({ observation: deployObs('canary_something_new') });
    expect(d).toMatchObject({ kind: 'poll', reason: 'unknown_status', ncpStatus: 'canary_something_new' });
  });

  it('polls again after the interval while running', () => {
    expect(step({ observation: deployObs('inprogress') })).toMatchObject({
      kind: 'poll',
      delayMs: 10_000,
      reason: 'running',
    });
  });

  it('never waits past the limit', () => {
    const d = step({ observation: deployObs('inprogress'), now: at(296_000) });
    expect(d).toMatchObject({ kind: 'poll', delayMs: 4_000 });
  });
});

describe('decideStep: NCP errors', () => {
  const error: Observation = { kind: 'error', message: 'HTTP 500' };
  it('an NCP error polls again and keeps the last known status', () => {
    const d = step({ observation: error, deployment: { ...deploying, ncpStatus: 'inprogress' } });
    expect(d).toMatchObject({ kind: 'poll', reason: 'ncp_error', ncpStatus: 'inprogress' });
  });
  it('never ends early, never succeeds, at any time before the limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: limits.deployTimeoutMs - 1 }), (ms) => {
        const d = step({ observation: error, now: at(ms) });
        return d.kind === 'poll';
      }),
    );
  });
  it('errors up to the limit end as timed_out at the poll stage, not failed', () => {
    const d = step({ observation: error, now: at(300_000) });
    expect(d).toMatchObject({ kind: 'done', status: 'timed_out', stage: 'poll', limitMs: 300_000 });
  });
});

describe('decideStep: limits', () => {
  it('a deploy still running at POLL_TIMEOUT_MS times out with its last status', () => {
    const d = step({ observation: deployObs('inprogress'), now: at(300_000) });
    expect(d).toMatchObject({
      kind: 'done',
      status: 'timed_out',
      stage: 'deploy',
      ncpStatus: 'inprogress',
      durationMs: 300_000,
    });
  });
  it('a final status at the limit wins over the clock', () => {
    expect(step({ observation: deployObs('success'), now: at(400_000) })).toMatchObject({
      status: 'success',
    });
  });
  it('the limit counts from the phase start, not from the request', () => {
    const d = step({ observation: deployObs('inprogress'), now: at(400_000), phaseStartedAt: at(200_000) });
    expect(d.kind).toBe('poll');
  });
  it('a build has its own, longer limit', () => {
    const obs = buildObs('prepare');
    expect(step({ deployment: building, observation: obs, now: at(600_000) }).kind).toBe('poll');
    expect(step({ deployment: building, observation: obs, now: at(900_000) })).toMatchObject({
      status: 'timed_out',
      stage: 'build',
      limitMs: 900_000,
    });
  });
  it('a record with no NCP id yet waits, then times out', () => {
    const fresh: DeploymentView = { ...deploying, deployHistoryId: null };
    expect(step({ deployment: fresh, observation: { kind: 'nothing' } })).toMatchObject({
      kind: 'poll',
      reason: 'no_ncp_id',
    });
    expect(step({ deployment: fresh, observation: { kind: 'nothing' }, now: at(300_000) }).kind).toBe('done');
  });
});

describe('decideStep: the build phase, every SourceBuild status', () => {
  it('covers the whole mapping table', () => {
    expect(Object.keys(buildStatusTable).sort()).toEqual([
      'canceled',
      'fail',
      'prepare',
      'success',
      'upload',
    ]);
  });
  it('prepare and upload poll again', () => {
    for (const s of ['prepare', 'upload']) {
      expect(step({ deployment: building, observation: buildObs(s) })).toMatchObject({
        kind: 'poll',
        phase: 'build',
      });
    }
  });
  it('success continues to the deploy, it does not finish the deployment', () => {
    expect(step({ deployment: building, observation: buildObs('success') })).toEqual({
      kind: 'build_succeeded',
      ncpStatus: 'success',
    });
  });
  it('fail ends failed at the build stage with the failed phase', () => {
    const d = step({ deployment: building, observation: buildObs('fail', 'BUILD') });
    expect(d).toMatchObject({ status: 'failed', stage: 'build', failedPhase: 'BUILD', ncpStatus: 'fail' });
    expect(d.kind === 'done' && 'message' in d ? d.message : '').toBe(
      'SourceBuild reported fail in phase BUILD',
    );
  });
  it('canceled ends canceled', () => {
    expect(step({ deployment: building, observation: buildObs('canceled') })).toMatchObject({
      status: 'canceled',
      stage: 'build',
    });
  });
  it('regression: a documented null build status is a run still being prepared', () => {
    const d = step({ deployment: building, observation: buildObs(null) });
    expect(d).toMatchObject({ kind: 'poll', reason: 'running', phase: 'build' });
  });
  it('a build NCP does not list yet keeps polling', () => {
    const d = step({ deployment: building, observation: { kind: 'build', state: 'running', run: null } });
    expect(d).toMatchObject({ kind: 'poll', reason: 'not_listed' });
  });
  it('a deploy observation never ends a record that is still building', () => {
    expect(step({ deployment: building, observation: deployObs('success') }).kind).toBe('poll');
  });
});

describe('phaseOf', () => {
  it('follows the build while building and the deploy run once it exists', () => {
    expect(phaseOf(building)).toBe('build');
    expect(phaseOf({ ...building, status: 'deploying', deployHistoryId: 'h2' })).toBe('deploy');
    expect(phaseOf({ status: 'queued', buildId: null, deployHistoryId: null })).toBe('deploy');
  });
});
