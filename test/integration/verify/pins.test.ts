import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, Requester } from '../../../src/domain/deployment.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { createPollerEvents } from '../../../src/poller/events.ts';
import { sweepPinReminders } from '../../../src/poller/pin-sweep.ts';
import { systemClock } from '../../../src/services/ports.ts';
import { createHarness, type Harness, requireRedis, waitFor } from '../poller/harness.ts';

// Pins after a rollback, through the real poller and services on the simulator's git history.

const requester: Requester = { via: 'console', user: 'minji', lang: 'en' };
let h: Harness;
beforeAll(requireRedis);
afterEach(async () => h?.close());

const finished = async (d: Deployment, kind: 'verified' | 'succeeded' = 'succeeded') => {
  await waitFor(`#${d.id} ${kind}`, () => h.count(d.id, kind) > 0, 20_000);
  return h.record(d.id);
};

async function pinnedHarness(opts: { pinTtlMs?: number; verify?: boolean } = {}) {
  h = await createHarness('in-process', {
    phaseMs: 150,
    ...(opts.pinTtlMs ? { pinTtlMs: opts.pinTtlMs } : {}),
    ...(opts.verify ? { verify: { intervalMs: 100 } } : {}),
  });
  if (opts.verify) {
    const urls = h.sim.appUrls(h.seed.deployProjectId);
    h.stores.integrations.upsert({ owner: h.seed.owner, repo: h.seed.repo, ...urls, verifyWindowMs: 1000 });
  }
  const driver = h.makeDriver();
  h.use(driver);
  await driver.start();
  const rb = await finished(await h.rollback(1), opts.verify ? 'verified' : 'succeeded');
  return rb;
}

async function fixBranch(): Promise<string> {
  // A fix made from the version that runs, without the rolled-away-from commit in its history.
  const manifest = (await h.sim.readRepoFile(h.seed.scRepoName, 'main', h.seed.manifestPath)) ?? '';
  return h.sim.commit(
    h.seed.scRepoName,
    'fix/cache',
    { [h.seed.manifestPath]: manifest, 'app/main.py': 'print("fixed")\n', Dockerfile: 'FROM python:3.12\n' },
    'Fix the cache client',
  );
}

describe('a rollback pins the repo', () => {
  it('records the pin with its reason and a 24 h expiry; a deploy that still contains the commit is refused, naming it', async () => {
    const rb = await pinnedHarness();
    const newest = h.seed.commits[0];
    const pin = h.stores.pins.active(h.seed.owner, h.seed.repo, new Date());
    expect(pin).toMatchObject({
      rollbackId: rb.id,
      fromSha: newest?.sha,
      reason: `rolled back from ${newest?.imageTag}`,
    });
    expect((pin?.expiresAt.getTime() ?? 0) - (pin?.pinnedAt.getTime() ?? 0)).toBe(24 * 3600_000);

    const refused = await h.services.planDeploy(h.seed.owner, h.seed.repo, { ref: 'main' }).catch((e) => e);
    expect(refused).toMatchObject({ code: 'REPO_PINNED' });
    expect(String(refused.messages.en)).toContain(
      `still contains ${newest?.imageTag} "Bump version to 1.3.0`,
    );

    // Rollbacks stay allowed under a pin.
    await expect(h.services.planRollback(h.seed.owner, h.seed.repo, { stepsBack: 1 })).resolves.toBeTruthy();
  });

  it('a forced deploy goes past it and is recorded; a fix without the commit goes through', async () => {
    await pinnedHarness();
    const plan = await h.services.planDeploy(h.seed.owner, h.seed.repo, { ref: 'main', force: true });
    expect(plan.forcedPastPin?.fromSha).toBe(h.seed.commits[0]?.sha);
    const forced = await h.services.executeDeploy(plan, requester, null);
    expect(forced.reason).toMatch(
      /^forced past the pin of rollback #\d+ \(rolled back from [0-9a-f]{7}\); brings back [0-9a-f]{7}$/,
    );
    await finished(forced);

    const fix = await fixBranch();
    const fixPlan = await h.services.planDeploy(h.seed.owner, h.seed.repo, { ref: 'fix/cache' });
    expect(fixPlan.commitSha).toBe(fix);
    expect(fixPlan.forcedPastPin).toBeNull();
  });

  it('a deploy that passed verification ends the pin; unpin by request too', async () => {
    await pinnedHarness({ verify: true });
    expect(h.stores.pins.active(h.seed.owner, h.seed.repo, new Date())).not.toBeNull();
    await fixBranch();
    const plan = await h.services.planDeploy(h.seed.owner, h.seed.repo, { ref: 'fix/cache' });
    const d = await finished(await h.services.executeDeploy(plan, requester, null), 'verified');
    expect(d.verifyStatus).toBe('verified');
    expect(h.stores.pins.active(h.seed.owner, h.seed.repo, new Date())).toBeNull();

    const again = await finished(await h.rollback(1), 'verified');
    expect(h.stores.pins.active(h.seed.owner, h.seed.repo, new Date())?.rollbackId).toBe(again.id);
    expect(h.services.unpin(h.seed.owner, h.seed.repo, 'minji')).toHaveLength(1);
    expect(h.stores.pins.active(h.seed.owner, h.seed.repo, new Date())).toBeNull();
  });

  it('the reminder before expiry goes out once, whichever process sweeps and however often', async () => {
    const rb = await pinnedHarness({ pinTtlMs: 30 * 60_000 });
    const sweep = () =>
      sweepPinReminders({
        claim: () => h.services.claimPinReminders(),
        store: h.stores.deployments,
        events,
        clock: systemClock,
        log: silentLogger(),
      });
    const events = createPollerEvents();
    const seen: string[] = [];
    events.subscribe((e) => void seen.push(`${e.kind}:${e.deployment.id}:${e.pin?.id}`));
    const counts = await Promise.all([sweep(), sweep(), sweep()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await sweep()).toBe(0);
    expect(seen).toEqual([
      `pin_reminder:${rb.id}:${h.stores.pins.active(h.seed.owner, h.seed.repo, new Date())?.id}`,
    ]);
  });
});
