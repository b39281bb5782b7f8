import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal } from '../../../src/domain/deployment.ts';
import { createHarness, type DriverKind, type Harness, requireRedis, waitFor } from './harness.ts';

/** One suite, both drivers: the BullMQ one on the real Redis at 127.0.0.1, the in-process one on timers. */
const kinds: DriverKind[] = ['in-process', 'bullmq'];

describe.each(kinds)('poller contract: %s driver', (kind) => {
  let h: Harness | null = null;
  const open = async (opts?: Parameters<typeof createHarness>[1]) => {
    h = await createHarness(kind, opts);
    return h;
  };

  beforeAll(async () => {
    if (kind === 'bullmq') await requireRedis();
  });
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('follows a rollback to success: record completed with times and duration, notices once each', async () => {
    const t = await open();
    const driver = t.makeDriver();
    t.use(driver);
    await driver.start();
    const d = await t.rollback(1);
    expect(d.status).toBe('deploying');
    await waitFor('success', () => t.record(d.id).status === 'success');
    const done = t.record(d.id);
    expect(done.ncpStatus).toBe('success');
    expect(done.deployedAt).toBeInstanceOf(Date);
    expect(done.completedAt).toBeInstanceOf(Date);
    expect(done.durationMs).toBeGreaterThanOrEqual(600);
    expect(done.errorMessage).toBeNull();
    // What runs in the simulator is now the rollback target.
    expect(t.sim.runningTag(t.seed.deployProjectId)).toBe(d.imageTag);
    await waitFor('succeeded notice', () => t.count(d.id, 'succeeded') === 1);
    expect(t.count(d.id, 'started')).toBe(1);
    expect(t.notices.filter((n) => n.id === d.id && n.kind === 'progress').map((n) => n.ncpStatus)).toEqual([
      'inprogress',
    ]);
    expect(t.lines.join('')).toMatch(/✅ Rollback of K-Le-PaaS\/test01 to [0-9a-f]{7} succeeded in \d+s/);
  });

  it('follows the rebuild of a missing image, continues to deploy, and succeeds', async () => {
    const t = await open();
    const driver = t.makeDriver();
    t.use(driver);
    await driver.start();
    const d = await t.rollback(2);
    expect(d.status).toBe('building');
    expect(d.buildId).not.toBeNull();
    await waitFor('success', () => t.record(d.id).status === 'success');
    const done = t.record(d.id);
    expect(done.deployHistoryId).not.toBeNull();
    expect(t.sim.runningTag(t.seed.deployProjectId)).toBe(d.imageTag);
    await waitFor('succeeded notice', () => t.count(d.id, 'succeeded') === 1);
    expect(t.lines.join('')).toContain('build succeeded, SourceDeploy run');
  });

  it('a failed deploy ends failed with the NCP status, stage and message', async () => {
    const t = await open();
    const driver = t.makeDriver();
    t.use(driver);
    await driver.start();
    t.sim.failNextDeploy();
    const d = await t.rollback(1);
    await waitFor('failed', () => t.record(d.id).status === 'failed');
    const done = t.record(d.id);
    expect(done).toMatchObject({ ncpStatus: 'fail', errorStage: 'deploy' });
    expect(done.errorMessage).toBeTruthy();
    expect(done.completedAt).toBeInstanceOf(Date);
    expect(done.deployedAt).toBeNull();
    await waitFor('failed notice', () => t.count(d.id, 'failed') === 1);
    expect(t.count(d.id, 'succeeded')).toBe(0);
    expect(t.lines.join('')).toContain('SourceDeploy reported "fail"');
  });

  it('a failed rebuild ends failed at the build stage and never runs the scenario', async () => {
    const t = await open();
    const driver = t.makeDriver();
    t.use(driver);
    await driver.start();
    t.sim.failNextBuild();
    const d = await t.rollback(2);
    await waitFor('failed', () => t.record(d.id).status === 'failed');
    expect(t.record(d.id)).toMatchObject({ ncpStatus: 'fail', errorStage: 'build', deployHistoryId: null });
    await waitFor('failed notice', () => t.count(d.id, 'failed') === 1);
  });

  it('a deploy canceled in NCP ends canceled', async () => {
    const t = await open({ phaseMs: 2000 });
    const driver = t.makeDriver();
    t.use(driver);
    await driver.start();
    const d = await t.rollback(1);
    await waitFor('inprogress seen', () => t.record(d.id).ncpStatus === 'inprogress');
    t.sim.cancel('deploy', d.deployHistoryId ?? '');
    await waitFor('canceled', () => t.record(d.id).status === 'canceled');
    expect(t.record(d.id)).toMatchObject({ ncpStatus: 'canceled', errorStage: 'deploy' });
    await waitFor('canceled notice', () => t.count(d.id, 'canceled') === 1);
  });

  it('a start NCP never answered is left in flight for reconciliation: no timeout, no notice', async () => {
    const t = await open({ limits: { deployTimeoutMs: 300 } });
    const driver = t.makeDriver();
    t.use(driver);
    await driver.start();
    const d = t.stores.deployments.create({
      owner: t.seed.owner,
      repo: t.seed.repo,
      commitSha: t.seed.commits[0]?.sha ?? null,
      commitMessage: null,
      ref: null,
      operation: 'rollback',
      rollbackFromId: null,
      status: 'deploying',
      image: null,
      imageTag: null,
      requestKey: null,
      requestedBy: 'tester',
      requestedVia: 'cli',
      lang: 'en',
      slackChannel: null,
      slackThreadTs: null,
    });
    t.stores.deployments.update(d.id, {
      stage: 'deploy_start_unknown',
      startedAt: new Date(Date.now() - 60_000),
    });
    await driver.track(d.id);
    let left = 1;
    await waitFor('poller idle', () => {
      void driver.pending().then((n) => {
        left = n;
      });
      return left === 0;
    });
    expect(t.record(d.id)).toMatchObject({
      status: 'deploying',
      stage: 'deploy_start_unknown',
      errorStage: null,
    });
    expect(t.notices.filter((n) => n.id === d.id)).toEqual([]);
  });

  it('a deploy that never finishes times out at POLL_TIMEOUT_MS instead of staying running', async () => {
    const t = await open({ limits: { deployTimeoutMs: 600 } });
    const driver = t.makeDriver();
    t.use(driver);
    await driver.start();
    const d = await t.rollback(1);
    t.sim.forceStatus('deploy', d.deployHistoryId ?? '', 'inprogress');
    await waitFor('timed_out', () => t.record(d.id).status === 'timed_out');
    const done = t.record(d.id);
    expect(done).toMatchObject({ ncpStatus: 'inprogress', errorStage: 'deploy' });
    expect(done.durationMs).toBeGreaterThanOrEqual(600);
    await waitFor('timed-out notice', () => t.count(d.id, 'timedOut') === 1);
    expect(t.lines.join('')).toContain(
      'SourceDeploy gave no final status within 1s (last status "inprogress")',
    );
  });

  it('NCP errors during polls do not end the job: it keeps polling and finishes with the real outcome', async () => {
    const t = await open();
    const driver = t.makeDriver();
    t.use(driver);
    await driver.start();
    const d = await t.rollback(1);
    // The next eight calls (all of them the poller's) are answered 500 or 429.
    t.sim.failNextCalls(500, 500, 429, 500, 500, 500, 429, 500);
    await waitFor('success', () => t.record(d.id).status === 'success');
    const historyCalls = t.sim.calls.filter((c) => c.path.includes(`/history/${d.deployHistoryId}`));
    expect(historyCalls.filter((c) => c.status >= 429).length).toBe(8);
    await waitFor('succeeded notice', () => t.count(d.id, 'succeeded') === 1);
    expect(t.count(d.id, 'failed') + t.count(d.id, 'timedOut')).toBe(0);
  });

  it('NCP unreachable for the whole limit ends timed_out at the poll stage, never success or failed', async () => {
    const t = await open({ limits: { deployTimeoutMs: 500 } });
    const driver = t.makeDriver();
    t.use(driver);
    await driver.start();
    const d = await t.rollback(1);
    t.sim.failNextCalls(...Array.from({ length: 500 }, () => 500));
    await waitFor('timed_out', () => t.record(d.id).status === 'timed_out');
    expect(t.record(d.id).errorStage).toBe('poll');
    await waitFor('timed-out notice', () => t.count(d.id, 'timedOut') === 1);
    expect(t.lines.join('')).toContain('NCP could not be reached for a status');
  });

  it('a poller stopped mid-deploy and started again (a new instance) resumes and finishes it', async () => {
    const t = await open({ phaseMs: 500 });
    const first = t.makeDriver();
    t.use(first);
    await first.start();
    const d = await t.rollback(1);
    await waitFor('inprogress seen', () => t.record(d.id).ncpStatus === 'inprogress');
    await first.stop();
    expect(isTerminal(t.record(d.id).status)).toBe(false);

    const second = t.makeDriver();
    t.use(second);
    await second.start();
    await waitFor('success after restart', () => t.record(d.id).status === 'success');
    await waitFor('succeeded notice', () => t.count(d.id, 'succeeded') === 1);
    // The restart does not announce the deployment again, nor the status it already reported.
    expect(t.count(d.id, 'started')).toBe(1);
    expect(t.count(d.id, 'progress')).toBe(1);
  });

  it('a deployment tracked twice, and by two pollers at once, runs once and notifies once', async () => {
    const t = await open();
    const a = t.makeDriver();
    const b = t.makeDriver();
    t.use(a);
    await a.start();
    if (kind === 'bullmq') await b.start();
    const d = await t.rollback(1);
    await Promise.all([a.track(d.id), a.track(d.id), b.track(d.id)]);
    await waitFor('success', () => t.record(d.id).status === 'success');
    await waitFor('succeeded notice', () => t.count(d.id, 'succeeded') >= 1);
    // Give a duplicate a chance to show: wait until no job is left before counting.
    let left = 1;
    await waitFor('poller idle', () => {
      void a.pending().then((n) => {
        left = n;
      });
      return left === 0;
    });
    expect(t.count(d.id, 'started')).toBe(1);
    expect(t.count(d.id, 'succeeded')).toBe(1);
    expect(t.count(d.id, 'progress')).toBe(1);
  });
});
