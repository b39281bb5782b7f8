import { describe, expect, it } from 'vitest';
import { SimState } from '../../../src/ncp/simulator/state.ts';

describe('simulator run state (clock injected)', () => {
  const project = { id: 'p', name: 'p', repoName: 'r', branch: 'main', image: 'img' };
  const build = (over: {
    buildId: string;
    commitSha: string | null;
    startedAt?: number;
    willFail?: boolean;
    tag?: string;
  }) => ({
    projectId: 'p',
    image: 'img',
    tag: 'abcdef0',
    startedAt: 0,
    willFail: false,
    ...over,
  });

  it('shows null first (no job yet), then prepare -> upload -> success, and pushes only the configured tag', () => {
    const s = new SimState(90);
    s.addBuildProject(project);
    const ok = s.addBuild(build({ buildId: 'b1', commitSha: 'abcdef0123' }));
    const bad = s.addBuild(build({ buildId: 'b2', commitSha: '1234567890', willFail: true, tag: 'zzz' }));
    expect([0, 29, 30, 89, 90, 179, 180].map((t) => s.buildView(ok, t).status)).toEqual([
      null,
      null,
      'prepare',
      'prepare',
      'upload',
      'upload',
      'success',
    ]);
    expect(s.buildView(bad, 90)).toEqual({ status: 'fail', failedPhase: 'build', endedAt: 90 });
    s.settle(150);
    expect(s.registry.get('img')).toBeUndefined();
    s.settle(180);
    expect([...(s.registry.get('img') ?? [])]).toEqual(['abcdef0']);
    expect(s.builtFrom.get('img:abcdef0')).toBe('abcdef0123');
  });

  it('fails a build of a branch that does not exist (no head to build)', () => {
    const s = new SimState(10);
    const b = s.addBuild(build({ buildId: 'b', commitSha: null }));
    expect(s.buildView(b, 10)).toEqual({ status: 'fail', failedPhase: 'source', endedAt: 10 });
  });

  it('runs deploys inprogress -> success, fails one whose image was missing, and records what runs', () => {
    const s = new SimState(10);
    const base = { projectId: 'd', stageId: 's', scenarioId: 'c', willFail: false, needsApproval: false };
    s.addDeploy({ ...base, historyId: '1', image: 'img:aaaaaaa', imageExisted: true, startedAt: 0 });
    const missing = s.addDeploy({
      ...base,
      historyId: '2',
      image: 'img:bbbbbbb',
      imageExisted: false,
      startedAt: 5,
    });
    expect([0, 10, 20].map((t) => s.deployView(s.deploys.get('1') as never, t).status)).toEqual([
      'inprogress',
      'inprogress',
      'success',
    ]);
    s.settle(100);
    expect(s.deployView(missing, 100).status).toBe('fail');
    expect(s.running.get('d')).toBe('img:aaaaaaa');
  });

  it('waits in pending for an approver, then deploys; a rejection ends in reject', () => {
    const s = new SimState(10);
    const base = { projectId: 'd', stageId: 's', scenarioId: 'c', willFail: false, needsApproval: true };
    const a = s.addDeploy({ ...base, historyId: '1', image: 'img:a', imageExisted: true, startedAt: 0 });
    const r = s.addDeploy({ ...base, historyId: '2', image: 'img:a', imageExisted: true, startedAt: 0 });
    expect(s.deployView(a, 1_000_000).status).toBe('pending');
    a.approvedAt = 1_000_000;
    expect(s.deployView(a, 1_000_010).status).toBe('inprogress');
    expect(s.deployView(a, 1_000_020).status).toBe('success');
    r.rejectedAt = 50;
    expect(s.deployView(r, 60)).toEqual({ status: 'reject', failedPhase: null, endedAt: 50 });
  });

  it('keeps a thousand runs in flight with no timers and settles them on read', () => {
    const s = new SimState(1_000);
    s.addBuildProject(project);
    for (let i = 0; i < 1_000; i++) {
      s.addBuild(
        build({ buildId: `b${i}`, commitSha: String(i).padStart(7, '0'), startedAt: i, tag: `t${i}` }),
      );
    }
    expect(s.inFlight).toBe(1_000);
    s.settle(2_500);
    // Builds end 2,000 ms after their start: those started at 0..500 are done at 2,500.
    expect(s.inFlight).toBe(499);
    s.settle(3_000);
    expect(s.inFlight).toBe(0);
    expect(s.registry.get('img')?.size).toBe(1_000);
  });

  it('cancels a run that has not finished, and forced statuses win', () => {
    const s = new SimState(10);
    const b = s.addBuild(build({ buildId: 'b', commitSha: 'x' }));
    b.canceledAt = 5;
    expect(s.buildView(b, 50).status).toBe('canceled');
    b.forcedStatus = 'upload';
    expect(s.buildView(b, 50)).toEqual({ status: 'upload', failedPhase: null, endedAt: null });
  });
});
