import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../../src/runtime/seed-demo.ts';
import { type Harness, openHarness, refusal, requester, waitFor } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await openHarness();
});
afterEach(async () => {
  await h.close();
});

const O = 'K-Le-PaaS';
const R = 'test01';

describe('deploy', () => {
  it('resolves the default branch to its application commit, builds it, then the manifest and scenario put it in place', async () => {
    const app = h.demo.commits[0]?.sha ?? '';
    const plan = await h.services.planDeploy(O, R, { ref: null });
    expect(plan.ref).toBe('main');
    // The head of main is the bot's manifest commit: the code it carries is the newest application commit.
    expect(plan.commitSha).toBe(app);
    expect(plan.commitSha).not.toBe(h.demo.headSha);
    const d = await h.services.executeDeploy(plan, requester, 'dep-1');
    expect(d).toMatchObject({
      operation: 'deploy',
      status: 'building',
      ref: 'main',
      commitSha: app,
      stage: 'build_wait',
    });
    expect(d.buildId).not.toBeNull();
    expect(h.tracked).toEqual([d.id]);

    await waitFor(
      'the build',
      async () => (await h.ncp.getBuild(h.demo.buildProjectId, d.buildId ?? ''))?.status === 'success',
    );
    const moved = await h.services.continueAfterBuild(d.id);
    expect(moved.status).toBe('deploying');
    await waitFor('the deploy', () => h.sim.runningTag(h.demo.deployProjectId) === app.slice(0, 7));
    expect(h.sim.imageBuiltFrom(h.demo.imageName, app.slice(0, 7))).toBe(app);
  });

  it('an NCP 500 when starting the build leaves the record failed with the reason', async () => {
    const plan = await h.services.planDeploy(O, R, { ref: 'main' });
    h.sim.failNextCalls({ status: 500, errorCode: '900', method: 'POST' });
    const err = await refusal(h.services.executeDeploy(plan, requester, null));
    expect(err.code).toBe('NCP_ERROR');
    const d = h.stores.deployments.latest(O, R);
    expect(d).toMatchObject({
      operation: 'deploy',
      status: 'failed',
      errorStage: 'build',
      stage: 'build_start',
      buildId: null,
    });
    expect(d?.errorMessage).toBeTruthy();
    expect(h.stores.deployments.inFlight(O, R)).toBeNull();
    expect(h.tracked).toEqual([]);
  });
});

describe('diagnose', () => {
  it('reports ready with the guide JSON keys and checks the image a rollback would use', async () => {
    const r = await h.services.diagnose(O, R);
    const json = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining([
        'ready',
        'owner',
        'repo',
        'issues',
        'warnings',
        'deployment_count',
        'latest_deployment',
      ]),
    );
    expect(json).toMatchObject({
      ready: true,
      owner: O,
      repo: R,
      issues: [],
      deployment_count: h.demo.commits.length,
      latest_deployment: { commit_sha: h.demo.commits[0]?.sha },
      mode: 'simulator',
    });
    const image = r.checks.find((c) => c.id === 'image');
    expect(image?.message.en).toContain(`:${h.demo.commits[1]?.imageTag}`);
  });

  it('warns with the guide sentence when candidate 1 has no image, and the plan rebuilds', async () => {
    // A fresh deploy of the image-less commit, then a rollback to the newest: candidate 1 has no image.
    const record = (commitSha: string, operation: 'deploy' | 'rollback') =>
      h.stores.deployments.create({
        owner: O,
        repo: R,
        commitSha,
        commitMessage: null,
        ref: null,
        operation,
        rollbackFromId: null,
        status: 'success',
        image: null,
        imageTag: null,
        requestKey: null,
        requestedBy: null,
        requestedVia: 'cli',
        lang: 'en',
        slackChannel: null,
        slackThreadTs: null,
      });
    record(h.demo.missingImageSha, 'deploy');
    record(h.demo.commits[0]?.sha ?? '', 'rollback');
    const list = await h.services.candidates(O, R);
    expect(list.candidates[0]?.commitSha).toBe(h.demo.missingImageSha);
    const r = await h.services.diagnose(O, R);
    expect(r.ready).toBe(true);
    expect(r.warnings).toContain(
      'Latest deployment image not found in NCR (HTTP 404). Rollback will trigger rebuild.',
    );
    const plan = await h.services.planRollback(O, R, { stepsBack: 1 });
    expect(plan).toMatchObject({ rebuild: true, imageExists: false });
  });

  it('reports not ready, without refusing, for an unknown repo', async () => {
    const r = await h.services.diagnose(O, 'new-project');
    expect(JSON.parse(JSON.stringify(r))).toMatchObject({
      ready: false,
      owner: O,
      repo: 'new-project',
      issues: [
        'No project integration found. Set up the project first.',
        'No deployment history found. Deploy the application first.',
      ],
      deployment_count: null,
      latest_deployment: null,
    });
  });
});

describe('queries and integrations', () => {
  it('history, status and candidates agree with what the store holds', async () => {
    const items = await h.services.history(O, R, 3);
    expect(items.map((d) => d.commitSha)).toEqual(h.demo.commits.slice(0, 3).map((c) => c.sha));
    expect((await h.services.status(O, R))?.commitSha).toBe(h.demo.commits[0]?.sha);
    const list = await h.services.candidates(O, R, 2);
    expect(list.candidates.map((c) => c.n)).toEqual([1, 2]);
    expect(list.current?.commitSha).toBe(h.demo.commits[0]?.sha);
  });

  it('demo seeding is idempotent', () => {
    const again = seedDemoData(h.stores, h.demo);
    expect(again.inserted).toBe(0);
    expect(h.stores.deployments.history(O, R, 100)).toHaveLength(h.demo.commits.length);
    expect(h.stores.integrations.list()).toHaveLength(1);
  });

  it('adds, updates, lists and removes integrations with refusals for the wrong state', async () => {
    const svc = h.services.integrations;
    expect(svc.add({ owner: 'acme', repo: 'web', buildProjectId: '1' }).imageName).toBe('acme-web');
    expect((await refusal(Promise.resolve().then(() => svc.add({ owner: 'ACME', repo: 'WEB' })))).code).toBe(
      'INTEGRATION_EXISTS',
    );
    expect(svc.update({ owner: 'acme', repo: 'web', deployProjectId: '2' })).toMatchObject({
      buildProjectId: '1',
      deployProjectId: '2',
    });
    expect(svc.list().map((i) => i.repo)).toContain('web');
    svc.remove('acme', 'web');
    expect((await refusal(Promise.resolve().then(() => svc.remove('acme', 'web')))).code).toBe(
      'INTEGRATION_NOT_FOUND',
    );
    expect(
      (await refusal(Promise.resolve().then(() => svc.add({ owner: 'bad owner', repo: 'x' })))).code,
    ).toBe('INVALID_INPUT');
  });
});
