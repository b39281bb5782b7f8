import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackApiCall } from '../servers/slack-api.ts';
import { SHA_TARGET } from '../support/bot-replies.ts';
import { SIGNING_SECRET, type SlackHarness, startSlackHarness, waitUntil } from '../support/slack-harness.ts';
import { signCommand, signEvent } from '../support/slack-sign.ts';

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(async () => {
  await h?.stop();
});

type Blocks = {
  type: string;
  elements?: { action_id?: string; value?: string }[];
  text?: { text: string };
}[];
const blocksOf = (c: SlackApiCall): Blocks => (c.body.blocks ?? []) as Blocks;
const buttonsOf = (c: SlackApiCall) =>
  blocksOf(c).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));
const handled = (text: string) => h.calls.filter((c) => c.method === 'handleMessage' && c.msg.text === text);

let tsSeq = 0;
const nextTs = () => `1700000000.${String(++tsSeq).padStart(6, '0')}`;

function mention(text: string, extra: Record<string, unknown> = {}) {
  return h.eventEnvelope({
    type: 'app_mention',
    user: 'U_ASKER',
    text: `<@U_BOT> ${text}`,
    ts: nextTs(),
    channel: 'C_OPS',
    ...extra,
  });
}

function pressPayload(
  post: SlackApiCall,
  actionId: string,
  value: string,
  user = 'U_ASKER',
  trigger = `t-${nextTs()}`,
) {
  return {
    type: 'block_actions',
    trigger_id: trigger,
    team: { id: 'T_TEAM' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T_TEAM' },
    api_app_id: 'A_APP',
    token: 'legacy',
    container: { type: 'message', message_ts: post.body.ts ?? 'x', channel_id: 'C_OPS', is_ephemeral: false },
    channel: { id: 'C_OPS', name: 'ops' },
    message: {
      type: 'message',
      ts: `1700000200.${String(++tsSeq).padStart(6, '0')}`,
      thread_ts: post.body.thread_ts,
      text: post.body.text,
      blocks: post.body.blocks,
    },
    response_url: h.api.responseUrl(),
    actions: [
      { action_id: actionId, block_id: 'b', value, type: 'button', action_ts: `${Date.now() / 1000}` },
    ],
  };
}

describe('Slack app over HTTP against the Web API stand-in', () => {
  it('answers GET /healthz with 200 JSON', async () => {
    const res = await fetch(`${h.base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, checks: {} });
  });

  it('acks a slash command well under 3 s and posts the confirmation in the channel', async () => {
    const started = performance.now();
    const res = await h.command('/rollback', 'K-Le-PaaS/test01');
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(elapsed).toBeLessThan(3000);
    const post = await h.api.waitFor(
      (c) => c.method === 'chat.postMessage' && String(c.body.text).includes('Roll K-Le-PaaS/test01 back'),
    );
    expect(post.body.channel).toBe('C_OPS');
    expect(post.headers.authorization).toBe('Bearer xoxb-test-token');
    expect(buttonsOf(post).map((b) => b.action_id)).toEqual(['confirm_go', 'confirm_cancel']);
    const call = handled('K-Le-PaaS/test01')[0];
    expect(call?.method === 'handleMessage' && call.msg.hint).toBe('rollback');
  });

  it('maps /rollback diagnose to the diagnose hint and help to a private response_url answer', async () => {
    await h.command('/rollback', 'diagnose test01');
    await h.api.waitFor(
      (c) => c.method === 'chat.postMessage' && String(c.body.text).includes('ready to roll back'),
    );
    const diag = handled('diagnose test01')[0];
    expect(diag?.method === 'handleMessage' && diag.msg.hint).toBe('diagnose');

    await h.command('/rollback', 'help');
    const help = await h.api.waitFor(
      (c) => c.method === 'response_url' && String(c.body.text).includes('/deploy test01 main'),
    );
    expect(help.body.response_type).toBe('ephemeral');
  });

  it('where the bot is not in the channel: reports go by response_url, buttons never; the person learns how to invite it', async () => {
    h.api.notMember.add('C_PRIVATE');
    const t0 = Date.now();
    await h.command('/rollback', 'history test01', { channel_id: 'C_PRIVATE' });
    const report = await h.api.waitFor(
      (c) =>
        c.method === 'response_url' && c.at >= t0 && String(c.body.text).includes('K-Le-PaaS/test01 history'),
    );
    expect(report.body.response_type).toBe('in_channel');

    // The candidates list still goes out, without its "roll back to this" buttons.
    const t1 = Date.now();
    await h.command('/rollback', 'candidates test01', { channel_id: 'C_PRIVATE' });
    const list = await h.api.waitFor(
      (c) => c.method === 'response_url' && c.at >= t1 && String(c.body.text).includes('rollback targets'),
    );
    expect(list.body.response_type).toBe('in_channel');
    expect(JSON.stringify(list.body.blocks)).not.toContain('rollback_to');
    await h.api.waitFor(
      (c) => c.method === 'response_url' && c.at >= t1 && String(c.body.text).includes('/invite @klepaas'),
    );

    const decidedBefore = h.calls.filter((c) => c.method === 'decide').length;
    await h.command('/deploy', 'test01 main', { channel_id: 'C_PRIVATE' });
    const told = await h.api.waitFor(
      (c) => c.method === 'response_url' && String(c.body.text).includes('/invite @klepaas'),
    );
    expect(told.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(told.body.blocks)).not.toContain('confirm_go');
    expect(
      h.api.calls.some((c) => c.method === 'response_url' && String(c.body.text).includes('Deploy main')),
    ).toBe(false);
    // The confirmation nobody can see is canceled, so no copy of it can be pressed either.
    await waitUntil(
      () => h.calls.filter((c) => c.method === 'decide').length > decidedBefore,
      3000,
      'the cancel',
    );
    expect(h.calls.filter((c) => c.method === 'decide').at(-1)).toMatchObject({ decision: 'cancel' });
    h.api.notMember.delete('C_PRIVATE');
  });

  it('answers an app_mention in the thread of the message, without the bot mention', async () => {
    const env = mention('status K-Le-PaaS/test01');
    await h.sendEvent(env);
    const ts = (env.event as { ts: string }).ts;
    const post = await h.api.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === ts);
    expect(post.body.channel).toBe('C_OPS');
    expect(handled('status K-Le-PaaS/test01')).toHaveLength(1);
  });

  it('replies in the existing thread when mentioned inside one', async () => {
    const env = mention('history test01', { thread_ts: '1690000000.000001' });
    await h.sendEvent(env);
    await h.api.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === '1690000000.000001');
  });

  it('runs a retried event (same event_id, X-Slack-Retry-Num 1..3) once', async () => {
    const env = mention('candidates retried-once');
    const responses = [await h.sendEvent(env)];
    for (const n of [1, 2, 3]) {
      responses.push(
        await h.sendEvent(env, { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' }),
      );
    }
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await waitUntil(
      () => h.eventLog.checks.get(`event:${env.event_id}`) === 4,
      5000,
      'four deliveries checked',
    );
    await h.api.waitFor(
      (c) => c.method === 'chat.postMessage' && String(c.body.text).includes('rollback targets'),
    );
    expect(handled('candidates retried-once')).toHaveLength(1);
  });

  it('replaces the buttons after a confirm press; a double press asks the dispatcher twice and starts once', async () => {
    const env = mention('rollback K-Le-PaaS/test01 double');
    await h.sendEvent(env);
    const ts = (env.event as { ts: string }).ts;
    const confirm = await h.api.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === ts);
    const go = buttonsOf(confirm).find((b) => b.action_id === 'confirm_go');
    expect(go?.value).toMatch(/^rb-/);
    const pendingId = go?.value ?? '';

    const first = pressPayload(confirm, 'confirm_go', pendingId);
    const [r1, r2] = await Promise.all([h.press(first), h.press({ ...first, trigger_id: 'second-press' })]);
    expect([r1.status, r2.status]).toEqual([200, 200]);

    const update = await h.api.waitFor((c) => c.method === 'chat.update' && c.body.ts === first.message.ts);
    expect(blocksOf(update).some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(update.body.blocks)).toContain('<@U_ASKER> went ahead at');
    // The details people read before pressing stay on the message.
    expect(JSON.stringify(update.body.blocks)).toContain('c39eb54');

    await h.api.waitFor((c) => c.method === 'chat.postMessage' && String(c.body.text).includes('started'));
    await h.api.waitFor(
      (c) => c.method === 'chat.postEphemeral' && String(c.body.text).includes('already decided'),
    );
    await waitUntil(
      () => h.calls.filter((c) => c.method === 'decide' && c.pendingId === pendingId).length === 2,
    );
    const decide = h.calls.find((c) => c.method === 'decide' && c.pendingId === pendingId);
    expect(decide?.method === 'decide' && decide.actor).toEqual({
      via: 'slack',
      user: 'U_ASKER',
      channel: 'C_OPS',
      threadTs: ts,
    });
  });

  it('a cancel press replaces the buttons with who canceled', async () => {
    const env = mention('rollback K-Le-PaaS/test01 cancel-me');
    await h.sendEvent(env);
    const ts = (env.event as { ts: string }).ts;
    const confirm = await h.api.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === ts);
    const pendingId = buttonsOf(confirm).find((b) => b.action_id === 'confirm_cancel')?.value ?? '';
    const payload = pressPayload(confirm, 'confirm_cancel', pendingId, 'U_OTHER');
    await h.press(payload);
    const update = await h.api.waitFor((c) => c.method === 'chat.update' && c.body.ts === payload.message.ts);
    expect(JSON.stringify(update.body.blocks)).toContain('<@U_OTHER> canceled at');
  });

  it('a choose-repo press continues the same request and a "roll back to this" press asks for that commit', async () => {
    const env = mention('rollback ambiguous test01');
    await h.sendEvent(env);
    const ts = (env.event as { ts: string }).ts;
    const choose = await h.api.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === ts);
    const btn = buttonsOf(choose)[1];
    expect(btn?.action_id).toBe('choose_repo:1');
    const payload = pressPayload(choose, btn?.action_id ?? '', btn?.value ?? '');
    await h.press(payload);
    const update = await h.api.waitFor((c) => c.method === 'chat.update' && c.body.ts === payload.message.ts);
    expect(JSON.stringify(update.body.blocks)).toContain('chose *other/test01*');
    await waitUntil(() => h.calls.some((c) => c.method === 'chooseRepo' && c.repo.owner === 'other'));

    const cand = mention('candidates buttons');
    await h.sendEvent(cand);
    const list = await h.api.waitFor(
      (c) => c.method === 'chat.postMessage' && c.body.thread_ts === (cand.event as { ts: string }).ts,
    );
    const rollBtn = (list.body.blocks as { accessory?: { action_id: string; value: string } }[]).find(
      (b) => b.accessory?.action_id === 'rollback_to:1',
    )?.accessory;
    expect(rollBtn).toBeDefined();
    await h.press(pressPayload(list, rollBtn?.action_id ?? '', rollBtn?.value ?? ''));
    await waitUntil(() => handled(`K-Le-PaaS/test01 ${SHA_TARGET}`).length === 1);
    const call = handled(`K-Le-PaaS/test01 ${SHA_TARGET}`)[0];
    expect(call?.method === 'handleMessage' && call.msg.hint).toBe('rollback');
  });

  it('rejects a bad signature and a stale timestamp with 401, running nothing', async () => {
    const before = h.calls.length;
    const bad = signCommand('wrong-secret', {
      command: '/rollback',
      text: 'test01',
      user_id: 'U1',
      channel_id: 'C1',
    });
    expect((await h.send(bad)).status).toBe(401);
    const stale = signEvent(SIGNING_SECRET, mention('rollback stale'), Date.now() - 6 * 60_000);
    expect((await h.send(stale)).status).toBe(401);
    // Correctly signed, but dated ten minutes ahead: refused the same way.
    const future = signEvent(SIGNING_SECRET, mention('rollback future'), Date.now() + 10 * 60_000);
    expect((await h.send(future)).status).toBe(401);
    const futureCommand = signCommand(
      SIGNING_SECRET,
      { command: '/rollback', text: 'test01', user_id: 'U1', channel_id: 'C1' },
      Date.now() + 10 * 60_000,
    );
    expect((await h.send(futureCommand)).status).toBe(401);
    // A clock a little ahead is fine.
    const ahead = signEvent(SIGNING_SECRET, mention('status ahead'), Date.now() + 60_000);
    expect((await h.send(ahead)).status).toBe(200);
    await waitUntil(() => h.calls.length > before, 3000, 'the request a minute ahead');
    expect(h.calls.slice(before).map((c) => (c.method === 'handleMessage' ? c.msg.text : c.method))).toEqual([
      'status ahead',
    ]);
  });

  it("ignores the bot's own messages, other bots and edits in DMs, and answers a person's DM", async () => {
    const dm = (event: Record<string, unknown>) =>
      h.sendEvent(
        h.eventEnvelope({ type: 'message', channel: 'D_DM', channel_type: 'im', ts: nextTs(), ...event }),
      );
    await dm({ user: 'U_BOT', text: 'rollback from myself' });
    await dm({ bot_id: 'B_OTHER', user: 'U_X', text: 'rollback from a bot' });
    await dm({ subtype: 'message_changed', text: 'rollback edited', message: { text: 'x' } });
    await dm({ user: 'U_ASKER', text: 'help me' });
    const answer = await h.api.waitFor((c) => c.method === 'chat.postMessage' && c.body.channel === 'D_DM');
    // A DM is a chat: the answer goes inline, not in a thread under the person's message.
    expect(answer.body.thread_ts).toBeUndefined();
    // A reply also sent to the conversation and a message with a file are still a person asking.
    await dm({
      user: 'U_ASKER',
      subtype: 'thread_broadcast',
      thread_ts: '1700000000.000001',
      text: 'status a',
    });
    await dm({ user: 'U_ASKER', subtype: 'file_share', text: 'status b', files: [{ id: 'F1' }] });
    await waitUntil(
      () => h.calls.filter((c) => c.method === 'handleMessage' && c.msg.actor.channel === 'D_DM').length >= 3,
      3000,
      'the broadcast and the file share',
    );
    const dmTexts = h.calls.flatMap((c) =>
      c.method === 'handleMessage' && c.msg.actor.channel === 'D_DM' ? [c.msg.text] : [],
    );
    expect(dmTexts).toEqual(['help me', 'status a', 'status b']);
    const inThread = await h.api.waitFor(
      (c) => c.method === 'chat.postMessage' && c.body.channel === 'D_DM' && c.body.thread_ts !== undefined,
    );
    expect(inThread.body.thread_ts).toBe('1700000000.000001');
  });

  it('turns a dispatcher crash into a short message in the user language, no stack trace', async () => {
    const env = mention('K-Le-PaaS/test01 boom 롤백');
    await h.sendEvent(env);
    const post = await h.api.waitFor(
      (c) => c.method === 'chat.postMessage' && c.body.thread_ts === (env.event as { ts: string }).ts,
    );
    expect(String(post.body.text)).toContain('문제가 생겨');
    expect(JSON.stringify(post.body)).not.toMatch(/at Object|database is locked|\.ts:\d/);
  });

  it('still delivers the reply when Slack rate limits once with Retry-After', async () => {
    const env = mention('what is this gibberish');
    const ts = (env.event as { ts: string }).ts;
    h.api.failNext('chat.postMessage', { status: 429, retryAfterSec: 1 }, 1, (c) => c.body.thread_ts === ts);
    await h.sendEvent(env);
    const post = await h.api.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.thread_ts === ts &&
        c.failedWith === null &&
        String(c.body.text).includes("didn't understand"),
      8000,
    );
    const attempts = h.api.callsOf('chat.postMessage').filter((c) => c.body.thread_ts === ts);
    expect(attempts.map((c) => c.failedWith)).toEqual([{ status: 429, retryAfterSec: 1 }, null]);
    expect(post.at - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });
});
