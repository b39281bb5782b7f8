import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import type { Deployment } from '../../src/domain/deployment.ts';
import { shortSha } from '../../src/domain/repo-ref.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { type Runtime, startRuntime } from '../../src/runtime/app.ts';
import { type SlackFrontEnd, startSlackFrontEnd } from '../../src/slack/main.ts';
import { type SlackApiCall, type SlackApiServer, startSlackApi } from '../servers/slack-api.ts';
import { waitUntil } from '../support/slack-harness.ts';
import { type SignedRequest, signCommand, signEvent, signInteraction } from '../support/slack-sign.ts';

/**
 * The whole product behind Slack: the real runtime (SQLite file, NCP simulator, in-process poller,
 * services, dispatcher) and the real Bolt app over HTTP, driven by signed requests as Slack sends them,
 * answering through the Web API stand-in.
 */
const SECRET = 'flow-signing-secret';
const OPS = 'C_OPS';
const ASKER = 'U_ASKER';
const OTHER = 'U_OTHER';
const REPO = { owner: 'K-Le-PaaS', repo: 'test01' };
const PACE = { intervalMs: 40, burst: 3, maxWaitMs: 2500 };

let dir: string;
let api: SlackApiServer;
let runtime: Runtime;
let front: SlackFrontEnd;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'klepaas-slack-flow-'));
  api = await startSlackApi();
  const config = loadConfig({
    DATABASE_PATH: join(dir, 'bot.db'),
    SIM_PHASE_MS: '150',
    POLL_INTERVAL_MS: '100',
    SLACK_BOT_TOKEN: 'xoxb-flow-token',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: api.apiUrl,
    PORT: '0',
    ALLOWED_CHANNELS: OPS,
    LOG_LEVEL: 'silent',
  });
  runtime = await startRuntime(config, { logger: silentLogger() });
  // Slack's per-channel pace, scaled down so a 50-command burst takes seconds: the stand-in answers 429 to
  // any post beyond it, so the bot must keep to it.
  // It measures on arrival and we on sending, so its pace is a little looser than the bot's.
  api.enforcePace({ intervalMs: PACE.intervalMs - 10, burst: PACE.burst });
  front = await startSlackFrontEnd(config, runtime, silentLogger(), { pace: PACE });
  base = `http://127.0.0.1:${front.port}`;
}, 30_000);

