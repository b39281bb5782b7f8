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
