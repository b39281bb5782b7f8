import { Writable } from 'node:stream';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment, Integration } from '../../../src/domain/deployment.ts';
import { createLogger } from '../../../src/log/logger.ts';
import type { DeploymentNotice } from '../../../src/notify/port.ts';
import type { DeploymentPatch } from '../../../src/services/ports.ts';
import { createSlackNotifier, type SlackNotifier } from '../../../src/slack/notifier.ts';
import { createPoster } from '../../../src/slack/web-api.ts';
import { type SlackApiServer, startSlackApi } from '../../servers/slack-api.ts';
import { sampleDeployment } from '../../support/bot-replies.ts';

const now = new Date('2025-10-19T12:00:00Z');
const THREAD = '1700000000.000100';

let api: SlackApiServer;
beforeAll(async () => {
  api = await startSlackApi();
});
afterAll(async () => {
  await api.stop();
});

/** The deployment rows the notifier reads and patches, in memory: only slackMessageTs is ever written. */
function memoryDeployments(initial: Deployment) {
  const rows = new Map<number, Deployment>([[initial.id, initial]]);
  return {
    rows,
    get: (id: number) => rows.get(id) ?? null,
    update(id: number, patch: DeploymentPatch): Deployment {
      const row = { ...(rows.get(id) as Deployment), ...patch };
      rows.set(id, row);
      return row;
    },
  };
}