afterAll(async () => {
  await front?.stop();
  await runtime?.close();
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const send = (req: SignedRequest, headers: Record<string, string> = {}) =>
  fetch(`${base}/slack/events`, { method: 'POST', headers: { ...req.headers, ...headers }, body: req.body });

let seq = 0;
const nextTs = () => `1710000000.${String(++seq).padStart(6, '0')}`;

function envelope(event: Record<string, unknown>) {
  return {
    token: 'legacy',
    team_id: 'T_TEAM',
    api_app_id: 'A_APP',
    type: 'event_callback',
    event_id: `EvFlow${++seq}`,
    event_time: Math.floor(Date.now() / 1000),
    event,
  };
}

const mention = (text: string, channel = OPS, user = ASKER) =>
  envelope({ type: 'app_mention', user, text: `<@U_BOT> ${text}`, ts: nextTs(), channel });

const threadOf = (env: ReturnType<typeof envelope>) => (env.event as { ts: string }).ts;

function command(name: '/rollback' | '/deploy', text: string, channel = OPS) {
  return send(
    signCommand(SECRET, {
      token: 'legacy',
      team_id: 'T_TEAM',
      channel_id: channel,
      channel_name: 'ops',
      user_id: ASKER,
      user_name: 'asker',
      command: name,
      text,
      response_url: api.responseUrl(),
      trigger_id: `flow-trigger-${++seq}`,
      api_app_id: 'A_APP',
    }),
  );
}

interface Button {
  action_id?: string;
  value?: string;
}
const buttonsOf = (c: SlackApiCall): Button[] =>
  ((c.body.blocks ?? []) as { type: string; elements?: Button[] }[]).flatMap((b) =>
    b.type === 'actions' ? (b.elements ?? []) : [],
  );
const everything = (c: SlackApiCall) => `${String(c.body.text)} ${JSON.stringify(c.body.blocks ?? [])}`;
const posts = (thread: string) =>
  api.callsOf('chat.postMessage').filter((c) => c.body.thread_ts === thread && c.body.channel === OPS);
const confirmationsIn = (thread: string) =>
  posts(thread).filter((c) => buttonsOf(c).some((b) => b.action_id === 'confirm_go'));

/** A press on a confirmation in a thread, as Slack sends it (the message's ts is what chat.update targets). */
function press(confirmation: SlackApiCall, actionId: string, user: string, messageTs: string) {
  const value = buttonsOf(confirmation).find((b) => b.action_id === actionId)?.value ?? '';
  return send(
    signInteraction(SECRET, {
      type: 'block_actions',
      trigger_id: `flow-press-${++seq}`,
      team: { id: 'T_TEAM' },
      user: { id: user, username: user.toLowerCase(), team_id: 'T_TEAM' },
      api_app_id: 'A_APP',
      token: 'legacy',
      container: { type: 'message', message_ts: messageTs, channel_id: OPS, is_ephemeral: false },
      channel: { id: OPS, name: 'ops' },
      message: {
        type: 'message',
        ts: messageTs,
        thread_ts: confirmation.body.thread_ts,
        text: confirmation.body.text,
        blocks: confirmation.body.blocks,
      },
      response_url: api.responseUrl(),
      actions: [
        { action_id: actionId, block_id: 'b', value, type: 'button', action_ts: `${Date.now() / 1000}` },
      ],
    }),
  );
}

const rollbacksBy = (user: string): Deployment[] =>
  runtime.stores.deployments
    .history(REPO.owner, REPO.repo, 1000)
    .filter((d) => d.operation === 'rollback' && d.requestedBy === user);

async function askForRollback(): Promise<{ thread: string; confirmation: SlackApiCall }> {
  const env = mention('K-Le-PaaS/test01 롤백 해줘');
  expect((await send(signEvent(SECRET, env))).status).toBe(200);
  const thread = threadOf(env);
  const confirmation = await api.waitFor(
    (c) => c.method === 'chat.postMessage' && c.body.thread_ts === thread && buttonsOf(c).length > 0,
  );
  return { thread, confirmation };
}

const settled = (id: number) => () => {
  const d = runtime.stores.deployments.get(id);
  return d !== null && d.status !== 'queued' && d.status !== 'building' && d.status !== 'deploying';
};

describe('Slack front end on the real runtime', () => {
  it('mention → confirmation → go → progress edited in place → completion mentioning the requester', async () => {
    const running = runtime.stores.deployments.current(REPO.owner, REPO.repo);
    const previous = runtime.stores.deployments.successfulDeploys(REPO.owner, REPO.repo, 5)[1];
    expect(running?.commitSha && previous?.commitSha).toBeTruthy();

    const { thread, confirmation } = await askForRollback();
    const shown = everything(confirmation);
    expect(shown).toContain('K-Le-PaaS/test01');
    expect(shown).toContain(shortSha(running?.commitSha ?? ''));
    expect(shown).toContain(shortSha(previous?.commitSha ?? ''));
    expect(shown).toContain('1단계');
    expect(shown).toContain('NCR에 이미지 있음');
    expect(buttonsOf(confirmation).map((b) => b.action_id)).toEqual(['confirm_go', 'confirm_cancel']);

    const confirmationTs = nextTs();
    expect((await press(confirmation, 'confirm_go', ASKER, confirmationTs)).status).toBe(200);
    const swapped = await api.waitFor((c) => c.method === 'chat.update' && c.body.ts === confirmationTs);
    expect(buttonsOf(swapped)).toEqual([]);
    expect(everything(swapped)).toContain(`<@${ASKER}>`);

    await waitUntil(() => rollbacksBy(ASKER).length === 1, 5000, 'the rollback record');
    const id = rollbacksBy(ASKER)[0]?.id ?? -1;
    await waitUntil(settled(id), 10_000, 'the rollback to finish');
    const done = await api.waitFor(
      (c) =>
        c.method === 'chat.postMessage' && c.body.thread_ts === thread && String(c.body.text).includes('✅'),
      5000,
    );
    expect(String(done.body.text).match(new RegExp(`<@${ASKER}>`, 'g'))).toHaveLength(1);
    expect(String(done.body.text)).toMatch(/소요 \d+초/);
    // Quiet thread: after the press, the completion reply is the only message that mentions the requester.
    const afterPress = posts(thread).filter((c) => c.at >= swapped.at);
    expect(afterPress.filter((c) => everything(c).includes(`<@${ASKER}>`))).toEqual([done]);
    expect(everything(done)).toContain(shortSha(previous?.commitSha ?? ''));
    expect(String(done.body.reply_broadcast)).not.toBe('true');

    // One progress message in the thread, posted once and then edited in place.
    const record = runtime.stores.deployments.get(id);
    const progressTs = record?.slackMessageTs ?? '';
    expect(progressTs).not.toBe('');
    const progressPosts = posts(thread).filter((c) => String(c.body.text).includes('K-Le-PaaS/test01 롤백'));
    expect(progressPosts.filter((c) => !String(c.body.text).includes('✅'))).toHaveLength(1);
    await api.waitFor(
      (c) => c.method === 'chat.update' && c.body.ts === progressTs && String(c.body.text).includes('✅'),
    );
    // Besides the final edit, at least one edit in between reported progress in place (an NCP status).
    const progressEdits = api
      .callsOf('chat.update')
      .filter((c) => c.body.ts === progressTs && !String(c.body.text).includes('✅'));
    expect(progressEdits.length).toBeGreaterThanOrEqual(1);
    expect(progressEdits.map((c) => String(c.body.text)).join('\n')).toMatch(
      /SourceDeploy 상태 "(pending|inprogress)"/,
    );

    const summary = api
      .callsOf('chat.update')
      .filter((c) => c.body.ts === progressTs && String(c.body.text).includes('✅'));
    expect(everything(summary[0] as SlackApiCall)).not.toContain('<@');

    expect(rollbacksBy(ASKER)).toHaveLength(1);
    expect(record?.status).toBe('success');
    expect(record?.commitSha).toBe(previous?.commitSha);
    expect(record?.slackThreadTs).toBe(thread);
  }, 30_000);

  it('two presses of go at once start one deployment', async () => {
    const before = rollbacksBy(ASKER).length;
    const { confirmation } = await askForRollback();
    const ts = nextTs();
    const responses = await Promise.all([
      press(confirmation, 'confirm_go', ASKER, ts),
      press(confirmation, 'confirm_go', ASKER, ts),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    await waitUntil(() => rollbacksBy(ASKER).length > before, 5000, 'a rollback record');
    const id = rollbacksBy(ASKER)[0]?.id ?? -1;
    await waitUntil(settled(id), 10_000, 'the rollback to finish');
    expect(rollbacksBy(ASKER)).toHaveLength(before + 1);
  }, 30_000);

  it('a press by someone else is refused privately and starts nothing', async () => {
    const before = rollbacksBy(ASKER).length + rollbacksBy(OTHER).length;
    const { confirmation } = await askForRollback();
    const ts = nextTs();
    await press(confirmation, 'confirm_go', OTHER, ts);
    const refusal = await api.waitFor((c) => c.method === 'chat.postEphemeral' && c.body.user === OTHER);
    expect(String(refusal.body.channel)).toBe(OPS);
    expect(everything(refusal)).toContain(`<@${ASKER}>`);
    expect(api.callsOf('chat.update').some((c) => c.body.ts === ts)).toBe(false);
    // When Slack will not take the ephemeral message, the refusal still reaches the presser, by response_url.
    api.failNext('chat.postEphemeral', { error: 'channel_not_found' });
    const t0 = Date.now();
    await press(confirmation, 'confirm_go', OTHER, ts);
    const viaUrl = await api.waitFor(
      (c) => c.method === 'response_url' && c.at >= t0 && everything(c).includes(`<@${ASKER}>`),
    );
    expect(viaUrl.body.response_type).toBe('ephemeral');
    expect(viaUrl.body.replace_original).toBe(false);
    // The asker can still cancel it: the pending request was left untouched.
    await press(confirmation, 'confirm_cancel', ASKER, ts);
    await api.waitFor((c) => c.method === 'chat.update' && c.body.ts === ts);
    expect(rollbacksBy(ASKER).length + rollbacksBy(OTHER).length).toBe(before);
  }, 20_000);

  it('runs a mention retried three times by Slack once', async () => {
    const env = mention('K-Le-PaaS/test01 롤백 해줘');
    const thread = threadOf(env);
    const statuses = [(await send(signEvent(SECRET, env))).status];
    for (const n of [1, 2, 3]) {
      const retry = await send(signEvent(SECRET, env), {
        'x-slack-retry-num': String(n),
        'x-slack-retry-reason': 'http_timeout',
      });
      statuses.push(retry.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200]);
    await api.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === thread);
    // A later request answered end to end means the retries were long past their duplicate check.
    const marker = mention('status K-Le-PaaS/test01');
    await send(signEvent(SECRET, marker));
    await api.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === threadOf(marker));
    expect(confirmationsIn(thread)).toHaveLength(1);
  }, 20_000);

  it('acks /rollback candidates within 3 s and posts the numbered list', async () => {
    const t0 = performance.now();
    const res = await command('/rollback', 'candidates K-Le-PaaS/test01');
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(3000);
    const list = await api.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.channel === OPS &&
        String(c.body.text).includes('rollback targets'),
    );
    const shown = everything(list);
    expect(shown).toMatch(/\*1\.\* `[0-9a-f]{7}`/);
    expect(shown).toMatch(/\*2\.\* `[0-9a-f]{7}`/);
    expect(shown).toContain('"action_id":"rollback_to:1"');
  });

  it('acks a burst of 50 commands each within 3 s and answers every one once', async () => {
    const before = api.calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === OPS).length;
    const acks = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const t0 = performance.now();
        const res = await command(
          '/rollback',
          i % 2 === 0 ? 'candidates K-Le-PaaS/test01' : 'history test01',
        );
        return { status: res.status, ms: performance.now() - t0 };
      }),
    );
    expect(acks.every((a) => a.status === 200 && a.ms < 3000)).toBe(true);
    const answered = () =>
      api.calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === OPS).length - before;
    await waitUntil(() => answered() >= 50, 20_000, 'fifty answers');
    // A request answered end to end after the burst: nothing from it is still on its way.
    await command('/rollback', 'status K-Le-PaaS/test01');
    await waitUntil(() => answered() >= 51, 10_000, 'the answer after the burst');
    expect(answered()).toBe(51);
    // Paced per channel: Slack (the stand-in) never had to refuse one of them.
    const refused = api.calls.filter((c) => c.method === 'chat.postMessage' && c.failedWith !== null);
    expect(refused).toEqual([]);
  }, 40_000);

  it('answers /deploy test01 main with a confirmation', async () => {
    // The rollbacks above pinned the repo and main still holds the commit they rolled away from: a pin's
    // refusal is tested in test/integration/verify/pins.test.ts; here the confirmation is the subject.
    runtime.services.unpin(REPO.owner, REPO.repo, null);
    const res = await command('/deploy', 'test01 main');
    expect(res.status).toBe(200);
    const confirm = await api.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.channel === OPS &&
        c.body.thread_ts === undefined &&
        String(c.body.text).includes('main') &&
        buttonsOf(c).some((b) => b.action_id === 'confirm_go'),
    );
    expect(everything(confirm)).toContain('K-Le-PaaS/test01');
  });

  it('answers text it does not understand with suggestions', async () => {
    const env = mention('please make coffee');
    await send(signEvent(SECRET, env));
    const reply = await api.waitFor(
      (c) => c.method === 'chat.postMessage' && c.body.thread_ts === threadOf(env),
    );
    expect(everything(reply)).toMatch(/Did you mean|For example/);
    expect(everything(reply)).toContain('/rollback');
  });

  it('refuses outside ALLOWED_CHANNELS, privately, and does nothing; DMs are fine', async () => {
    const auditBefore = JSON.stringify(
      runtime.stores.deployments.history(REPO.owner, REPO.repo, 1000).length,
    );
    const env = mention('K-Le-PaaS/test01 롤백 해줘', 'C_ELSEWHERE');
    await send(signEvent(SECRET, env));
    const refusal = await api.waitFor(
      (c) => c.method === 'chat.postEphemeral' && c.body.channel === 'C_ELSEWHERE' && c.body.user === ASKER,
    );
    expect(String(refusal.body.text)).toContain(`<#${OPS}>`);
    expect(String(refusal.body.text)).toContain('DM');

    await command('/rollback', 'K-Le-PaaS/test01', 'C_ELSEWHERE');
    const viaUrl = await api.waitFor(
      (c) => c.method === 'response_url' && String(c.body.text).includes(`<#${OPS}>`),
    );
    expect(viaUrl.body.response_type).toBe('ephemeral');

    // A DM between two people has a D… id too, but it is not the bot's DM: ALLOWED_CHANNELS applies.
    api.othersDms.add('D_PEOPLE');
    try {
      const t0 = Date.now();
      await command('/rollback', 'K-Le-PaaS/test01', 'D_PEOPLE');
      const refused = await api.waitFor(
        (c) => c.method === 'response_url' && c.at >= t0 && String(c.body.text).includes(`<#${OPS}>`),
      );
      expect(refused.body.response_type).toBe('ephemeral');
      expect(
        api.calls.some((c) => c.method === 'response_url' && c.at >= t0 && buttonsOf(c).length > 0),
      ).toBe(false);
    } finally {
      api.othersDms.delete('D_PEOPLE');
    }
    // A slash command in the person's DM with the bot is exempt (conversations.info says is_im).
    const t1 = Date.now();
    await command('/rollback', 'history K-Le-PaaS/test01', 'D_CMD');
    const answered = await api.waitFor(
      (c) => c.method === 'chat.postMessage' && c.body.channel === 'D_CMD' && c.at >= t1,
    );
    expect(everything(answered)).not.toContain(`<#${OPS}>`);

    const dm = envelope({
      type: 'message',
      channel_type: 'im',
      channel: 'D_ASKER',
      user: ASKER,
      text: 'status K-Le-PaaS/test01',
      ts: nextTs(),
    });
    await send(signEvent(SECRET, dm));
    await api.waitFor((c) => c.method === 'chat.postMessage' && c.body.channel === 'D_ASKER');

    expect(api.callsOf('chat.postMessage').some((c) => c.body.channel === 'C_ELSEWHERE')).toBe(false);
    expect(JSON.stringify(runtime.stores.deployments.history(REPO.owner, REPO.repo, 1000).length)).toBe(
      auditBefore,
    );
  });
});

