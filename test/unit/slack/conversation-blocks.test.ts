import { describe, expect, it } from 'vitest';
import type { BotReply } from '../../../src/bot/types.ts';
import type { RepoLock } from '../../../src/domain/records.ts';
import { renderReply } from '../../../src/slack/blocks/index.ts';
import {
  SHA_OLDER,
  SHA_RUNNING,
  sampleCandidates,
  sampleDeployment,
  samplePlan,
} from '../../support/bot-replies.ts';

const now = new Date('2026-12-01T12:00:00Z');
const ctx = { now, timeZone: 'Asia/Seoul' };
const lock: RepoLock = {
  id: 3,
  owner: 'K-Le-PaaS',
  repo: 'test01',
  lockedBy: 'UBOB',
  via: 'slack',
  reason: 'release freeze',
  lockedAt: now,
  expiresAt: new Date(now.getTime() + 30 * 60_000),
  releasedAt: null,
  releasedBy: null,
};
const json = (r: BotReply) => JSON.stringify(renderReply(r, ctx));

describe('Slack rendering of locks, audit, faulty targets and dropped questions', () => {
  it('shows who locked, why and until when', () => {
    const out = json({ kind: 'locked', lang: 'en', lock, replaced: null });
    expect(out).toContain('locked by <@UBOB> until 2026-12-01 21:30 KST');
    expect(out).toContain('release freeze');
  });

  it('marks a rolled-away-from target, the reasoning and a forced lock in the confirmation', () => {
    const faulty = {
      commitSha: SHA_RUNNING,
      commitMessage: 'bad',
      deploymentId: 40,
      rollbackId: 41,
      rolledAwayAt: now,
      rolledAwayBy: 'UALICE',
    };
    const r: BotReply = {
      kind: 'confirm_rollback',
      lang: 'ko',
      pendingId: 'p1',
      plan: samplePlan(now, { faulty, reasoning: { en: 'because', ko: '이유' } }),
      requestedBy: 'UALICE',
      expiresAt: now,
      overridesLock: lock,
    };
    const out = json(r);
    expect(out).toContain('롤백 #41로 벗어난 버전');
    expect(out).toContain('이유');
    expect(out).toContain('강제 진행 (기록됨)');
  });

  it('lists faulty versions apart in the candidates, and notes a dropped confirmation under any reply', () => {
    const list = {
      ...sampleCandidates(now, 2),
      faulty: [
        {
          commitSha: SHA_OLDER,
          commitMessage: 'x',
          deploymentId: 1,
          rollbackId: 9,
          rolledAwayAt: now,
          rolledAwayBy: null,
        },
      ],
    };
    const out = json({ kind: 'candidates', lang: 'en', list });
    expect(out).toContain('rolled away from by rollback #9 (not a target)');
    const dropped = json({
      kind: 'status',
      lang: 'en',
      owner: 'K-Le-PaaS',
      repo: 'test01',
      deployment: sampleDeployment(now),
      running: sampleDeployment(now, { status: 'success', deployedAt: now }),
      dropped: { kind: 'rollback', owner: 'K-Le-PaaS', repo: 'test01', targetSha: SHA_OLDER },
    });
    expect(dropped).toContain('was dropped');
    expect(dropped).toContain('Running now:');
  });
});
