import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment, DeploymentStatus, Operation } from '../../../src/domain/deployment.ts';
import { isKlepaasError, type KlepaasError } from '../../../src/domain/errors.ts';
import { newDeployment, sha, type TempDb, tempDb } from './helpers.ts';

let t: TempDb;
beforeEach(() => {
  t = tempDb();
});
afterEach(() => t.cleanup());

function caught(fn: () => unknown): KlepaasError {
  try {
    fn();
  } catch (err) {
    if (isKlepaasError(err)) return err;
    throw err;
  }
  throw new Error('expected a KlepaasError');
}

/** A finished deployment one minute after the previous one. */
function record(
  commit: string,
  status: DeploymentStatus = 'success',
  operation: Operation = 'deploy',
): Deployment {
  t.clock.advance(60_000);
  return t.stores.deployments.create(
    newDeployment({ commitSha: sha(commit), status, operation, imageTag: commit.slice(0, 7) }),
  );
}

describe('one deployment in flight per repo', () => {
  it('refuses a second in-flight deployment of the same repo, whatever the case', () => {
    const store = t.stores.deployments;
    const first = store.create(newDeployment({ status: 'building' }));
    for (const [owner, repo] of [
      ['K-Le-PaaS', 'test01'],
      ['k-le-paas', 'TEST01'],
    ] as const) {
      const err = caught(() => store.create(newDeployment({ owner, repo, status: 'queued' })));
      expect(err.code).toBe('DEPLOYMENT_IN_FLIGHT');
      expect(err.status).toBe(409);
      expect(err.messages.en).toContain(`${owner}/${repo}`);
      expect(err.messages.ko).toContain(`${owner}/${repo}`);
      expect(err.hint?.en).toMatch(/wait|status/i);
      expect(err.details.deploymentId).toBe(first.id);
    }
    expect(store.history('K-Le-PaaS', 'test01', 10)).toHaveLength(1);
  });

  it('allows another repo, and the same repo again once the first has ended', () => {
    const store = t.stores.deployments;
    const first = store.create(newDeployment({ status: 'deploying' }));
    expect(store.create(newDeployment({ repo: 'test02', status: 'queued' })).repo).toBe('test02');
    store.update(first.id, { status: 'failed', errorMessage: 'boom', errorStage: 'deploy' });
    const second = store.create(newDeployment({ status: 'queued' }));
    expect(second.id).not.toBe(first.id);
    expect(store.inFlight('k-le-paas', 'TEST01')?.id).toBe(second.id);
    expect(
      store
        .allInFlight()
        .map((d) => d.repo)
        .sort(),
    ).toEqual(['test01', 'test02']);
  });

  it('refuses moving a finished record back in flight while another runs', () => {
    const store = t.stores.deployments;
    const old = record('aaaa111');
    store.create(newDeployment({ status: 'queued' }));
    expect(caught(() => store.update(old.id, { status: 'building' })).code).toBe('DEPLOYMENT_IN_FLIGHT');
  });

  it('lets the database reject statuses outside the list', () => {
    const bad = newDeployment({ status: 'exploded' as DeploymentStatus });
    expect(() => t.stores.deployments.create(bad)).toThrow(/CHECK constraint/);
  });
});

describe('request keys', () => {
  it('returns the existing record for a repeated key instead of a second row or a conflict', () => {
    const store = t.stores.deployments;
    const first = store.create(newDeployment({ requestKey: 'slack:C1:123.456', status: 'queued' }));
    const again = store.create(newDeployment({ requestKey: 'slack:C1:123.456', status: 'queued' }));
    expect(again).toEqual(first);
    expect(store.findByRequestKey('slack:C1:123.456')?.id).toBe(first.id);
    expect(store.history('K-Le-PaaS', 'test01', 10)).toHaveLength(1);
  });

  it('still refuses a different key while one is in flight', () => {
    const store = t.stores.deployments;
    store.create(newDeployment({ requestKey: 'a', status: 'queued' }));
    expect(caught(() => store.create(newDeployment({ requestKey: 'b', status: 'queued' }))).code).toBe(
      'DEPLOYMENT_IN_FLIGHT',
    );
  });

  it('keeps deploy history ids unique', () => {
    const store = t.stores.deployments;
    const a = record('aaaa111');
    const b = record('bbbb222');
    store.update(a.id, { deployHistoryId: 'h-1' });
    expect(() => store.update(b.id, { deployHistoryId: 'h-1' })).toThrow(/UNIQUE/);
  });
});

