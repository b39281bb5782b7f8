import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, BotReply } from '../../src/bot/types.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { type Runtime, startRuntime } from '../../src/runtime/app.ts';
import { waitFor } from '../support/wait-for.ts';

// The whole bot behind the front ends, as `npm start` builds it: real SQLite file, simulator over HTTP,
// in-process poller, real services. Only the clock is ours, to walk past a confirmation's lifetime.
let dir: string;
let rt: Runtime;
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'klepaas-dispatch-'));
  offsetMs = 0;
  const config = loadConfig({
    DATABASE_PATH: join(dir, 'bot.db'),
    SIM_PHASE_MS: '100',
    POLL_INTERVAL_MS: '100',
    APPROVERS: 'UAPPROVER',
  });
  rt = await startRuntime(config, { logger: silentLogger(), clock });
});
afterEach(async () => {
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
});

const alice: Actor = { via: 'slack', user: 'UALICE', channel: 'C1', threadTs: '1700000000.000100' };
const bob: Actor = { ...alice, user: 'UBOB' };

function expectKind<K extends BotReply['kind']>(r: BotReply, kind: K): Extract<BotReply, { kind: K }> {
  if (r.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(r)}`);
  return r as Extract<BotReply, { kind: K }>;
}

const rollbacks = () =>
  rt.stores.deployments.history('K-Le-PaaS', 'test01', 100).filter((d) => d.operation === 'rollback');

describe('dispatcher over the real runtime', () => {
  it('asks first, starts one rollback on a double press, and follows it to success', async () => {
    const asked = expectKind(
      await rt.dispatcher.handleMessage({ text: 'K-Le-PaaS/test01 롤백 해줘', actor: alice }),
      'confirm_rollback',
    );
    expect(asked.lang).toBe('ko');
    expect(asked.plan.stepsBack).toBe(1);
    expect(asked.plan.current?.commitSha).not.toBe(asked.plan.target.commitSha);
    expect(rollbacks()).toHaveLength(0);

    const [first, second] = await Promise.all([
      rt.dispatcher.decide(asked.pendingId, 'go', alice),
      rt.dispatcher.decide(asked.pendingId, 'go', alice),
    ]);
    const a = expectKind(first as BotReply, 'started');
    const b = expectKind(second as BotReply, 'started');
    expect(b.deployment.id).toBe(a.deployment.id);
    expect(rollbacks()).toHaveLength(1);

    // A third press later still starts nothing new.
    expect(
      expectKind(await rt.dispatcher.decide(asked.pendingId, 'go', alice), 'started').deployment.id,
    ).toBe(a.deployment.id);
    await waitFor(
      'the rollback to finish',
      () => rt.stores.deployments.get(a.deployment.id)?.status === 'success',
    );
    const done = rt.stores.deployments.get(a.deployment.id);
    expect(done?.commitSha).toBe(asked.plan.target.commitSha);
    expect(rt.stores.deployments.current('K-Le-PaaS', 'test01')?.commitSha).toBe(asked.plan.target.commitSha);
    expect(done?.slackChannel).toBe('C1');
    expect(done?.slackThreadTs).toBe(alice.threadTs);
  });

  it('lets only the requester or an approver confirm', async () => {
    const asked = expectKind(
      await rt.dispatcher.handleMessage({ text: 'rollback test01 2 steps', actor: alice }),
      'confirm_rollback',
    );
    expect(asked.plan.stepsBack).toBe(2);
    const refused = expectKind(await rt.dispatcher.decide(asked.pendingId, 'go', bob), 'error');
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toContain('UALICE');
    expect(rollbacks()).toHaveLength(0);
    const approved = expectKind(
      await rt.dispatcher.decide(asked.pendingId, 'go', { ...bob, user: 'UAPPROVER' }),
      'started',
    );
    expect(approved.decidedBy).toBe('UAPPROVER');
    expect(approved.deployment.requestedBy).toBe('UALICE');
  });

  it('refuses a press after the confirmation expired, and a cancel starts nothing', async () => {
    const asked = expectKind(
      await rt.dispatcher.handleMessage({ text: 'rollback test01', actor: alice }),
      'confirm_rollback',
    );
    offsetMs = 11 * 60_000;
    expect(expectKind(await rt.dispatcher.decide(asked.pendingId, 'go', alice), 'error').code).toBe(
      'CONFIRMATION_EXPIRED',
    );
    offsetMs = 0;
    const again = expectKind(
      await rt.dispatcher.handleMessage({ text: 'rollback test01', actor: alice }),
      'confirm_rollback',
    );
    expectKind(await rt.dispatcher.decide(again.pendingId, 'cancel', alice), 'canceled');
    expectKind(await rt.dispatcher.decide(again.pendingId, 'go', alice), 'canceled');
    expect(rollbacks()).toHaveLength(0);
  });

  it('refuses when the target moved between the question and the press', async () => {
    const asked = expectKind(
      await rt.dispatcher.handleMessage({ text: 'rollback test01', actor: alice }),
      'confirm_rollback',
    );
    // Someone deploys the target commit in the meantime: "1 back" now means another commit.
    const d = rt.stores.deployments.create({
      owner: 'K-Le-PaaS',
      repo: 'test01',
      commitSha: asked.plan.target.commitSha,
      commitMessage: null,
      ref: 'main',
      operation: 'deploy',
      rollbackFromId: null,
      status: 'deploying',
      image: null,
      imageTag: asked.plan.target.imageTag,
      requestKey: null,
      requestedBy: 'UOTHER',
      requestedVia: 'cli',
      lang: 'en',
      slackChannel: null,
      slackThreadTs: null,
    });
    rt.stores.deployments.update(d.id, {
      status: 'success',
      deployedAt: new Date(),
      completedAt: new Date(),
    });
    const r = expectKind(await rt.dispatcher.decide(asked.pendingId, 'go', alice), 'error');
    expect(r.code).toBe('TARGET_CHANGED');
    expect(r.message).toMatch(/K-Le-PaaS\/test01 moved since you were asked \([0-9a-f]{7} → [0-9a-f]{7}\)/);
    expect(rollbacks()).toHaveLength(0);
  });

  it('keeps deploys and rollbacks to the repo deployers, and reads open to all', async () => {
    rt.services.integrations.update({ owner: 'K-Le-PaaS', repo: 'test01', deployers: ['UBOB'] });
    const refused = expectKind(
      await rt.dispatcher.handleMessage({ text: 'rollback test01', actor: alice }),
      'error',
    );
    expect(refused.code).toBe('FORBIDDEN');
    expectKind(
      await rt.dispatcher.handleMessage({ text: 'rollback targets for test01', actor: alice }),
      'candidates',
    );
    expectKind(
      await rt.dispatcher.handleMessage({ text: 'rollback test01', actor: bob }),
      'confirm_rollback',
    );
    expectKind(
      await rt.dispatcher.handleMessage({ text: 'rollback test01', actor: { ...alice, user: 'UAPPROVER' } }),
      'confirm_rollback',
    );
  });

  it('asks which repo when a bare name matches several, then continues the same request', async () => {
    rt.services.integrations.add({
      owner: 'other-org',
      repo: 'test01',
      buildProjectId: '1',
      deployProjectId: '2',
      deployStageId: '3',
      deployScenarioId: '4',
    });
    const choose = expectKind(
      await rt.dispatcher.handleMessage({ text: 'test01 롤백 가능한 버전', actor: alice }),
      'choose_repo',
    );
    expect(choose.options.map((o) => `${o.owner}/${o.repo}`).sort()).toEqual([
      'K-Le-PaaS/test01',
      'other-org/test01',
    ]);
    const list = expectKind(
      await rt.dispatcher.chooseRepo(choose.pendingId, { owner: 'K-Le-PaaS', repo: 'test01' }, alice),
      'candidates',
    );
    expect(list.list.candidates.map((c) => c.n)).toEqual([1, 2, 3, 4]);
    // The choice is used once.
    expect(
      expectKind(
        await rt.dispatcher.chooseRepo(choose.pendingId, { owner: 'K-Le-PaaS', repo: 'test01' }, alice),
        'error',
      ).code,
    ).toBe('CONFIRMATION_EXPIRED');
  });

  it('answers refusals in the user language with the guide codes, and audits every request', async () => {
    const missing = expectKind(
      await rt.dispatcher.handleMessage({ text: 'K-Le-PaaS/new-project 롤백 해줘', actor: alice }),
      'error',
    );
    expect(missing.code).toBe('INTEGRATION_NOT_FOUND');
    expect(missing.message).toMatch(/K-Le-PaaS\/new-project/);
    expect(missing.message).toMatch(/[가-힣]/);
    const unknownRepo = expectKind(
      await rt.dispatcher.handleMessage({ text: 'rollback nosuchapp', actor: alice }),
      'error',
    );
    expect(unknownRepo.code).toBe('REPO_NOT_FOUND');
    const neg = expectKind(
      await rt.dispatcher.handleMessage({ text: 'test01 롤백하지 마', actor: alice }),
      'unknown',
    );
    expect(neg.reason).toBe('negation');
    expectKind(await rt.dispatcher.handleMessage({ text: 'help', actor: alice }), 'help');
    const sqlite = new Database(join(dir, 'bot.db'), { readonly: true });
    const rows = sqlite
      .prepare('SELECT actor, text, outcome, error_code AS code FROM audit_log ORDER BY id')
      .all();
    sqlite.close();
    expect(rows).toEqual([
      {
        actor: 'UALICE',
        text: 'K-Le-PaaS/new-project 롤백 해줘',
        outcome: 'error',
        code: 'INTEGRATION_NOT_FOUND',
      },
      { actor: 'UALICE', text: 'rollback nosuchapp', outcome: 'error', code: 'REPO_NOT_FOUND' },
      { actor: 'UALICE', text: 'test01 롤백하지 마', outcome: 'unknown', code: null },
      { actor: 'UALICE', text: 'help', outcome: 'help', code: null },
    ]);
  });
});