describe('Slack refusing the bot', () => {
  it('a command where the bot is not in the channel tells the person, offers no buttons and starts nothing', async () => {
    const before = rollbacksBy(ASKER).length;
    api.notMember.add(OPS);
    try {
      await command('/rollback', 'K-Le-PaaS/test01');
      const told = await api.waitFor(
        (c) => c.method === 'response_url' && String(c.body.text).includes('/invite @klepaas'),
      );
      expect(told.body.response_type).toBe('ephemeral');
      expect(buttonsOf(told)).toEqual([]);
      expect(everything(told)).not.toContain('confirm_go');
    } finally {
      api.notMember.delete(OPS);
    }
    // The confirmation nobody saw is closed: a status asked afterwards is answered and no rollback exists.
    await command('/rollback', 'status K-Le-PaaS/test01');
    await api.waitFor(
      (c) => c.method === 'chat.postMessage' && c.body.channel === OPS && everything(c).includes('#'),
    );
    expect(rollbacksBy(ASKER)).toHaveLength(before);
  }, 20_000);

  it('when the bot is removed after the press, the requester follows the rollback in their DM', async () => {
    const { confirmation } = await askForRollback();
    const before = rollbacksBy(ASKER).length;
    api.notMember.add(OPS);
    try {
      await press(confirmation, 'confirm_go', ASKER, nextTs());
      await waitUntil(() => rollbacksBy(ASKER).length > before, 5000, 'the rollback record');
      const id = rollbacksBy(ASKER)[0]?.id ?? -1;
      await waitUntil(settled(id), 10_000, 'the rollback to finish');
      const dm = (c: SlackApiCall) => c.method === 'chat.postMessage' && c.body.channel === ASKER;
      const first = await api.waitFor((c) => dm(c) && everything(c).includes('/invite @klepaas'));
      expect(everything(first)).toContain(`<#${OPS}>`);
      await api.waitFor((c) => dm(c) && String(c.body.text).includes('✅'), 5000);
    } finally {
      api.notMember.delete(OPS);
    }
  }, 30_000);

  it('a 429 storm on one channel does not hold another channel; the person is told when Slack keeps refusing', async () => {
    api.storms.set(OPS, 1);
    try {
      // More stormed requests than the app runs at once: none of them may hold a slot the DM needs.
      const storm = Array.from({ length: 12 }, () => mention('status K-Le-PaaS/test01'));
      await Promise.all(storm.map((env) => send(signEvent(SECRET, env))));
      const stormed = storm[0] as ReturnType<typeof envelope>;
      await api.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === threadOf(stormed));
      // OPS now answers 429 to everything; a DM with the bot must not wait for it.
      const dm = envelope({
        type: 'message',
        channel_type: 'im',
        channel: 'D_ASKER',
        user: ASKER,
        text: 'status K-Le-PaaS/test01',
        ts: nextTs(),
      });
      const t0 = Date.now();
      const ack = await send(signEvent(SECRET, dm));
      expect(ack.status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(1000);
      const reply = await api.waitFor(
        (c) => c.method === 'chat.postMessage' && c.body.channel === 'D_ASKER' && c.at >= t0,
        3000,
      );
      expect(reply.at - t0).toBeLessThan(1000);
      expect(reply.failedWith).toBeNull();
      // Inline in the DM, not a thread under the person's message.
      expect(reply.body.thread_ts).toBeUndefined();
      // The stormed reply is given up after the pacer's patience, and the person hears it in their DM.
      const told = await api.waitFor(
        (c) => c.method === 'chat.postMessage' && c.body.channel === ASKER && everything(c).includes('rate'),
        PACE.maxWaitMs + 3000,
      );
      expect(everything(told)).toContain(`<#${OPS}>`);
    } finally {
      api.storms.delete(OPS);
    }
  }, 20_000);
});
