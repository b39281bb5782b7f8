import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment } from '../../../src/domain/deployment.ts';
import type { SimCall } from '../../../src/ncp/simulator/index.ts';
import type { NcpPort } from '../../../src/services/ports.ts';
import { type Harness, openHarness, refusal, requester, waitFor } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await openHarness({ phaseMs: 60 });
});
afterEach(async () => {
  await h.close();
});

const O = 'K-Le-PaaS';
const R = 'test01';

/** The calls the NCP references document, with the body each may carry. */
const allowed: readonly { method: string; path: RegExp; body?: (b: unknown) => boolean }[] = [
  { method: 'GET', path: /^\/sourcebuild\/api\/v1\/project\/\d+$/ },
  {
    method: 'PATCH',
    path: /^\/sourcebuild\/api\/v1\/project\/\d+$/,
    body: (b) =>
      typeof b === 'object' && b !== null && Object.keys(b).every((k) => ['source', 'cmd'].includes(k)),
  },
  // StartBuild: no body at all (SDK, "요청 Body 없음").
  { method: 'POST', path: /^\/sourcebuild\/api\/v1\/project\/\d+\/build$/, body: (b) => b === undefined },
  { method: 'GET', path: /^\/sourcebuild\/api\/v1\/project\/\d+\/history$/ },
  {
    method: 'POST',
    path: /^\/sourcedeploy\/api\/v1\/project\/\d+\/stage\/\d+\/scenario\/\d+\/deploy$/,
    body: (b) => b === undefined || (typeof b === 'object' && b !== null && Object.keys(b).length === 0),
  },
  { method: 'GET', path: /^\/sourcedeploy\/api\/v1\/project\/\d+\/history\/\d+$/ },
  { method: 'HEAD', path: /^\/v2\/[a-z0-9-]+\/manifests\/[0-9a-f]{7}$/ },
  { method: 'GET', path: /^\/v2\/[a-z0-9-]+\/manifests\/[0-9a-f]{7}$/ },
  { method: 'GET', path: /^\/ncr\/token$/ },
];
const isAllowed = (c: SimCall) =>
  allowed.some((a) => a.method === c.method && a.path.test(c.path) && (!a.body || a.body(c.body)));

/** Drives a started record to its end the way the poller does: wait for the build, continue, wait for the deploy. */
async function finish(d: Deployment): Promise<Deployment> {
  if (d.status === 'building') {
    await waitFor('the build', async () => {
      const run = await h.ncp.getBuild(h.demo.buildProjectId, d.buildId ?? '');
      return run?.status === 'success';
    });
    d = await h.services.continueAfterBuild(d.id);
  }
  const run = await waitFor('the deploy', async () => {
    const r = await h.ncp.getDeployRun(h.demo.deployProjectId, d.deployHistoryId ?? '');
    return r.status === 'success' || r.status === 'fail' ? r : null;
  });
  expect(run?.status).toBe('success');
  return h.stores.deployments.update(d.id, {
    status: 'success',
    ncpStatus: run?.status ?? null,
    deployedAt: new Date(),
    completedAt: new Date(),
    stage: 'done',
  });
}

async function deploy(ref: string): Promise<Deployment> {
  const plan = await h.services.planDeploy(O, R, { ref });
  return finish(await h.services.executeDeploy(plan, requester, null));
}

