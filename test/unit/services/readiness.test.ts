import { describe, expect, it } from 'vitest';
import { buildCandidateList } from '../../../src/services/rules/candidates.ts';
import { assessReadiness, type ReadinessInput } from '../../../src/services/rules/readiness.ts';
import { dep, integration, sha } from './make-deployment.ts';

const A = sha('a1');
const B = sha('b2');

function input(over: Partial<ReadinessInput> = {}): ReadinessInput {
  const rows = [dep({ id: 2, commitSha: B }), dep({ id: 1, commitSha: A })];
  return {
    owner: 'K-Le-PaaS',
    repo: 'test01',
    integration: integration(),
    successfulCount: 2,
    list: buildCandidateList('K-Le-PaaS', 'test01', rows, rows[0] ?? null),
    image: { ref: `reg.example/k-le-paas-test01:${A.slice(0, 7)}`, exists: true, httpStatus: 200 },
    inFlight: null,
    mode: 'ncp',
    ...over,
  };
}

describe('assessReadiness', () => {
  it('is ready with the seed JSON keys when everything is in place', () => {
    const r = assessReadiness(input());
    expect(r).toMatchObject({
      ready: true,
      owner: 'K-Le-PaaS',
      repo: 'test01',
      issues: [],
      warnings: [],
      deployment_count: 2,
      latest_deployment: { commit_sha: B, deployed_at: '2025-10-19T00:02:00.000Z' },
      mode: 'ncp',
      in_flight: null,
    });
    expect(r.checks.map((c) => c.id)).toEqual([
      'integration',
      'build_project_id',
      'deploy_project_id',
      'deploy_stage',
      'registry',
      'deployment_history',
      'rollback_target',
      'image',
      'in_flight',
      'ncp_mode',
    ]);
  });

  it('gives the seed not-ready answer when there is no integration and no history', () => {
    const r = assessReadiness(
      input({
        integration: null,
        successfulCount: 0,
        list: buildCandidateList('K-Le-PaaS', 'test01', [], null),
        image: null,
      }),
    );
    expect(r.ready).toBe(false);
    expect(r.issues).toEqual([
      'No project integration found. Set up the project first.',
      'No deployment history found. Deploy the application first.',
    ]);
    expect(r.deployment_count).toBeNull();
    expect(r.latest_deployment).toBeNull();
  });

  it('warns with the seed sentence when the rollback image is missing, and stays ready', () => {
    const r = assessReadiness(
      input({ image: { ref: 'reg.example/x:aaaaaaa', exists: false, httpStatus: 404 } }),
    );
    expect(r.ready).toBe(true);
    expect(r.warnings).toEqual([
      'Latest deployment image not found in NCR (HTTP 404). Rollback will trigger rebuild.',
    ]);
  });

  it('lists each missing setting in order and is not ready', () => {
    const r = assessReadiness(
      input({
        integration: integration({ buildProjectId: null, deployProjectId: null, deployScenarioId: null }),
      }),
    );
    expect(r.ready).toBe(false);
    expect(r.issues).toEqual([
      'Build project ID not configured. Complete project setup.',
      'Deploy project ID not configured. Complete project setup.',
      'Deploy stage or scenario ID not configured. Complete project setup.',
    ]);
  });

  it('is not ready when only the running commit was ever deployed', () => {
    const only = [dep({ id: 1, commitSha: A })];
    const r = assessReadiness(
      input({ list: buildCandidateList('K-Le-PaaS', 'test01', only, only[0] ?? null), image: null }),
    );
    expect(r.ready).toBe(false);
    expect(r.issues[0]).toContain('No earlier deployment to roll back to');
  });

  it('is not ready while a deployment is in flight (a rollback now is refused), and warns of simulator mode', () => {
    const flying = dep({ id: 7, commitSha: A, status: 'building', operation: 'rollback' });
    const r = assessReadiness(input({ inFlight: flying, mode: 'simulator' }));
    expect(r.ready).toBe(false);
    expect(r.in_flight?.id).toBe(7);
    expect(r.issues.join(' ')).toContain('#7');
    expect(r.mode).toBe('simulator');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('simulator');
  });

  it('a failed last deployment is shown with what runs now and what to do', () => {
    const failed = dep({
      id: 9,
      commitSha: A,
      status: 'failed',
      errorStage: 'deploy',
      errorMessage: 'scenario failed',
    });
    const r = assessReadiness(input({ lastFailure: failed }));
    const c = r.checks.find((x) => x.id === 'last_failure');
    expect(c?.message.en).toMatch(
      /The last deploy \(#9\) failed at deploy: scenario failed\. Running now: [0-9a-f]{7}\./,
    );
    expect(c?.hint?.ko).toContain('/rollback candidates K-Le-PaaS/test01');
  });

  it('is not ready while locked or when the registry cannot be reached', () => {
    const lock = {
      id: 1,
      owner: 'K-Le-PaaS',
      repo: 'test01',
      lockedBy: 'UBOB',
      via: 'slack' as const,
      reason: 'release freeze',
      lockedAt: new Date(0),
      expiresAt: new Date(3_600_000),
      releasedAt: null,
      releasedBy: null,
    };
    const locked = assessReadiness(input({ lock }));
    expect(locked.ready).toBe(false);
    expect(locked.issues.join(' ')).toMatch(/UBOB.*release freeze/);
    const down = assessReadiness(input({ image: { ref: 'reg/x:abc1234', error: 'connect ECONNREFUSED' } }));
    expect(down.ready).toBe(false);
    expect(down.issues.join(' ')).toMatch(/registry could not be reached/);
  });
});
