import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

describe('rollback against the simulator', () => {
  it('rolls back one step: manifest pushed, scenario run, one record, and the simulator runs the target', async () => {
    const [running, target] = h.demo.commits;
    if (!running || !target) throw new Error('demo too short');
    expect(h.sim.runningTag(h.demo.deployProjectId)).toBe(running.imageTag);

    const plan = await h.services.planRollback(O, R, { stepsBack: 1 });
    expect(plan.target.commitSha).toBe(target.sha);
    expect(plan).toMatchObject({ stepsBack: 1, imageExists: true, rebuild: false });
    expect(plan.imageRef).toBe(`${h.demo.registryHost}/${h.demo.imageName}:${target.imageTag}`);
    const before = h.stores.deployments.current(O, R);

    const d = await h.services.executeRollback(plan, requester, 'req-1');
    expect(d).toMatchObject({
      operation: 'rollback',
      status: 'deploying',
      commitSha: target.sha,
      imageTag: target.imageTag,
      rollbackFromId: before?.id,
      requestedVia: 'cli',
    });
    expect(d.deployHistoryId).not.toBeNull();
    expect(h.tracked).toEqual([d.id]);
    const manifest = await h.sim.readRepoFile(h.demo.scRepoName, 'main', h.demo.manifestPath);
    expect(manifest).toContain(`image: ${plan.imageRef}`);

    await waitFor('the simulated deploy to finish', async () => {
      const run = await h.ncp.getDeployRun(h.demo.deployProjectId, d.deployHistoryId ?? '');
      return run.status === 'success';
    });
    expect(h.sim.runningTag(h.demo.deployProjectId)).toBe(target.imageTag);
    expect(h.stores.deployments.history(O, R, 100).filter((x) => x.operation === 'rollback')).toHaveLength(1);

    // Same request key again: the same record, nothing new started.
    const again = await h.services.executeRollback(plan, requester, 'req-1');
    expect(again.id).toBe(d.id);
  });

  it('rebuilds a commit whose image is gone, then continues after the build', async () => {
    const plan = await h.services.planRollback(O, R, { commitSha: h.demo.missingImageSha.slice(0, 9) });
    expect(plan).toMatchObject({ imageExists: false, rebuild: true, stepsBack: 2 });
    const d = await h.services.executeRollback(plan, requester, null);
    expect(d.status).toBe('building');
    expect(d.buildId).not.toBeNull();
    expect(d.deployHistoryId).toBeNull();

    await waitFor(
      'the rebuild',
      async () => (await h.ncp.getBuild(h.demo.buildProjectId, d.buildId ?? ''))?.status === 'success',
    );
    const moved = await h.services.continueAfterBuild(d.id);
    expect(moved.status).toBe('deploying');
    expect(moved.deployHistoryId).not.toBeNull();
    // A second call (a repeated poller tick) does nothing twice.
    expect((await h.services.continueAfterBuild(d.id)).deployHistoryId).toBe(moved.deployHistoryId);
    await waitFor(
      'the deploy',
      () => h.sim.runningTag(h.demo.deployProjectId) === h.demo.missingImageSha.slice(0, 7),
    );
  });

  it('two concurrent rollbacks of one repo make exactly one deployment', async () => {
    const [p1, p2] = await Promise.all([
      h.services.planRollback(O, R, { stepsBack: 1 }),
      h.services.planRollback(O, R, { stepsBack: 3 }),
    ]);
    const results = await Promise.allSettled([
      h.services.executeRollback(p1, requester, 'a'),
      h.services.executeRollback(p2, { ...requester, user: 'other' }, 'b'),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 'DEPLOYMENT_IN_FLIGHT',
      status: 409,
    });
    expect(h.stores.deployments.history(O, R, 100).filter((x) => x.operation === 'rollback')).toHaveLength(1);
  });

  it('refuses a plan whose running commit moved before it was executed, and records nothing', async () => {
    const plan = await h.services.planRollback(O, R, { stepsBack: 2 });
    const newer = h.stores.deployments.create({
      owner: O,
      repo: R,
      commitSha: h.demo.commits[3]?.sha ?? null,
      commitMessage: null,
      ref: 'main',
      operation: 'deploy',
      rollbackFromId: null,
      status: 'success',
      image: null,
      imageTag: null,
      requestKey: null,
      requestedBy: 'someone',
      requestedVia: 'slack',
      lang: 'en',
      slackChannel: null,
      slackThreadTs: null,
    });
    const count = h.stores.deployments.history(O, R, 100).length;
    const err = await refusal(h.services.executeRollback(plan, requester, null));
    expect(err.code).toBe('TARGET_CHANGED');
    expect(err.status).toBe(409);
    // Each language reads whole: the Korean message carries a Korean reason.
    expect(err.messages.en).toContain('another deployment finished since the plan was made');
    expect(err.messages.ko).toContain('그 사이 다른 배포가 끝남');
    expect(err.messages.ko).not.toMatch(/[a-z]{4,} [a-z]{4,}/);
    expect(h.stores.deployments.history(O, R, 100)).toHaveLength(count);
    expect(h.stores.deployments.current(O, R)?.id).toBe(newer.id);
  });

  it('a rejected manifest push fails the record at stage manifest and changes nothing that runs', async () => {
    const running = h.sim.runningTag(h.demo.deployProjectId);
    const plan = await h.services.planRollback(O, R, { stepsBack: 1 });
    await h.sim.rejectPushes(h.demo.scRepoName, true);
    const err = await refusal(h.services.executeRollback(plan, requester, null));
    expect(err.code).toBe('MANIFEST_UPDATE_FAILED');
    const d = h.stores.deployments.latest(O, R);
    expect(d).toMatchObject({
      operation: 'rollback',
      status: 'failed',
      errorStage: 'manifest',
      deployHistoryId: null,
    });
    expect(d?.errorMessage).toContain('Could not update the deploy manifest');
    expect(d?.completedAt).not.toBeNull();
    expect(h.stores.deployments.inFlight(O, R)).toBeNull();
    expect(h.sim.runningTag(h.demo.deployProjectId)).toBe(running);
    expect(h.tracked).toEqual([]);
  });
});