describe('the pipeline on the strict simulator', () => {
  it('deploy A, push B, deploy, delete A\u2019s image, roll back 1: A\u2019s code runs again, rebuilt from A', async () => {
    const image = h.demo.imageName;
    const a = h.demo.commits[0]?.sha ?? '';
    const first = await deploy('main');
    expect(first.commitSha).toBe(a);
    expect(h.sim.imageBuiltFrom(image, a.slice(0, 7))).toBe(a);

    const manifest = (await h.sim.readRepoFile(h.demo.scRepoName, 'main', h.demo.manifestPath)) ?? '';
    const b = await h.sim.commit(
      h.demo.scRepoName,
      'main',
      { [h.demo.manifestPath]: manifest, 'app/new.py': 'print("B")\n' },
      'Feature B',
    );
    const second = await deploy('main');
    expect(second.commitSha).toBe(b);
    expect(h.sim.runningTag(h.demo.deployProjectId)).toBe(b.slice(0, 7));

    h.sim.deleteImage(image, a.slice(0, 7));
    const plan = await h.services.planRollback(O, R, { stepsBack: 1 });
    expect(plan).toMatchObject({ rebuild: true, target: { commitSha: a } });
    const rb = await h.services.executeRollback(plan, requester, null);
    expect(rb).toMatchObject({ operation: 'rollback', status: 'building', stage: 'build_wait' });
    await finish(rb);

    // The image running afterwards was built from A's commit, not from the branch's newer head.
    expect(h.sim.runningTag(h.demo.deployProjectId)).toBe(a.slice(0, 7));
    expect(h.sim.imageBuiltFrom(image, a.slice(0, 7))).toBe(a);
    // Each build was started after its tag was set to the 7 characters of the commit it built.
    const builds = h.sim.buildRuns();
    expect(builds.map((r) => r.commitSha)).toEqual([a, b, a]);
    for (const r of builds) expect(r.tag).toBe(r.commitSha?.slice(0, 7));
    // Every request was one the references allow, StartBuild without a body among them.
    expect(h.sim.calls.filter((c) => !isAllowed(c))).toEqual([]);
    // Nothing was deployed whose image was missing.
    expect(h.sim.deployRuns().every((r) => r.imageExisted)).toBe(true);
    // The team's branch was never moved by a build; the build branch holds the last commit built.
    expect(h.sim.buildProject(h.demo.buildProjectId)?.branch).toBe('klepaas-build');

    // Deploying main now names B, the commit the rollback rolled back from, not the bot's manifest commit.
    const again = await h.services.planDeploy(O, R, { ref: 'main' });
    expect(again.commitSha).toBe(b);
    expect(again.returnsFrom).toEqual({ rollbackId: rb.id, rolledBackFromId: second.id });
  });

  it('regression: a missing image stops the record before the manifest is touched', async () => {
    const before = await h.sim.readRepoFile(h.demo.scRepoName, 'main', h.demo.manifestPath);
    const plan = await h.services.planDeploy(O, R, { ref: 'main' });
    const d = await h.services.executeDeploy(plan, requester, null);
    await waitFor(
      'the build',
      async () => (await h.ncp.getBuild(h.demo.buildProjectId, d.buildId ?? ''))?.status === 'success',
    );
    // The build succeeded but its image is gone (registry retention, a wrong project image name...).
    h.sim.deleteImage(h.demo.imageName, plan.commitSha.slice(0, 7));
    const err = await refusal(h.services.continueAfterBuild(d.id));
    expect(err.code).toBe('BUILD_FAILED');
    expect(h.stores.deployments.get(d.id)).toMatchObject({
      status: 'failed',
      errorStage: 'image',
      stage: 'image_check',
    });
    expect(await h.sim.readRepoFile(h.demo.scRepoName, 'main', h.demo.manifestPath)).toBe(before);
    expect(h.sim.deployRuns()).toEqual([]);
  });

  it('regression: a deploy start NCP refuses puts the manifest back to what runs', async () => {
    const before = await h.sim.readRepoFile(h.demo.scRepoName, 'main', h.demo.manifestPath);
    const plan = await h.services.planRollback(O, R, { stepsBack: 1 });
    expect(plan.rebuild).toBe(false);
    h.sim.failNextCalls({ status: 500, errorCode: '900', method: 'POST' });
    const err = await refusal(h.services.executeRollback(plan, requester, null));
    expect(err.code).toBe('NCP_ERROR');
    const d = h.stores.deployments.latest(O, R);
    expect(d).toMatchObject({ status: 'failed', errorStage: 'deploy', stage: 'deploy_start' });
    expect(d?.errorMessage).toMatch(/manifest was restored/);
    expect(await h.sim.readRepoFile(h.demo.scRepoName, 'main', h.demo.manifestPath)).toBe(before);
  });

  it('a rollback whose image exists skips the build', async () => {
    const plan = await h.services.planRollback(O, R, { stepsBack: 1 });
    const d = await h.services.executeRollback(plan, requester, null);
    expect(d).toMatchObject({ status: 'deploying', buildId: null, stage: 'deploy_wait' });
    expect(h.sim.buildRuns()).toEqual([]);
    expect(h.sim.calls.some((c) => c.path.startsWith('/sourcebuild'))).toBe(false);
  });

  it('a StartBuild without an answer is unknown, never failed: the record stays in flight for reconciliation', async () => {
    const plan = await h.services.planDeploy(O, R, { ref: 'main' });
    const slow = await openSlowStart();
    const err = await refusal(slow.executeDeploy(plan));
    expect(err.code).toBe('NCP_TIMEOUT');
    expect(err.details).toMatchObject({ reconcile: true, step: 'build' });
    const d = h.stores.deployments.latest(O, R);
    expect(d).toMatchObject({
      status: 'building',
      stage: 'build_start_unknown',
      buildId: null,
      errorStage: null,
    });
    expect(h.stores.deployments.inFlight(O, R)?.id).toBe(d?.id);
    expect(h.tracked).toContain(d?.id);
    await slow.close();
  });
});

/** Services whose NCP client gives up on a call before the simulator answers it. */
async function openSlowStart() {
  const { NcpClient } = await import('../../../src/ncp/client.ts');
  const { createServices } = await import('../../../src/runtime/services.ts');
  const { silentLogger } = await import('../../../src/log/logger.ts');
  const { systemClock } = await import('../../../src/services/ports.ts');
  const client = new NcpClient({ ...h.sim.clientOptions(400), retry: { retries: 0 } });
  const services = createServices({
    integrations: h.stores.integrations,
    deployments: h.stores.deployments,
    audit: h.stores.audit,
    ncp: Object.assign(bind<NcpPort>(client), {
      // Only StartBuild is slow: everything before it answers as usual.
      startBuild: async (id: string) => {
        h.sim.setLatency(800);
        try {
          return await client.startBuild(id);
        } finally {
          h.sim.setLatency(0);
        }
      },
    }),
    clock: systemClock,
    tracker: { track: async (id) => void h.tracked.push(id) },
    logger: silentLogger(),
    manifestPath: 'k8s/deployment.yaml',
  });
  return {
    executeDeploy: (plan: Parameters<typeof services.executeDeploy>[0]) =>
      services.executeDeploy(plan, requester, null),
    close: () => client.close(),
  };
}

function bind<T>(o: object): T {
  const proto = Object.getPrototypeOf(o) as object;
  const out: Record<string, unknown> = { mode: (o as { mode?: unknown }).mode };
  for (const k of Object.getOwnPropertyNames(proto)) {
    const v = (o as Record<string, unknown>)[k];
    if (k !== 'constructor' && typeof v === 'function') out[k] = (v as (...a: unknown[]) => unknown).bind(o);
  }
  return out as T;
}