function setup(d: Deployment, integration: Partial<Integration> | null = null) {
  const deployments = memoryDeployments(d);
  const lines: string[] = [];
  const logger = createLogger({
    level: 'warn',
    format: 'json',
    destination: new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
  // No SDK retries: a refusal or a 429 must be given up on at once, the poller never waits.
  const client = new webApi.WebClient('xoxb-notify', {
    slackApiUrl: api.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const notifier: SlackNotifier = createSlackNotifier({
    // Rate limits are given up on after one Retry-After of 0 s; pacing is not what these tests are about.
    poster: createPoster(client, { pace: { intervalMs: 1, burst: 100, maxWaitMs: 0 } }),
    deployments,
    integrations: { find: () => (integration ? (integration as Integration) : null) },
    timeZone: 'Asia/Seoul',
    logger,
    clock: () => now,
  });
  const notice = (over: Partial<Deployment>, extra: Partial<DeploymentNotice> = {}): DeploymentNotice => {
    const deployment = { ...(deployments.get(d.id) as Deployment), ...over };
    deployments.rows.set(d.id, deployment);
    return {
      deployment,
      previousStatus: 'queued',
      status: deployment.status,
      ncpStatus: deployment.ncpStatus,
      phase: 'deploy',
      failedPhase: null,
      elapsedMs: 12_000,
      limitMs: null,
      at: now,
      ...extra,
    };
  };
  return { deployments, notifier, notice, lines };
}

let nextId = 100;
const fresh = (over: Partial<Deployment> = {}) =>
  sampleDeployment(now, {
    id: ++nextId,
    status: 'deploying',
    ncpStatus: null,
    slackMessageTs: null,
    ...over,
  });
const callsFor = (id: number) => api.calls.filter((c) => JSON.stringify(c.body).includes(`#${id}`));

beforeEach(() => {
  api.calls.length = 0;
});

describe('Slack notifier against the Web API stand-in', () => {
  it('posts one progress message, edits it in place, and replies with the outcome mentioning the requester', async () => {
    const d = fresh({ lang: 'en' });
    const { notifier, notice, deployments } = setup(d);
    // Notices only queue; each is let out before the record moves on, as the poller's ticks are apart.
    await notifier.started(notice({}));
    await notifier.idle();
    await notifier.progress(notice({ ncpStatus: 'inprogress' }, { previousStatus: 'deploying' }));
    await notifier.idle();
    await notifier.succeeded(
      notice(
        { status: 'success', ncpStatus: 'success', durationMs: 45_000 },
        { previousStatus: 'deploying' },
      ),
    );
    await notifier.idle();

    const progressTs = deployments.get(d.id)?.slackMessageTs ?? '';
    expect(progressTs).not.toBe('');
    const calls = callsFor(d.id).map((c) => c.method);
    expect(calls).toEqual(['chat.postMessage', 'chat.update', 'chat.update', 'chat.postMessage']);
    const [first, tick, last, reply] = callsFor(d.id);
    expect(first?.body.thread_ts).toBe(THREAD);
    expect(tick?.body.ts).toBe(progressTs);
    expect(String(tick?.body.text)).toContain('SourceDeploy reports "inprogress"');
    expect(JSON.stringify(tick?.body.blocks)).toContain('12s elapsed');
    expect(last?.body.ts).toBe(progressTs);
    // The progress message ends as the summary (commit, image); only the short reply mentions the requester.
    expect(JSON.stringify(last?.body.blocks)).toContain('`c39eb54` fix: login redirect');
    expect(String(last?.body.text)).toContain('succeeded in 45s');
    for (const c of [first, tick, last])
      expect(`${c?.body.text}${JSON.stringify(c?.body.blocks)}`).not.toContain('<@');
    expect(reply?.body.thread_ts).toBe(THREAD);
    expect(String(reply?.body.text)).toContain('succeeded in 45s');
    expect(String(reply?.body.text).match(/<@U_ASKER>/g)).toHaveLength(1);
    expect(JSON.stringify(reply?.body.blocks).match(/<@U_ASKER>/g)).toHaveLength(1);
    expect(JSON.stringify(reply?.body.blocks)).not.toContain('fix: login redirect');
    expect(String(reply?.body.reply_broadcast)).toBe('false');
  });

  it('broadcasts failures and time-outs to the channel; a cancel stays in the thread', async () => {
    for (const [kind, status, broadcast] of [
      ['failed', 'failed', 'true'],
      ['timedOut', 'timed_out', 'true'],
      ['canceled', 'canceled', 'false'],
    ] as const) {
      const d = fresh();
      const { notifier, notice } = setup(d);
      await notifier[kind](notice({ status, errorStage: 'deploy', errorMessage: 'pod <crash> & loop' }));
      await notifier.idle();
      const reply = callsFor(d.id).find((c) => c.method === 'chat.postMessage');
      expect(reply?.body.thread_ts).toBe(THREAD);
      expect(String(reply?.body.reply_broadcast)).toBe(broadcast);
      expect(String(reply?.body.text)).toContain('<@U_ASKER>');
      if (kind === 'failed') expect(String(reply?.body.text)).toContain('pod &lt;crash&gt; &amp; loop');
    }
  });

  it('sends deployments started outside Slack to the notice channel, threading the outcome under the progress', async () => {
    const d = fresh({ requestedVia: 'cli', requestedBy: 'alice', slackChannel: null, slackThreadTs: null });
    const { notifier, notice, deployments } = setup(d, { noticeChannel: 'C_NOTICES' });
    await notifier.started(notice({}));
    await notifier.failed(notice({ status: 'failed', errorStage: 'deploy' }));
    await notifier.idle();
    const [top, , reply] = callsFor(d.id);
    expect(top?.body.channel).toBe('C_NOTICES');
    expect(top?.body.thread_ts).toBeUndefined();
    expect(String(top?.body.text)).toContain('요청: alice');
    expect(String(top?.body.text)).not.toContain('<@');
    expect(reply?.body.thread_ts).toBe(deployments.get(d.id)?.slackMessageTs);
    expect(String(reply?.body.reply_broadcast)).toBe('true');
  });

  it('says nothing when the deployment has no thread and the integration no notice channel', async () => {
    const d = fresh({ requestedVia: 'console', slackChannel: null, slackThreadTs: null });
    const { notifier, notice } = setup(d, { noticeChannel: null });
    await notifier.started(notice({}));
    await notifier.succeeded(notice({ status: 'success' }));
    await notifier.idle();
    expect(callsFor(d.id)).toEqual([]);
  });

  it('logs Slack refusals and rate limits, keeps going, and reposts a progress message Slack lost', async () => {
    const d = fresh({ lang: 'en' });
    const { notifier, notice, deployments, lines } = setup(d);
    api.failNext('chat.postMessage', { error: 'not_in_channel' });
    await notifier.started(notice({}));
    await notifier.idle();
    expect(deployments.get(d.id)?.slackMessageTs).toBeNull();
    expect(lines.join('')).toContain('not_in_channel');

    await notifier.progress(notice({ ncpStatus: 'inprogress' }));
    await notifier.idle();
    const firstTs = deployments.get(d.id)?.slackMessageTs ?? '';
    expect(firstTs).not.toBe('');

    api.failNext('chat.update', { error: 'message_not_found' });
    await notifier.progress(notice({ ncpStatus: 'inprogress' }));
    await notifier.idle();
    const secondTs = deployments.get(d.id)?.slackMessageTs ?? '';
    expect(secondTs).not.toBe(firstTs);

    api.failNext('chat.update', { status: 429, retryAfterSec: 0 });
    api.failNext('chat.postMessage', { status: 429, retryAfterSec: 0 });
    await expect(
      notifier.succeeded(notice({ status: 'success', ncpStatus: 'success', durationMs: 1000 })),
    ).resolves.toBeUndefined();
    await notifier.idle();
    expect(api.callsOf('chat.postMessage').filter((c) => c.failedWith !== null)).toHaveLength(2);
    expect(lines.filter((l) => l.includes('notice is skipped')).length).toBeGreaterThanOrEqual(3);
  });

  it('drops progress ticks that a newer one overtook while they waited', async () => {
    const d = fresh({ lang: 'en' });
    const { notifier, notice } = setup(d);
    await notifier.started(notice({}));
    await notifier.idle();
    // Five ticks queued at once (Slack slow, the poller not): only the newest is worth an edit.
    for (const status of ['s1', 's2', 's3', 's4', 's5'])
      await notifier.progress(notice({ ncpStatus: status }, { ncpStatus: status }));
    await notifier.idle();
    const edits = callsFor(d.id).filter((c) => c.method === 'chat.update');
    expect(edits.length).toBeLessThanOrEqual(2);
    expect(String(edits.at(-1)?.body.text)).toContain('"s5"');
  });

  it('never lets a late progress tick overwrite a finished deployment', async () => {
    const d = fresh();
    const { notifier, notice, deployments } = setup(d);
    await notifier.started(notice({}));
    await notifier.idle();
    const stale = notice({ status: 'deploying', ncpStatus: 'inprogress' });
    deployments.update(d.id, { status: 'success' });
    await notifier.progress(stale);
    await notifier.idle();
    expect(callsFor(d.id).map((c) => c.method)).toEqual(['chat.postMessage']);
  });
});

describe('the verification card', () => {
  const figures = (over: Partial<NonNullable<Deployment['verification']>> = {}) => ({
    status: 'verifying' as const,
    startedAt: now.toISOString(),
    endedAt: null,
    windowMs: 300_000,
    elapsedMs: 60_000,
    checks: 4,
    healthStatus: 200,
    healthProblem: null,
    metrics: 'ok' as const,
    metricsProblem: null,
    requests: 1200,
    errorShare: 0.004,
    p95Ms: 180,
    maxErrorShare: 0.05,
    maxP95Ms: 30_000,
    failed: null,
    autoRollbackId: null,
    rollbackTargetSha: null,
    ...over,
  });

  it('is one message in the thread, edited after each look, ending as the verdict', async () => {
    const d = fresh({
      operation: 'deploy',
      status: 'success',
      lang: 'en',
      slackMessageTs: '1700000000.000200',
    });
    const { notifier, notice, deployments } = setup(d);
    await notifier.verifying(notice({ verifyStatus: 'verifying', verification: figures({ checks: 1 }) }));
    await notifier.idle();
    await notifier.verifying(notice({ verification: figures() }));
    await notifier.idle();
    await notifier.verified(
      notice({ verifyStatus: 'verified', verification: figures({ status: 'verified', elapsedMs: 300_000 }) }),
    );
    await notifier.idle();
    const cardTs = deployments.get(d.id)?.verifyMessageTs ?? '';
    expect(cardTs).not.toBe('');
    const calls = api.calls.filter((c) => c.method.startsWith('chat.'));
    expect(calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update', 'chat.update']);
    expect(calls[0]?.body.thread_ts).toBe(THREAD);
    expect(calls[1]?.body.ts).toBe(cardTs);
    expect(String(calls[1]?.body.text)).toContain('health 200 · 5xx 0.4 % · p95 180 ms · 1 min of 5 min');
    expect(String(calls[2]?.body.text)).toBe('✅ verified: health 200 · 5xx 0.4 % · p95 180 ms over 5 min');
  });

  it('a failed deploy offers the rollback button to what ran before and notifies in the thread', async () => {
    const target = 'abc1234567890abc1234567890abc1234567890a';
    const d = fresh({
      operation: 'deploy',
      status: 'success',
      lang: 'ko',
      slackMessageTs: '1700000000.000300',
    });
    const { notifier, notice } = setup(d);
    await notifier.verificationFailed(
      notice({
        verifyStatus: 'verification_failed',
        verification: figures({
          status: 'verification_failed',
          errorShare: 0.12,
          failed: { check: 'error_share', value: 0.12, threshold: 0.05 },
          rollbackTargetSha: target,
        }),
      }),
    );
    await notifier.idle();
    const [card, alert] = api.calls.filter((c) => c.method === 'chat.postMessage');
    // The fallback text is escaped mrkdwn, as every message's is.
    expect(String(card?.body.text)).toContain('❌ 검증 실패: 5xx 12.0 % &gt; 기준 5.0 %');
    const blocks = JSON.stringify(card?.body.blocks);
    expect(blocks).toContain('"action_id":"rollback_to:');
    expect(blocks).toContain(`\\"sha\\":\\"${target}\\"`);
    expect(String(alert?.body.reply_broadcast)).toBe('false');
    expect(JSON.stringify(alert?.body.blocks)).toContain('<@U_ASKER>');
  });

  it('a rollback that fails verification is broadcast, with no button and no further automatic rollback', async () => {
    const d = fresh({
      operation: 'rollback',
      status: 'success',
      lang: 'en',
      slackMessageTs: '1700000000.000400',
    });
    const { notifier, notice } = setup(d);
    await notifier.verificationFailed(
      notice({
        verifyStatus: 'verification_failed',
        verification: figures({
          status: 'verification_failed',
          healthStatus: 503,
          failed: { check: 'health', detail: 'HTTP 503', failures: 3 },
          rollbackTargetSha: null,
        }),
      }),
    );
    await notifier.idle();
    const [card, alert] = api.calls.filter((c) => c.method === 'chat.postMessage');
    expect(JSON.stringify(card?.body.blocks)).not.toContain('rollback_to');
    expect(String(alert?.body.reply_broadcast)).toBe('true');
    expect(String(alert?.body.text)).toContain(
      '🚨 the rollback failed verification: health failed 3 times in a row: HTTP 503',
    );
    expect(String(alert?.body.text)).toContain('no further automatic rollback');
  });
});
