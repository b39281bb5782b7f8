import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, Requester } from '../../../src/domain/deployment.ts';
import { BOT_ACTOR } from '../../../src/domain/verification.ts';
import { autoRollbackKey } from '../../../src/services/after-verify.ts';
import { createHarness, type DriverKind, type Harness, requireRedis, waitFor } from '../poller/harness.ts';

// Verification through the real poller (both drivers), the simulator's apps over HTTP, the services'
// follow-up and the console notifier: what a person sees in the thread and what the record keeps.

const requester: Requester = { via: 'console', user: 'minji', lang: 'en' };
const WINDOW_MS = 1500;

let hang: Server;
let hangUrl: string;
const held = new Set<ServerResponse>();
beforeAll(async () => {
  await requireRedis();
  hang = createServer((_req, res) => void held.add(res));
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/healthz`;
});
afterAll(async () => {
  for (const res of held) res.destroy();
  await new Promise((r) => hang.close(r));
});

describe.each<DriverKind>(['in-process', 'bullmq'])('verification after success (%s)', (kind) => {
  let h: Harness;
  afterEach(async () => h?.close());

  async function setUp(over: Record<string, unknown> = {}, metrics = true): Promise<void> {
    h = await createHarness(kind, {
      phaseMs: 200,
      verify: { probeTimeoutMs: 300, intervalMs: 100 },
    });
    const urls = h.sim.appUrls(h.seed.deployProjectId);
    h.stores.integrations.upsert({
      owner: h.seed.owner,
      repo: h.seed.repo,
      healthUrl: urls.healthUrl,
      metricsUrl: metrics ? urls.metricsUrl : null,
      verifyWindowMs: WINDOW_MS,
      ...over,
    });
  }

  async function start(): Promise<void> {
    const d = h.makeDriver();
    h.use(d);
    await d.start();
  }

  const verdictOf = async (id: number): Promise<Deployment> => {
    await waitFor(`verdict of #${id}`, () => {
      const s = h.record(id).verifyStatus;
      return s === 'verified' || s === 'verification_failed';
    });
    await waitFor('verdict notice', () => h.count(id, 'verified') + h.count(id, 'verificationFailed') > 0);
    return h.record(id);
  };

  /** A new commit on main whose image behaves as told once deployed, and its deploy started. */
  async function deployNewCommit(behaviour: Parameters<Harness['sim']['setAppBehaviour']>[1]) {
    const manifest = (await h.sim.readRepoFile(h.seed.scRepoName, 'main', h.seed.manifestPath)) ?? '';
    const sha = await h.sim.commit(
      h.seed.scRepoName,
      'main',
      { [h.seed.manifestPath]: manifest, 'app/feature.py': `print("${Math.random()}")\n` },
      'Feature that breaks',
    );
    h.sim.setAppBehaviour(sha.slice(0, 7), behaviour);
    const plan = await h.services.planDeploy(h.seed.owner, h.seed.repo, { ref: 'main' });
    return h.services.executeDeploy(plan, requester, null);
  }

  it('passes: health 200, 5xx share and p95 from the counters over the window, one card line per look', async () => {
    await setUp();
    await start();
    const rb = await h.rollback(1);
    const d = await verdictOf(rb.id);
    expect(d.verifyStatus).toBe('verified');
    const v = d.verification;
    expect(v?.healthStatus).toBe(200);
    expect(v?.metrics).toBe('ok');
    expect(v?.requests).toBeGreaterThanOrEqual(20);
    expect(v?.errorShare).toBeLessThan(0.05);
    // The app's p95 is 180 ms; a histogram only knows it lies in its 100-250 ms bucket.
    expect(v?.p95Ms).toBeGreaterThan(100);
    expect(v?.p95Ms).toBeLessThan(250);
    expect(v?.elapsedMs).toBeGreaterThanOrEqual(WINDOW_MS);
    expect(h.count(rb.id, 'verifying')).toBeGreaterThan(3);
    expect(h.count(rb.id, 'verified')).toBe(1);
    const line = h.lines.find((l) => l.startsWith('✅ verified'));
    expect(line).toMatch(/^✅ verified: health 200 · 5xx \d+\.\d % · p95 \d+ ms over \d+ s/);
  });

  it('fails on the 5xx share against its threshold, offers the previous version, starts nothing itself', async () => {
    await setUp();
    await start();
    const deploy = await deployNewCommit({ errorShare: 0.3 });
    const d = await verdictOf(deploy.id);
    expect(d.verifyStatus).toBe('verification_failed');
    expect(d.verification?.failed).toMatchObject({ check: 'error_share', threshold: 0.05 });
    const failed = d.verification?.failed;
    expect(failed?.check === 'error_share' && failed.value).toBeGreaterThan(0.25);
    expect(d.verification?.rollbackTargetSha).toBe(h.seed.commits[0]?.sha);
    expect(d.verification?.autoRollbackId).toBeNull();
    expect(h.stores.deployments.findByRequestKey(autoRollbackKey(d.id))).toBeNull();
    expect(h.lines.join('\n')).toMatch(/❌ verification failed: 5xx [23]\d\.\d % > 5\.0 % allowed/);
  });

  it('fails on p95 against its threshold', async () => {
    await setUp({ verifyMaxP95Ms: 500 });
    await start();
    h.sim.setAppBehaviour(h.seed.commits[1]?.imageTag ?? '', { p95Ms: 2000 });
    const rb = await h.rollback(1);
    const d = await verdictOf(rb.id);
    expect(d.verification?.failed).toMatchObject({ check: 'p95', threshold: 500 });
    expect(h.lines.join('\n')).toMatch(/🚨 the rollback failed verification: p95 \d+ ms > 500 ms allowed/);
  });

  it('fails when health fails three looks in a row', async () => {
    await setUp();
    await start();
    h.sim.setAppBehaviour(h.seed.commits[1]?.imageTag ?? '', { health: 503 });
    const rb = await h.rollback(1);
    const d = await verdictOf(rb.id);
    expect(d.verification?.failed).toEqual({ check: 'health', detail: 'HTTP 503', failures: 3 });
    expect(d.verification?.elapsedMs).toBeLessThan(WINDOW_MS);
  });

  it('a health endpoint that never answers times out each look and fails', async () => {
    await setUp({ healthUrl: hangUrl }, false);
    await start();
    const rb = await h.rollback(1);
    const d = await verdictOf(rb.id);
    expect(d.verification?.failed).toMatchObject({ check: 'health', detail: 'no answer within 300 ms' });
  });

  it('without a metrics URL, or with one that is gone, health alone decides and the card says so', async () => {
    await setUp({}, false);
    await start();
    const rb = await h.rollback(1);
    const d = await verdictOf(rb.id);
    expect(d.verifyStatus).toBe('verified');
    expect(d.verification?.metrics).toBe('not_configured');
    expect(h.lines.join('\n')).toContain('✅ verified: health 200 · no metrics URL (health only)');

    h.stores.integrations.upsert({
      owner: h.seed.owner,
      repo: h.seed.repo,
      metricsUrl: `${h.sim.baseUrl}/apps/nope/none`,
    });
    const back = await h.rollback(1);
    const e = await verdictOf(back.id);
    expect(e.verifyStatus).toBe('verified');
    expect(e.verification?.metrics).toBe('unavailable');
    expect(h.lines.join('\n')).toContain('metrics unavailable: HTTP 404 (health only)');
  });

  it('auto-rollback starts exactly once, across a restart mid-window and after; a failing rollback is not rolled back again', async () => {
    await setUp({ autoRollback: true });
    const first = h.makeDriver();
    h.use(first);
    await first.start();
    const deploy = await deployNewCommit({ errorShare: 0.5 });
    // Stop the process while the window runs: the next one resumes the same window, not a new one.
    await waitFor('a few looks', () => (h.record(deploy.id).verification?.checks ?? 0) >= 2, 20_000);
    const startedAt = h.record(deploy.id).verification?.startedAt;
    await first.stop();
    expect(h.record(deploy.id).verifyStatus).toBe('verifying');
    // The rolled-back-to version is broken too: its verification fails and nothing rolls back further.
    h.sim.setAppBehaviour(h.seed.commits[0]?.imageTag ?? '', { errorShare: 0.5 });
    await start();
    const d = await verdictOf(deploy.id);
    expect(d.verification?.startedAt).toBe(startedAt);
    expect(d.verifyStatus).toBe('verification_failed');
    const rbId = d.verification?.autoRollbackId;
    expect(rbId).toBeTypeOf('number');
    const rb = h.record(rbId as number);
    expect(rb).toMatchObject({
      operation: 'rollback',
      requestedBy: BOT_ACTOR,
      requestKey: autoRollbackKey(deploy.id),
      commitSha: h.seed.commits[0]?.sha,
    });
    expect(rb.reason).toMatch(/^verification of #\d+ failed: 5xx \d+\.\d % > 5\.0 % allowed$/);
    expect(h.lines.join('\n')).toContain(`rolling back on its own to the previous version`);
    const rbDone = await verdictOf(rb.id);
    expect(rbDone.verifyStatus).toBe('verification_failed');
    expect(h.lines.join('\n')).toContain('no further automatic rollback: a person has to decide');

    // Another restart, and the follow-up asked again directly: still the one rollback.
    await start();
    const again = await h.services.afterVerificationFailure(deploy.id, {
      check: 'error_share',
      value: 0.5,
      threshold: 0.05,
    });
    expect(again.autoRollbackId).toBe(rb.id);
    const rollbacks = h.stores.deployments
      .history(h.seed.owner, h.seed.repo, 50)
      .filter((x) => x.requestedBy === BOT_ACTOR);
    expect(rollbacks).toHaveLength(1);
    expect(
      await h.services.afterVerificationFailure(rb.id, { check: 'health', detail: 'x', failures: 3 }),
    ).toEqual({ rollbackTargetSha: null, autoRollbackId: null });
    expect(h.count(deploy.id, 'verificationFailed')).toBe(1);
  });
});
