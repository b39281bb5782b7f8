import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.ts';
import { createSlackApp, type SlackApp } from '../../src/slack/app.ts';
import { type SlackApiServer, type SocketMessage, startSlackApi } from '../servers/slack-api.ts';
import { memoryEventLog } from '../support/memory-event-log.ts';
import { scriptedDispatcher } from '../support/scripted-dispatcher.ts';
import { waitUntil } from '../support/slack-harness.ts';

const APP_TOKEN = 'xapp-1-A_APP-1-test';

let api: SlackApiServer;
let slack: SlackApp;
let healthPort: number | null;
const scripted = scriptedDispatcher();
const eventLog = memoryEventLog();

beforeAll(async () => {
  api = await startSlackApi();
  slack = createSlackApp({
    config: {
      botToken: 'xoxb-test-token',
      signingSecret: undefined,
      appToken: APP_TOKEN,
      apiUrl: api.apiUrl,
      port: 0,
      allowedChannels: [],
      approvers: [],
      confirmTtlMs: 600_000,
    },
    dispatcher: scripted.dispatcher,
    eventLog,
    logger: silentLogger(),
  });
  ({ port: healthPort } = await slack.start());
});
afterAll(async () => {
  await slack?.stop();
  await api?.stop();
});

let seq = 0;
const nextTs = () => `1700000000.${String(++seq).padStart(6, '0')}`;
const handled = (text: string) =>
  scripted.calls.filter((c) => c.method === 'handleMessage' && c.msg.text === text);

/** Sends an envelope as Slack does and resolves with its ack and how long the ack took. */
async function deliver(envelope: { envelope_id: string }): Promise<{ ack: SocketMessage; ms: number }> {
  const sent = Date.now();
  const acked = api.waitForSocketMessage((m) => m.data.envelope_id === envelope.envelope_id, 3000);
  api.socketSend(envelope);
  const ack = await acked;
  return { ack, ms: ack.at - sent };
}

function mentionEnvelope(text: string, eventId: string, retryAttempt = 0) {
  const ts = nextTs();
  return {
    envelope_id: `env-${eventId}-${retryAttempt}`,
    type: 'events_api',
    accepts_response_payload: false,
    retry_attempt: retryAttempt,
    retry_reason: retryAttempt > 0 ? 'timeout' : '',
    payload: {
      token: 'legacy',
      team_id: 'T_TEAM',
      api_app_id: 'A_APP',
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_mention', user: 'U_ASKER', text: `<@U_BOT> ${text}`, ts, channel: 'C_OPS' },
    },
  };
}

describe('Slack app in Socket Mode against the Web API stand-in', () => {
  it('opens the connection with the app token through SLACK_API_URL and serves /healthz', async () => {
    const open = api.callsOf('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.headers.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(slack.mode).toBe('socket');
    expect(api.sockets.size).toBe(1);
    expect(healthPort).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, checks: {} });
  });

  it('acks an app_mention envelope in time and answers once in its thread', async () => {
    const env = mentionEnvelope('status K-Le-PaaS/test01', 'EvSocket1');
    const { ack, ms } = await deliver(env);
    expect(ms).toBeLessThan(3000);
    expect(ack.data).toEqual({ envelope_id: env.envelope_id, payload: {} });
    const post = await api.waitFor(
      (c) => c.method === 'chat.postMessage' && c.body.thread_ts === env.payload.event.ts,
    );
    expect(post.body.channel).toBe('C_OPS');
    expect(post.headers.authorization).toBe('Bearer xoxb-test-token');
    expect(handled('status K-Le-PaaS/test01')).toHaveLength(1);
  });

  it('acks a slash_commands envelope in time and answers through its response_url', async () => {
    const responseUrl = api.responseUrl();
    const env = {
      envelope_id: 'env-command-1',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        token: 'legacy',
        team_id: 'T_TEAM',
        team_domain: 'klepaas',
        channel_id: 'C_OPS',
        channel_name: 'ops',
        user_id: 'U_ASKER',
        user_name: 'asker',
        command: '/rollback',
        text: 'help',
        api_app_id: 'A_APP',
        is_enterprise_install: 'false',
        response_url: responseUrl,
        trigger_id: 'trigger-socket-1',
      },
    };
    const { ack, ms } = await deliver(env);
    expect(ms).toBeLessThan(3000);
    expect(ack.data.envelope_id).toBe(env.envelope_id);
    const reply = await api.waitFor(
      (c) => c.method === 'response_url' && c.path === new URL(responseUrl).pathname,
    );
    expect(reply.body.response_type).toBe('ephemeral');
    expect(String(reply.body.text)).toContain('/deploy test01 main');
    expect(handled('help')).toHaveLength(1);
  });

  it('acks a redelivered envelope (same event_id, retry_attempt 1) and runs it once', async () => {
    const first = mentionEnvelope('candidates socket-retry', 'EvSocketRetry');
    const retry = {
      ...mentionEnvelope('candidates socket-retry', 'EvSocketRetry', 1),
      payload: first.payload,
    };
    await deliver(first);
    const { ms } = await deliver(retry);
    expect(ms).toBeLessThan(3000);
    await waitUntil(() => eventLog.checks.get('event:EvSocketRetry') === 2, 5000, 'both deliveries checked');
    await api.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === first.payload.event.ts);
    expect(handled('candidates socket-retry')).toHaveLength(1);
    const posts = api.callsOf('chat.postMessage').filter((c) => c.body.thread_ts === first.payload.event.ts);
    expect(posts).toHaveLength(1);
  });

  it('reconnects when Slack asks it to, and stop() closes the socket without reconnecting', async () => {
    api.socketSend({ type: 'disconnect', reason: 'refresh_requested' });
    await waitUntil(() => api.callsOf('apps.connections.open').length === 2, 8000, 'a second connection');
    await waitUntil(() => api.sockets.size === 1, 5000, 'the new socket');
    const env = mentionEnvelope('history after-reconnect', 'EvSocketAfter');
    await deliver(env);
    await api.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === env.payload.event.ts);

    await slack.stop();
    expect(api.sockets.size).toBe(0);
    await expect(fetch(`http://127.0.0.1:${healthPort}/healthz`)).rejects.toThrow();
  });
});
