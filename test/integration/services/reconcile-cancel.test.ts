import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger.ts';
import { NcpClient } from '../../../src/ncp/client.ts';
import { createServices, type Services } from '../../../src/runtime/services.ts';
import type { ServiceDeps } from '../../../src/services/deps.ts';
import { systemClock } from '../../../src/services/ports.ts';
import { reconcileRecord } from '../../../src/services/reconcile.ts';
import { type Harness, openHarness, refusal, requester } from './harness.ts';

const O = 'K-Le-PaaS';
const R = 'test01';

let h: Harness;
let client: NcpClient;
beforeEach(async () => {
  // Runs long enough to be canceled mid-way.
  h = await openHarness({ phaseMs: 2_000 });
});
afterEach(async () => {
  await client?.close();
  await h.close();
});

/** Services over the harness with a short NCP limit and, optionally, a halt that throws at one point. */
function servicesWith(opts: { timeoutMs?: number; haltAt?: string } = {}): {
  deps: ServiceDeps;
  services: Services;
} {
  client = new NcpClient({ ...h.sim.clientOptions(opts.timeoutMs ?? 5_000), retry: { retries: 0 } });
  const deps: ServiceDeps = {
    integrations: h.stores.integrations,
    deployments: h.stores.deployments,
    audit: h.stores.audit,
    ncp: client,
    clock: systemClock,
    tracker: { track: async (id) => void h.tracked.push(id) },
    logger: silentLogger(),
    manifestPath: 'k8s/deployment.yaml',
    // In one process a throw stands in for the crash: nothing after the point runs.
    ...(opts.haltAt
      ? {
          halt: async (at: string) => {
            if (at === opts.haltAt) throw new Error(`halted at ${at}`);
          },
        }
      : {}),
  };
  return { deps, services: createServices(deps) };
}

const manifestImage = async () =>
  /image:\s*(\S+)/.exec(
    (await h.sim.readRepoFile(h.demo.scRepoName, 'main', h.demo.manifestPath)) ?? '',
  )?.[1];

describe('reconciliation of a start in doubt', { timeout: 30_000 }, () => {
  it('a Deploy NCP carried out but did not answer in time is adopted from GetHistories, never failed', async () => {
    const { deps, services } = servicesWith({ timeoutMs: 300 });
    h.sim.holdNextAnswer('POST', '/deploy', 1_000);
    const plan = await services.planRollback(O, R, { stepsBack: 1 });
    const err = await refusal(services.executeRollback(plan, requester, null));
    expect(err.code).toBe('NCP_TIMEOUT');
    const d = h.stores.deployments.latest(O, R);
    expect(d).toMatchObject({ status: 'deploying', stage: 'deploy_start_unknown', deployHistoryId: null });
    if (!d) throw new Error('no record');

    const r = await reconcileRecord(deps, d.id, { graceMs: 60_000, unknownGraceMs: 0 });
    const run = h.sim.deployRuns().at(-1);
    expect(r.kind).toBe('adopted');
    expect(h.stores.deployments.get(d.id)).toMatchObject({
      status: 'deploying',
      stage: 'deploy_wait',
      deployHistoryId: run?.historyId,
    });
    expect(h.sim.calls.some((c) => c.method === 'GET' && /\/history$/.test(c.path))).toBe(true);
  });

  it('a StartBuild NCP carried out without an answer is adopted from the build history', async () => {
    const { deps, services } = servicesWith({ timeoutMs: 300 });
    h.sim.holdNextAnswer('POST', '/build', 1_000);
    const plan = await services.planDeploy(O, R, { ref: 'main' });
    expect((await refusal(services.executeDeploy(plan, requester, null))).code).toBe('NCP_TIMEOUT');
    const d = h.stores.deployments.latest(O, R);
    if (!d) throw new Error('no record');
    expect(d).toMatchObject({ status: 'building', stage: 'build_start_unknown', buildId: null });
    const r = await reconcileRecord(deps, d.id, { graceMs: 60_000, unknownGraceMs: 0 });
    expect(r.kind).toBe('adopted');
    expect(h.stores.deployments.get(d.id)?.buildId).toBe(h.sim.buildRuns().at(-1)?.buildId);
  });

  it('stopped after Deploy returned but before its id was stored: adopted', async () => {
    const { deps, services } = servicesWith({ haltAt: 'deploy_start:after' });
    const plan = await services.planRollback(O, R, { stepsBack: 1 });
    await expect(services.executeRollback(plan, requester, null)).rejects.toThrow('halted');
    const d = h.stores.deployments.latest(O, R);
    if (!d) throw new Error('no record');
    expect(d).toMatchObject({ status: 'deploying', stage: 'deploy_start', deployHistoryId: null });
    // Within the grace the process may still be working: nothing is decided.
    expect((await reconcileRecord(deps, d.id, { graceMs: 60_000 })).kind).toBe('waiting');
    const r = await reconcileRecord(deps, d.id, { graceMs: 0 });
    expect(r.kind).toBe('adopted');
    expect(h.stores.deployments.get(d.id)?.deployHistoryId).toBe(h.sim.deployRuns().at(-1)?.historyId);
  });

  it('stopped before Deploy was called: NCP lists no run, the record fails with the reason and the manifest goes back', async () => {
    const before = await manifestImage();
    const { deps, services } = servicesWith({ haltAt: 'deploy_start:before' });
    const plan = await services.planRollback(O, R, { stepsBack: 1 });
    await expect(services.executeRollback(plan, requester, null)).rejects.toThrow('halted');
    expect(await manifestImage()).not.toBe(before);
    const d = h.stores.deployments.latest(O, R);
    if (!d) throw new Error('no record');
    const runs = h.sim.deployRuns().length;

    const r = await reconcileRecord(deps, d.id, { graceMs: 0 });
    expect(r.kind).toBe('ended');
    const ended = h.stores.deployments.get(d.id);
    expect(ended).toMatchObject({ status: 'failed', errorStage: 'deploy' });
    expect(ended?.errorMessage).toContain("NCP's history has no deploy run");
    expect(ended?.errorMessage).toContain('The manifest was put back');
    expect(await manifestImage()).toBe(before);
    expect(h.sim.deployRuns().length).toBe(runs);
    // Ended once: a second pass changes nothing.
    expect((await reconcileRecord(deps, d.id, { graceMs: 0 })).kind).toBe('followed');
  });

  it('a run another record stored is never adopted, even inside the time window', async () => {
    // A rollback that started moments ago holds its run; the next start stops before its own Deploy.
    const first = servicesWith();
    const plan = await first.services.planRollback(O, R, { stepsBack: 1 });
    const a = await first.services.executeRollback(plan, requester, null);
    h.stores.deployments.update(a.id, { status: 'success', completedAt: new Date() });
    await client.close();
    const { deps, services } = servicesWith({ haltAt: 'deploy_start:before' });
    let next = await services.planRollback(O, R, { stepsBack: 1 });
    if (next.rebuild) {
      // Straight to Deploy, inside the window of the first run.
      h.sim.pushImage(h.demo.imageName, next.target.imageTag);
      next = await services.planRollback(O, R, { stepsBack: 1 });
    }
    await expect(services.executeRollback(next, requester, null)).rejects.toThrow('halted');
    const b = h.stores.deployments.latest(O, R);
    if (!b) throw new Error('no record');
    expect(b.id).not.toBe(a.id);
    const r = await reconcileRecord(deps, b.id, { graceMs: 0, skewMs: 60_000 });
    expect(r.kind).toBe('ended');
    expect(h.stores.deployments.get(b.id)).toMatchObject({ status: 'failed', deployHistoryId: null });
  });

  it('stopped before StartBuild: failed without asking NCP, which cannot have a build of it', async () => {
    const { deps, services } = servicesWith({ haltAt: 'build_start:before' });
    const plan = await services.planDeploy(O, R, { ref: 'main' });
    await expect(services.executeDeploy(plan, requester, null)).rejects.toThrow('halted');
    const d = h.stores.deployments.latest(O, R);
    if (!d) throw new Error('no record');
    expect(d.stage).toBe('build_start');
    const r = await reconcileRecord(deps, d.id, { graceMs: 0 });
    expect(r.kind).toBe('ended');
    expect(h.stores.deployments.get(d.id)?.errorMessage).toContain('never started');
    expect(h.sim.buildRuns()).toEqual([]);
  });
});

