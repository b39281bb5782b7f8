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

// What people mean, case by case, through the real dispatch path: the runtime `npm start` builds (SQLite file,
// simulator over HTTP, in-process poller, real services), Slack-shaped actors in one thread.
let dir: string;
let rt: Runtime;
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'klepaas-convo-'));
  offsetMs = 0;
  const config = loadConfig({
    DATABASE_PATH: join(dir, 'bot.db'),
    SIM_PHASE_MS: '60',
    POLL_INTERVAL_MS: '60',
  });
  rt = await startRuntime(config, { logger: silentLogger(), clock });
});
afterEach(async () => {
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
});

const thread = (ts: string, user = 'UALICE'): Actor => ({ via: 'slack', user, channel: 'C1', threadTs: ts });
const alice = thread('1700000000.000100');
const say = (text: string, actor: Actor = alice) => rt.dispatcher.handleMessage({ text, actor });

function expectKind<K extends BotReply['kind']>(r: BotReply, kind: K): Extract<BotReply, { kind: K }> {
  if (r.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(r)}`);
  return r as Extract<BotReply, { kind: K }>;
}

const running = () => rt.stores.deployments.current('K-Le-PaaS', 'test01')?.commitSha;
const rollbacks = () =>
  rt.stores.deployments.history('K-Le-PaaS', 'test01', 100).filter((d) => d.operation === 'rollback');

/** Rolls back by `text` in `actor`'s thread, confirms, and waits for success; returns the plan. */
async function rollBack(text: string, actor: Actor = alice) {
  const asked = expectKind(await say(text, actor), 'confirm_rollback');
  const started = expectKind(await rt.dispatcher.decide(asked.pendingId, 'go', actor), 'started');
  await waitFor('the rollback', () => rt.stores.deployments.get(started.deployment.id)?.status === 'success');
  return asked.plan;
}

describe('1. after a rollback, "1 back" never offers the version just fled', () => {
  it('deploy A, deploy B, roll back to A: the next 롤백 해줘 proposes what ran before A, and B is listed marked', async () => {
    const b = running() as string;
    const first = await rollBack('test01 롤백 해줘');
    const a = first.target.commitSha;
    expect(running()).toBe(a);
    const next = expectKind(await say('test01 롤백 해줘', thread('2')), 'confirm_rollback');
    expect(next.plan.target.commitSha).not.toBe(b);
    expect(next.plan.target.commitSha).not.toBe(a);
    const list = expectKind(await say('rollback targets for test01', thread('3')), 'candidates').list;
    expect(list.candidates.map((c) => c.commitSha)).not.toContain(b);
    expect(list.candidates[0]?.commitSha).toBe(next.plan.target.commitSha);
    expect(list.faulty.map((f) => f.commitSha)).toEqual([b]);
    // Diagnose counts the same list.
    const report = expectKind(await say('test01 롤백 가능해?', thread('4')), 'diagnose').report;
    const target = report.checks.find((c) => c.id === 'rollback_target');
    expect(target?.message.en).toContain(`(${list.candidates.length} candidate(s); 1 rolled-away-from`);
    // Named on purpose by its commit, B is refused with the rollback that fled it.
    const refused = expectKind(await say(`rollback test01 to ${b.slice(0, 7)}`, thread('5')), 'error');
    expect(refused.code).toBe('FAULTY_TARGET');
  });
});

describe('2. a target the bot cannot read never becomes 1 back', () => {
  it('refuses a branch or tag and points to deploy, in both languages', async () => {
    for (const [text, lang] of [
      ['rollback test01 to main', 'en'],
      ['roll back test01 to v1.2.0', 'en'],
      ['test01 develop 브랜치로 롤백', 'ko'],
    ] as const) {
      const r = expectKind(await say(text, thread(text)), 'error');
      expect(r.code, text).toBe('TARGET_IS_REF');
      expect(r.lang).toBe(lang);
      expect(r.hint ?? '', text).toMatch(lang === 'ko' ? /배포해줘/ : /deploy test01/);
    }
    const short = expectKind(await say('rollback test01 to 2a7a', thread('s')), 'error');
    expect(short.code).toBe('TARGET_NOT_UNDERSTOOD');
    expect(short.message).toContain('too short');
    expect(short.hint).toMatch(/Candidates: 1\. [0-9a-f]{7}/);
    expect(
      rt.stores.deployments.history('K-Le-PaaS', 'test01', 100).every((d) => d.operation === 'deploy'),
    ).toBe(true);
  });

  it('resolves "before the redis change" and "어제 배포 전" against what ran, showing the reasoning', async () => {
    const runs = rt.stores.deployments.history('K-Le-PaaS', 'test01', 10);
    const redisAt = runs.findIndex((d) => /Redis/.test(d.commitMessage ?? ''));
    const beforeRedis = runs[redisAt + 1]?.commitSha;
    const en = expectKind(
      await say('roll back test01 to the version before the redis change', thread('r')),
      'confirm_rollback',
    );
    expect(en.plan.target.commitSha).toBe(beforeRedis);
    expect(en.plan.reasoning?.en).toMatch(/"redis" is [0-9a-f]{7} "Add Redis cache/);
    const ko = expectKind(await say('test01 어제 배포 전으로 롤백해줘', thread('y')), 'confirm_rollback');
    // The newest demo deploy is hours old; the one before it ran when yesterday began.
    expect(ko.plan.target.commitSha).toBe(runs[1]?.commitSha);
    expect(ko.plan.reasoning?.ko).toMatch(/어제가 시작될 때 실행 중이던 버전/);
    const nonsense = expectKind(await say('rollback test01 to the happy place before', thread('n')), 'error');
    expect(nonsense.code).toBe('TARGET_NOT_UNDERSTOOD');
  });
});

describe('3. questions are answered, never turned into actions', () => {
  it('누가 롤백했어 / who rolled back → the audit, naming requester and confirmer', async () => {
    await rollBack('test01 롤백 해줘');
    for (const text of ['어제 test01 누가 롤백했어?', 'who rolled back test01?']) {
      const r = expectKind(await say(text, thread(text, 'UBOB')), 'audit');
      const [last] = r.report.items;
      expect(last?.deployment.operation, text).toBe('rollback');
      expect(last?.deployment.requestedBy).toBe('UALICE');
      expect(last?.confirmedBy).toBe('UALICE');
      expect(last?.deployment.durationMs).not.toBeNull();
    }
    expect(rollbacks()).toHaveLength(1);
  });

  it('why did the rollback fail → diagnose; what is running → status with since and by whom', async () => {
    expectKind(await say('why did the rollback fail?'), 'diagnose');
    for (const [text, lang] of [
      ["what's running on test01", 'en'],
      ['test01 지금 뭐 돌아가?', 'ko'],
    ] as const) {
      const r = expectKind(await say(text, thread(text)), 'status');
      expect(r.lang).toBe(lang);
      expect(r.running?.commitSha).toBe(running());
      expect(r.running?.requestedBy).toBeTruthy();
    }
  });
});

describe('4. locks', () => {
  it('test01 30분 동안 배포 막아줘 locks; deploys and rollbacks are refused naming who, why, until; force passes and is recorded; unlock and expiry end it', async () => {
    const locked = expectKind(await say('test01 30분 동안 배포 막아줘 사유: 장애 대응'), 'locked');
    expect(locked.lock.expiresAt.getTime() - locked.lock.lockedAt.getTime()).toBe(30 * 60_000);
    expect(locked.lock.reason).toBe('장애 대응');
    // Another process sees it: it is a row in the database.
    const sqlite = new Database(join(dir, 'bot.db'), { readonly: true });
    expect(sqlite.prepare('SELECT locked_by AS by FROM repo_locks').all()).toEqual([{ by: 'UALICE' }]);
    sqlite.close();
    const bob = thread('b', 'UBOB');
    for (const text of ['rollback test01', 'deploy test01 main']) {
      const r = expectKind(await say(text, bob), 'error');
      expect(r.code, text).toBe('REPO_LOCKED');
      expect(r.message).toMatch(/locked by UALICE \("장애 대응"\) until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    }
    const ko = expectKind(await say('test01 롤백 해줘', thread('bk', 'UBOB')), 'error');
    expect(ko.message).toMatch(/UALICE님이 .* 잠갔습니다/);
    const diag = expectKind(await say('diagnose test01', bob), 'diagnose');
    expect(diag.report.ready).toBe(false);

    const forced = expectKind(await say('force rollback test01', bob), 'confirm_rollback');
    expect(forced.overridesLock?.lockedBy).toBe('UALICE');
    expectKind(await rt.dispatcher.decide(forced.pendingId, 'go', bob), 'started');
    const audit = new Database(join(dir, 'bot.db'), { readonly: true });
    const rows = audit.prepare("SELECT actor FROM audit_log WHERE outcome = 'forced_past_lock'").all();
    audit.close();
    expect(rows).toEqual([{ actor: 'UBOB' }]);
    await waitFor('the forced rollback', () => rollbacks()[0]?.status === 'success');

    expectKind(await say('unlock test01'), 'unlocked');
    expectKind(await say('rollback test01', thread('after-unlock')), 'confirm_rollback');
    expectKind(await say('lock test01 for 2 hours because of the release freeze', thread('l2')), 'locked');
    expect(expectKind(await say('rollback test01', thread('l3')), 'error').code).toBe('REPO_LOCKED');
    offsetMs = 2 * 3_600_000 + 1000;
    expectKind(await say('rollback test01', thread('l4')), 'confirm_rollback');
  });
});

describe('5. conversation: follow-ups act on the same repo and target', () => {
  it('한 단계 더 asks one more back and says the old question was dropped; 그거 취소해 cancels, naming it; y after a drop answers in Korean', async () => {
    const first = expectKind(await say('test01 롤백 해줘'), 'confirm_rollback');
    expect(first.plan.stepsBack).toBe(1);
    const more = expectKind(await say('한 단계 더'), 'confirm_rollback');
    expect(more.plan.stepsBack).toBe(2);
    expect(more.dropped?.targetSha).toBe(first.plan.target.commitSha);
    expect(rt.stores.pendingActions.get(first.pendingId)?.state).toBe('canceled');
    const canceled = expectKind(await say('그거 취소해'), 'canceled');
    expect(canceled.what?.targetSha).toBe(more.plan.target.commitSha);
    expect(rt.stores.pendingActions.get(more.pendingId)?.state).toBe('canceled');

    const again = expectKind(await say('test01 롤백 해줘'), 'confirm_rollback');
    expectKind(await say('상태는?'), 'status');
    const y = expectKind(await say('y'), 'error');
    expect(y.lang).toBe('ko');
    expect(y.message).toMatch(/"상태는\?" 요청으로 .* 롤백 확인이 취소되었습니다/);
    expect(rt.stores.pendingActions.get(again.pendingId)?.state).toBe('canceled');
    expect(rollbacks()).toHaveLength(0);
  });

  it('one more / undo that in English; a typed y in the thread confirms the waiting question', async () => {
    const en = thread('en');
    const first = expectKind(await say('rollback test01', en), 'confirm_rollback');
    const ran = first.plan.current?.commitSha;
    const started = expectKind(await say('y', en), 'started');
    await waitFor(
      'the rollback',
      () => rt.stores.deployments.get(started.deployment.id)?.status === 'success',
    );
    const more = expectKind(await say('one more', en), 'confirm_rollback');
    // From what runs now (the rolled-back-to commit), 1 back: what ran before it.
    expect(more.plan.stepsBack).toBe(1);
    expect(more.plan.target.commitSha).not.toBe(ran);
    const undo = expectKind(await say('undo that', en), 'confirm_rollback');
    expect(undo.plan.target.commitSha).toBe(ran);
    expect(undo.plan.faulty?.rollbackId).toBe(started.deployment.id);
    expect(undo.dropped?.targetSha).toBe(more.plan.target.commitSha);
    // Someone else chatting in the thread neither drops nor cancels it.
    const bob = { ...en, user: 'UBOB' };
    expect(expectKind(await say('status?', bob), 'status').dropped).toBeUndefined();
    expect(expectKind(await say('cancel that', bob), 'error').code).toBe('FORBIDDEN');
    const cancel = expectKind(await say('cancel that', en), 'canceled');
    expect(cancel.lang).toBe('en');
    expect(cancel.what?.targetSha).toBe(ran);
  });

  it('cancel the rollback while one runs: routed to the cancel service, which releases a record NCP has no run of', async () => {
    for (const [text, lang] of [
      ['abort the test01 rollback', 'en'],
      ['test01 배포 취소해', 'ko'],
      ['/rollback cancel test01', 'en'],
    ] as const) {
      // A record in flight with no NCP run, as a process stopped mid-start would leave it.
      const flying = rt.stores.deployments.create({
        owner: 'K-Le-PaaS',
        repo: 'test01',
        commitSha: running() ?? null,
        commitMessage: null,
        ref: null,
        operation: 'rollback',
        rollbackFromId: null,
        status: 'deploying',
        image: null,
        imageTag: null,
        requestKey: null,
        requestedBy: 'UOTHER',
        requestedVia: 'cli',
        lang: 'en',
        slackChannel: null,
        slackThreadTs: null,
      });
      const r = expectKind(await say(text, thread(text)), 'cancel_running');
      expect(r.lang).toBe(lang);
      expect(r).toMatchObject({ accepted: true, how: 'released' });
      expect(r.deployment.id).toBe(flying.id);
      expect(rt.stores.deployments.get(flying.id)).toMatchObject({ status: 'canceled' });
      expect(rt.stores.deployments.get(flying.id)?.endedBy).toBeTruthy();
    }
    expect(expectKind(await say('그거 취소해', thread('nothing')), 'error').code).toBe('NOTHING_TO_CANCEL');
  });
});
