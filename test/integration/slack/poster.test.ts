import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../../src/slack/blocks/kit.ts';
import { createPoster, describeSlackError, SlackRateLimitedError } from '../../../src/slack/web-api.ts';
import { type SlackApiServer, startSlackApi } from '../../servers/slack-api.ts';
import { waitUntil } from '../../support/slack-harness.ts';

let api: SlackApiServer;
beforeAll(async () => {
  api = await startSlackApi();
});
afterAll(async () => {
  await api.stop();
});
beforeEach(() => {
  api.calls.length = 0;
  api.storms.clear();
  api.enforcePace(null);
});

const msg = (text: string): SlackMessage => ({ blocks: [], text });
const client = (opts: ConstructorParameters<typeof webApi.WebClient>[1] = {}) =>
  new webApi.WebClient('xoxb-test', {
    slackApiUrl: api.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    ...opts,
  });

describe('describeSlackError reads the rate limit however the SDK reports it', () => {
  it('with rejectRateLimitedCalls, and after the SDK retried 429s and gave up', async () => {
    api.storms.set('C_LIMIT', 2);
    const rejected = await client()
      .chat.postMessage({ channel: 'C_LIMIT', text: 'x' })
      .catch((e: unknown) => e);
    expect(describeSlackError(rejected)).toEqual({ code: 'ratelimited', retryAfterSec: 2 });

    api.storms.set('C_LIMIT', 0);
    // The old configuration: the SDK retries, then throws a request error wrapping the 429.
    const exhausted = await client({
      rejectRateLimitedCalls: false,
      retryConfig: { retries: 1, minTimeout: 1, maxTimeout: 2 },
    })
      .chat.postMessage({ channel: 'C_LIMIT', text: 'x' })
      .catch((e: unknown) => e);
    expect(describeSlackError(exhausted)).toEqual({ code: 'ratelimited', retryAfterSec: 0 });

    api.notMember.add('C_GONE');
    const refused = await client()
      .chat.postMessage({ channel: 'C_GONE', text: 'x' })
      .catch((e: unknown) => e);
    expect(describeSlackError(refused)?.code).toBe('not_in_channel');
    api.notMember.delete('C_GONE');
  });
});

describe('the poster', () => {
  it('paces posts per channel: a burst, then one per interval, and Slack never has to refuse one', async () => {
    const pace = { intervalMs: 50, burst: 2, maxWaitMs: 5000 };
    // Slack measures on arrival, we on sending: its pace is a little looser than ours, as Slack's own is.
    api.enforcePace({ intervalMs: 40, burst: 2 });
    const poster = createPoster(client(), { pace });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 6 }, (_, i) => poster.post({ channel: 'C_A' }, msg(`a${i}`))));
    const posts = api.callsOf('chat.postMessage');
    expect(posts).toHaveLength(6);
    expect(posts.every((c) => c.failedWith === null)).toBe(true);
    // Two at once, the other four an interval apart.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4 * pace.intervalMs - 10);
    expect(posts.map((c) => c.body.text)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
  });

  it('a 429 storm in one channel holds that channel only; it gives up after its patience', async () => {
    const poster = createPoster(client(), { pace: { intervalMs: 1, burst: 10, maxWaitMs: 1500 } });
    api.storms.set('C_STORM', 1);
    const stormed = poster.post({ channel: 'C_STORM' }, msg('stormed')).catch((e: unknown) => e);
    await api.waitFor((c) => c.body.channel === 'C_STORM');
    const t0 = Date.now();
    await poster.post({ channel: 'C_CALM' }, msg('calm'));
    await poster.ephemeral({ channel: 'C_CALM', user: 'U1' }, msg('private'));
    expect(Date.now() - t0).toBeLessThan(500);
    const err = await stormed;
    expect(err).toBeInstanceOf(SlackRateLimitedError);
    expect(describeSlackError(err)?.code).toBe('ratelimited');
    // It waited out each Retry-After before trying again (1 s apart), then stopped.
    const tries = api.calls.filter((c) => c.body.channel === 'C_STORM');
    expect(tries.length).toBeGreaterThanOrEqual(2);
    expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('a storm that clears in time: the post goes out after Retry-After', async () => {
    const poster = createPoster(client(), { pace: { intervalMs: 1, burst: 10, maxWaitMs: 5000 } });
    api.storms.set('C_BRIEF', 1);
    const done = poster.post({ channel: 'C_BRIEF' }, msg('late'));
    await api.waitFor((c) => c.body.channel === 'C_BRIEF');
    api.storms.delete('C_BRIEF');
    await expect(done).resolves.toMatch(/^\d+\.\d+$/);
  });

  it('coalesces queued edits of one message into the newest', async () => {
    const poster = createPoster(client(), { pace: { intervalMs: 100, burst: 1, maxWaitMs: 5000 } });
    await poster.post({ channel: 'C_EDIT' }, msg('first'));
    const edits = [1, 2, 3, 4].map((n) => poster.update({ channel: 'C_EDIT', ts: '1.1' }, msg(`tick ${n}`)));
    await Promise.all(edits);
    await waitUntil(() => poster.pending('C_EDIT') === 0);
    const sent = api.callsOf('chat.update').map((c) => c.body.text);
    // All four waited for the channel's next slot; only the newest went out, and every caller got an answer.
    expect(sent).toEqual(['tick 4']);
  });
});
