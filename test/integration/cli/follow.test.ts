import { describe, expect, it } from 'vitest';
import { createFollower, noticeFromRecord } from '../../../src/cli/follow.ts';
import type { Deployment } from '../../../src/domain/deployment.ts';
import { createPollerEvents, type PollerEvent } from '../../../src/poller/events.ts';
import { systemClock } from '../../../src/services/ports.ts';

const t0 = new Date('2026-03-01T00:00:00Z');

const record = (patch: Partial<Deployment> = {}): Deployment => ({
  id: 7,
  owner: 'K-Le-PaaS',
  repo: 'test01',
  commitSha: 'c39eb54aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  commitMessage: 'Fix login',
  ref: 'main',
  operation: 'deploy',
  rollbackFromId: null,
  status: 'building',
  ncpStatus: null,
  buildId: 'b-1',
  deployHistoryId: null,
  image: 'reg.example/k-le-paas-test01',
  imageTag: 'c39eb54',
  requestKey: null,
  requestedBy: 'alice',
  requestedVia: 'cli',
  lang: 'en',
  slackChannel: null,
  slackThreadTs: null,
  slackMessageTs: null,
  requestedAt: t0,
  startedAt: t0,
  deployedAt: null,
  completedAt: null,
  durationMs: null,
  errorMessage: null,
  errorStage: null,
  stage: null,
  verifyStatus: null,
  verification: null,
  verifyState: null,
  verifyMessageTs: null,
  reason: null,
  ...patch,
});

const event = (kind: PollerEvent['kind'], d: Deployment): PollerEvent => ({
  kind,
  key: `deployment:${d.id}:${kind}`,
  deployment: d,
  previousStatus: 'deploying',
  status: d.status,
  ncpStatus: d.ncpStatus,
  phase: 'deploy',
  failedPhase: null,
  elapsedMs: 1000,
  limitMs: null,
  at: t0,
});

describe('following a deployment from the CLI', () => {
  it('reads changes from the record when another process polls it (BullMQ): one notice per change', async () => {
    const states = [
      record(),
      record({ ncpStatus: 'prepare' }),
      record({ ncpStatus: 'prepare' }),
      record({ status: 'deploying', ncpStatus: 'pending', deployHistoryId: '1001' }),
      record({
        status: 'success',
        ncpStatus: 'success',
        deployHistoryId: '1001',
        completedAt: new Date(t0.getTime() + 65_000),
        durationMs: 65_000,
      }),
    ];
    let reads = 0;
    const lines: string[] = [];
    const follower = createFollower(createPollerEvents());
    const result = await follower.until({
      id: 7,
      read: () => states[Math.min(reads++, states.length - 1)] ?? null,
      print: (l) => lines.push(l),
      source: 'records',
      intervalMs: 1,
      deadlineMs: 60_000,
      clock: systemClock,
    });
    follower.stop();
    expect(result).toMatchObject({ finished: true, deployment: { status: 'success' } });
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^▶ Deploy of K-Le-PaaS\/test01 main @ c39eb54 started/);
    expect(lines[1]).toContain('SourceBuild reports "prepare"');
    expect(lines[2]).toContain('build succeeded, SourceDeploy run 1001 started');
    expect(lines[3]).toMatch(/^✅ .* succeeded in 1m 05s/);
  });

  it('prints the events of its own deployment, kept from before its id was known, and ends on the final one', async () => {
    const events = createPollerEvents();
    const follower = createFollower(events);
    let current = record({ status: 'deploying', deployHistoryId: '1001' });
    await events.publish(event('started', current));
    await events.publish(event('started', record({ id: 8, repo: 'other' })));
    const lines: string[] = [];
    const done = follower.until({
      id: 7,
      read: () => current,
      print: (l) => lines.push(l),
      source: 'events',
      intervalMs: 5,
      deadlineMs: 60_000,
      clock: systemClock,
    });
    current = record({ status: 'failed', ncpStatus: 'fail', deployHistoryId: '1001', errorStage: 'deploy' });
    await events.publish(event('failed', current));
    const result = await done;
    follower.stop();
    expect(result).toMatchObject({ finished: true, deployment: { status: 'failed' } });
    expect(lines.map((l) => [...l][0])).toEqual(['▶', '❌']);
    expect(lines.join('\n')).not.toContain('other');
  });

  it('says the final state even when its event went to another process, and gives up at the deadline', async () => {
    const lines: string[] = [];
    const follower = createFollower(createPollerEvents());
    const ended = await follower.until({
      id: 7,
      read: () => record({ status: 'timed_out', ncpStatus: 'inprogress', deployHistoryId: '1001' }),
      print: (l) => lines.push(l),
      source: 'events',
      intervalMs: 1,
      deadlineMs: 60_000,
      clock: systemClock,
    });
    expect(ended.finished).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^⌛ .* timed out/);

    const stuck = await follower.until({
      id: 7,
      read: () => record(),
      print: (l) => lines.push(l),
      source: 'events',
      intervalMs: 1,
      deadlineMs: 20,
      clock: systemClock,
    });
    follower.stop();
    expect(stuck).toMatchObject({ finished: false, deployment: { status: 'building' } });
  });

  it('noticeFromRecord names the kind by the status and counts the time from the start', () => {
    const now = new Date(t0.getTime() + 30_000);
    expect(noticeFromRecord(null, record(), now)).toMatchObject({
      kind: 'started',
      notice: { elapsedMs: 30_000 },
    });
    expect(noticeFromRecord(record(), record({ status: 'canceled' }), now).kind).toBe('canceled');
    expect(noticeFromRecord(record(), record({ ncpStatus: 'upload' }), now)).toMatchObject({
      kind: 'progress',
      notice: { phase: 'build', previousStatus: 'building' },
    });
  });
});
