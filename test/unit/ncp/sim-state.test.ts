import { describe, expect, it } from 'vitest';
import { SimState } from '../../../src/ncp/simulator/state.ts';

describe('simulator run state (clock injected)', () => {
  const project = { id: 'p', name: 'p', repoName: 'r', branch: 'main', image: 'img' };

  it('derives build statuses from elapsed time and pushes the image once it succeeds', () => {
    const s = new SimState(100);
    s.buildProjects.set('p', project);
    const ok = s.addBuild({
      buildId: 'b1',
      projectId: 'p',
      commitSha: 'abcdef0123',
      startedAt: 0,
      willFail: false,
    });
    const bad = s.addBuild({
      buildId: 'b2',
      projectId: 'p',
      commitSha: '1234567890',
      startedAt: 0,
      willFail: true,
    });
    expect([0, 99, 100, 199, 200].map((t) => s.buildView(ok, t).status)).toEqual([
      'prepare',
      'prepare',
      'upload',
      'upload',
      'success',
    ]);
    expect(s.buildView(bad, 100)).toEqual({ status: 'fail', failedPhase: 'build', endedAt: 100 });
    s.settle(150);
    expect(s.registry.get('img')).toBeUndefined();
    s.settle(200);
    expect([...(s.registry.get('img') ?? [])]).toEqual(['abcdef0']);
  });

  it('derives deploy statuses and records the image of the last successful deploy as running', () => {
    const s = new SimState(10);
    const base = { projectId: 'd', stageId: 's', scenarioId: 'c', willFail: false };
    s.addDeploy({ ...base, historyId: '1', image: 'img:aaaaaaa', startedAt: 0 });
    const failing = s.addDeploy({
      ...base,
      historyId: '2',
      image: 'img:bbbbbbb',
      startedAt: 5,
      willFail: true,
    });
    expect([0, 10, 20].map((t) => s.deployView(s.deploys.get('1') as never, t).status)).toEqual([
      'pending',
      'inprogress',
      'success',
    ]);
    s.settle(100);
    expect(s.deployView(failing, 100).status).toBe('fail');
    expect(s.running.get('d')).toBe('img:aaaaaaa');
  });

  it('keeps a thousand runs in flight with no timers and settles them on read', () => {
    const s = new SimState(1_000);
    s.buildProjects.set('p', project);
    for (let i = 0; i < 1_000; i++) {
      s.addBuild({
        buildId: `b${i}`,
        projectId: 'p',
        commitSha: `${String(i).padStart(7, '0')}`,
        startedAt: i,
        willFail: false,
      });
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
    const b = s.addBuild({ buildId: 'b', projectId: 'p', commitSha: 'x', startedAt: 0, willFail: false });
    b.canceledAt = 5;
    expect(s.buildView(b, 50).status).toBe('canceled');
    b.forcedStatus = 'upload';
    expect(s.buildView(b, 50)).toEqual({ status: 'upload', failedPhase: null, endedAt: null });
  });
});
