import { silentLogger } from '../../src/log/logger.ts';
import { createSlackApp, type SlackApp } from '../../src/slack/app.ts';
import { startSlackApi } from '../servers/slack-api.ts';
import { memoryEventLog } from './memory-event-log.ts';
import { scriptedDispatcher } from './scripted-dispatcher.ts';
import { type SignedRequest, signCommand, signEvent, signInteraction } from './slack-sign.ts';
import { waitFor } from './wait-for.ts';

export const SIGNING_SECRET = 'test-signing-secret';

/** The real Bolt app in HTTP mode on a random port, talking to the Slack API stand-in and a scripted dispatcher. */
export async function startSlackHarness() {
  const api = await startSlackApi();
  const scripted = scriptedDispatcher();
  const eventLog = memoryEventLog();
  const slack: SlackApp = createSlackApp({
    config: {
      botToken: 'xoxb-test-token',
      signingSecret: SIGNING_SECRET,
      appToken: undefined,
      apiUrl: api.apiUrl,
      port: 0,
      allowedChannels: [],
    },
    dispatcher: scripted.dispatcher,
    eventLog,
    logger: silentLogger(),
    // Slack's pace scaled down: these tests are about the listeners, the pace has its own tests.
    pace: { intervalMs: 20, burst: 5, maxWaitMs: 5000 },
  });
  const { port } = await slack.start();
  const base = `http://127.0.0.1:${port}`;

  const send = (req: SignedRequest, extraHeaders: Record<string, string> = {}) =>
    fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { ...req.headers, ...extraHeaders },
      body: req.body,
    });

  let seq = 0;
  const next = () => ++seq;

  return {
    api,
    slack,
    base,
    calls: scripted.calls,
    eventLog,
    send,
    command(command: '/rollback' | '/deploy', text: string, over: Record<string, string> = {}) {
      const n = next();
      return send(
        signCommand(SIGNING_SECRET, {
          token: 'legacy',
          team_id: 'T_TEAM',
          channel_id: 'C_OPS',
          channel_name: 'ops',
          user_id: 'U_ASKER',
          user_name: 'asker',
          command,
          text,
          response_url: api.responseUrl(),
          trigger_id: `trigger-${n}`,
          api_app_id: 'A_APP',
          ...over,
        }),
      );
    },
    eventEnvelope(event: Record<string, unknown>, eventId = `Ev${next()}`) {
      return {
        token: 'legacy',
        team_id: 'T_TEAM',
        api_app_id: 'A_APP',
        type: 'event_callback',
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        event,
      };
    },
    sendEvent(envelope: object, extraHeaders: Record<string, string> = {}) {
      return send(signEvent(SIGNING_SECRET, envelope), extraHeaders);
    },
    press(payload: object) {
      return send(signInteraction(SIGNING_SECRET, payload));
    },
    async stop() {
      await slack.stop();
      await api.stop();
    },
  };
}

export type SlackHarness = Awaited<ReturnType<typeof startSlackHarness>>;

/** The shared waitFor with this harness's argument order and shorter deadline. */
export async function waitUntil(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  await waitFor(what, cond, timeoutMs);
}