describe('cancel', { timeout: 30_000 }, () => {
  it('cancels a running rollback on NCP, puts the manifest back and ends the record canceled by the requester', async () => {
    const before = await manifestImage();
    const { services } = servicesWith();
    const plan = await services.planRollback(O, R, { stepsBack: 1 });
    const d = await services.executeRollback(plan, requester, null);
    expect(d.status).toBe('deploying');

    const out = await services.cancel(O, R, { requester, reason: null });
    expect(out).toMatchObject({ accepted: true, how: 'canceled' });
    const ended = h.stores.deployments.get(d.id);
    expect(ended).toMatchObject({ status: 'canceled', endedBy: 'tester' });
    expect(
      h.sim.calls.some((c) => c.method === 'POST' && c.path.endsWith(`/history/${d.deployHistoryId}/cancel`)),
    ).toBe(true);
    expect(h.sim.deployRuns().at(-1)?.canceledAt).not.toBeNull();
    expect(await manifestImage()).toBe(before);
    expect(h.stores.deployments.inFlight(O, R)).toBeNull();
    expect(h.tracked).toContain(d.id);
  });

  it('cancels a rebuild with CancelBuild; the manifest was never touched', async () => {
    const before = await manifestImage();
    const { services } = servicesWith();
    const plan = await services.planDeploy(O, R, { ref: 'main' });
    const d = await services.executeDeploy(plan, requester, null);
    expect(d.status).toBe('building');
    const out = await services.cancel(O, R, { requester });
    expect(out).toMatchObject({ accepted: true, how: 'canceled' });
    expect(h.sim.calls.some((c) => c.method === 'DELETE' && c.path.endsWith('/build'))).toBe(true);
    expect(h.stores.deployments.get(d.id)?.status).toBe('canceled');
    expect(await manifestImage()).toBe(before);
  });

  it('releases a record NCP has no run of, with the reason in the audit log', async () => {
    const { services } = servicesWith({ haltAt: 'deploy_start:before' });
    const plan = await services.planRollback(O, R, { stepsBack: 1 });
    await expect(services.executeRollback(plan, requester, null)).rejects.toThrow('halted');
    const out = await services.cancel(O, R, { requester, reason: 'bot crashed mid-start' });
    expect(out).toMatchObject({ accepted: true, how: 'released' });
    expect(out.deployment).toMatchObject({ status: 'canceled', endedBy: 'tester' });
    expect(out.deployment.errorMessage).toContain('bot crashed mid-start');
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(h.dbPath, { readonly: true });
    const audit = db
      .prepare('SELECT outcome, actor FROM audit_log WHERE deployment_id = ?')
      .all(out.deployment.id);
    db.close();
    expect(audit).toEqual([{ outcome: expect.stringContaining('bot crashed mid-start'), actor: 'tester' }]);
  });

  it('with nothing in flight: NOTHING_TO_CANCEL in both languages', async () => {
    const { services } = servicesWith();
    const err = await refusal(services.cancel(O, R, { requester }));
    expect(err.code).toBe('NOTHING_TO_CANCEL');
    expect(err.text('ko')).toContain('취소할');
  });
});
