import { describe, expect, it } from 'vitest';
import {
  buildStatusTable,
  deployStatusTable,
  mapBuildStatus,
  mapDeployStatus,
  type RunPhase,
} from '../../../src/domain/ncp-status.ts';

// The expected outcome of every status NCP documents, written out independently of the table.
const expectedBuild: Record<string, RunPhase> = {
  prepare: 'running',
  upload: 'running',
  success: 'success',
  fail: 'failed',
  canceled: 'canceled',
};
const expectedDeploy: Record<string, RunPhase> = {
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
  // Documented as "cancel canary deployment": a person stopped it, NCP did not fail it.
  canary_reject: 'canceled',
};

describe('status mapping', () => {
  it('covers exactly the documented SourceBuild statuses', () => {
    expect(Object.keys(buildStatusTable).sort()).toEqual(Object.keys(expectedBuild).sort());
    for (const [raw, phase] of Object.entries(expectedBuild)) {
      expect(mapBuildStatus(raw), raw).toEqual({ phase, known: true });
    }
  });

  it('covers exactly the documented SourceDeploy statuses', () => {
    expect(Object.keys(deployStatusTable).sort()).toEqual(Object.keys(expectedDeploy).sort());
    for (const [raw, phase] of Object.entries(expectedDeploy)) {
      expect(mapDeployStatus(raw), raw).toEqual({ phase, known: true });
    }
  });

  it('reads a documented null build status as still preparing, not as unknown', () => {
    expect(mapBuildStatus(null)).toEqual({ phase: 'running', known: true });
  });

  it('ignores case and surrounding blanks', () => {
    expect(mapDeployStatus(' InProgress ')).toEqual({ phase: 'running', known: true });
    expect(mapBuildStatus('SUCCESS')).toEqual({ phase: 'success', known: true });
  });

  it('treats an unknown status as running and says it is unknown', () => {
    for (const raw of ['canary_promoting', 'succeeded', '', 'toString', '__proto__']) {
      expect(mapDeployStatus(raw), raw).toEqual({ phase: 'running', known: false });
      expect(mapBuildStatus(raw), raw).toEqual({ phase: 'running', known: false });
    }
  });

  it('never maps a deploy status that the build table calls terminal to running', () => {
    // success/fail/canceled mean the same in both products.
    for (const s of ['success', 'fail', 'canceled']) {
      expect(mapDeployStatus(s).phase).toBe(mapBuildStatus(s).phase);
    }
  });
});