describe('rollback candidates and what runs', () => {
  it('lists successful deploys newest first, one per commit, without rollbacks or failures', () => {
    const store = t.stores.deployments;
    const a1 = record('aaaa111');
    record('bbbb222');
    record('cccc333', 'failed');
    const a2 = record('aaaa111'); // redeployed later: the newer record stands for the commit
    record('dddd444', 'success', 'rollback');
    const e = record('eeee555');
    record('ffff666', 'timed_out');

    const list = store.successfulDeploys('k-le-paas', 'Test01', 10);
    expect(list.map((d) => d.commitSha?.slice(0, 7))).toEqual(['eeee555', 'aaaa111', 'bbbb222']);
    expect(list[0]?.id).toBe(e.id);
    expect(list[1]?.id).toBe(a2.id);
    expect(list.some((d) => d.id === a1.id)).toBe(false);
    expect(store.successfulDeploys('K-Le-PaaS', 'test01', 2)).toHaveLength(2);
    expect(store.countSuccessful('K-Le-PaaS', 'test01')).toBe(4);
  });

  it('current is the newest success of any kind, rollbacks included', () => {
    const store = t.stores.deployments;
    expect(store.current('K-Le-PaaS', 'test01')).toBeNull();
    record('aaaa111');
    const b = record('bbbb222');
    expect(store.current('K-Le-PaaS', 'test01')?.id).toBe(b.id);
    const back = record('aaaa111', 'success', 'rollback');
    record('cccc333', 'failed');
    expect(store.current('k-le-paas', 'test01')?.id).toBe(back.id);
    expect(store.latest('K-Le-PaaS', 'test01')?.commitSha).toBe(sha('cccc333'));
  });

  it('finds distinct successful deploys by commit prefix', () => {
    const store = t.stores.deployments;
    record('c39eb54');
    const newer = record('c39eb54');
    record('c39e000');
    record('c39eb99', 'failed');
    record('c39eb77', 'success', 'rollback');
    const hits = store.findByCommitPrefix('K-Le-PaaS', 'test01', 'c39eb');
    expect(hits.map((d) => d.id)).toEqual([newer.id]);
    expect(store.findByCommitPrefix('K-Le-PaaS', 'test01', 'c39e').map((d) => d.commitSha)).toEqual([
      sha('c39e000'),
      sha('c39eb54'),
    ]);
    expect(store.findByCommitPrefix('K-Le-PaaS', 'test01', sha('c39eb54'))).toHaveLength(1);
    expect(store.findByCommitPrefix('K-Le-PaaS', 'test01', 'd')).toEqual([]);
    // Prefix boundaries: 'f' must find SHAs starting with f, nothing starting with 'g' exists in hex.
    record('ffff111');
    expect(store.findByCommitPrefix('K-Le-PaaS', 'test01', 'f')).toHaveLength(1);
  });

  it('history is every record newest first, limited', () => {
    const store = t.stores.deployments;
    const ids = ['aaaa111', 'bbbb222', 'cccc333'].map((c, i) => record(c, i === 1 ? 'failed' : 'success').id);
    expect(store.history('K-Le-PaaS', 'test01', 10).map((d) => d.id)).toEqual([...ids].reverse());
    expect(store.history('K-Le-PaaS', 'test01', 2)).toHaveLength(2);
    expect(store.history('K-Le-PaaS', 'other', 10)).toEqual([]);
  });
});

describe('times', () => {
  it('round-trip as UTC instants, stored as epoch milliseconds', () => {
    const store = t.stores.deployments;
    t.clock.set('2026-03-01T23:30:00.123Z'); // 08:30 the next day in Seoul
    const d = store.create(newDeployment({ status: 'building' }));
    expect(d.requestedAt.toISOString()).toBe('2026-03-01T23:30:00.123Z');
    const done = store.update(d.id, {
      status: 'success',
      startedAt: new Date('2026-03-01T23:30:05.000Z'),
      completedAt: new Date('2026-03-01T23:31:00.500Z'),
      durationMs: 55_500,
    });
    const back = store.get(d.id);
    expect(back).toEqual(done);
    expect(back?.completedAt?.getTime()).toBe(Date.parse('2026-03-01T23:31:00.500Z'));
    const raw = t.sqlite.prepare('SELECT requested_at, completed_at FROM deployments WHERE id = ?').get(d.id);
    expect(raw).toEqual({
      requested_at: Date.parse('2026-03-01T23:30:00.123Z'),
      completed_at: Date.parse('2026-03-01T23:31:00.500Z'),
    });
  });

  it('update with nothing to change returns the record; an unknown id is an error', () => {
    const d = t.stores.deployments.create(newDeployment({ status: 'queued' }));
    expect(t.stores.deployments.update(d.id, {})).toEqual(d);
    expect(caught(() => t.stores.deployments.update(9999, { status: 'failed' })).code).toBe('INTERNAL');
  });

  it('updates of one shape with values, then with NULLs, then of another shape all land (statements are reused per shape)', () => {
    const store = t.stores.deployments;
    const a = store.create(newDeployment({ status: 'deploying' }));
    const b = store.create(newDeployment({ repo: 'test02', status: 'deploying' }));
    const at = new Date('2026-03-01T23:31:00.500Z');
    expect(store.update(a.id, { ncpStatus: 'inprogress', startedAt: at }).startedAt).toEqual(at);
    const b1 = store.update(b.id, { ncpStatus: 'pending', startedAt: new Date(at.getTime() + 1) });
    expect(b1.ncpStatus).toBe('pending');
    expect(b1.startedAt?.getTime()).toBe(at.getTime() + 1);
    const a2 = store.update(a.id, { ncpStatus: null, startedAt: null });
    expect([a2.ncpStatus, a2.startedAt]).toEqual([null, null]);
    const a3 = store.update(a.id, { status: 'success', completedAt: at, durationMs: 5 });
    expect([a3.status, a3.completedAt, a3.durationMs, a3.ncpStatus]).toEqual(['success', at, 5, null]);
    expect(store.get(b.id)?.ncpStatus).toBe('pending');
  });
});
