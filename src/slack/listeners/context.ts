import type { webApi } from '@slack/bolt';
import type { Actor, BotReply, Dispatcher } from '../../bot/types.ts';
import type { Lang } from '../../domain/intent.ts';
import type { Logger } from '../../log/logger.ts';
import type { EventLog } from '../../services/ports.ts';
import { type RenderContext, renderReply } from '../blocks/index.ts';
import type { SlackMessage } from '../blocks/kit.ts';
import { channelAllowed, renderWrongChannel } from '../blocks/where.ts';
import { failureReply } from '../failure.ts';
import { describeSlackError, postEphemeral, postMessage } from '../web-api.ts';

export type WebClient = webApi.WebClient;

/** What every listener gets; the concrete dispatcher and event log are chosen by the caller of createSlackApp. */
export interface ListenerDeps {
  readonly dispatcher: Dispatcher;
  readonly eventLog: EventLog;
  readonly logger: Logger;
  readonly timeZone: string;
  readonly clock: () => Date;
  /** ALLOWED_CHANNELS: empty means every channel the bot is in; DMs are always allowed. */
  readonly allowedChannels: readonly string[];
  /** True when the Slack notifier posts progress in the thread, so a press need not announce the start. */
  readonly noticesInThread: boolean;
}

export const renderContext = (deps: ListenerDeps): RenderContext => ({
  now: deps.clock(),
  timeZone: deps.timeZone,
});

/** False when this delivery was seen before (a Slack retry, a double-submitted form): do nothing then. */
export function firstDelivery(deps: ListenerDeps, key: string | undefined): boolean {
  if (!key) return true;
  const first = deps.eventLog.firstSeen(key, deps.clock());
  if (!first) deps.logger.info({ key }, 'duplicate Slack delivery ignored');
  return first;
}

/** Runs a dispatcher call; any throw becomes an error reply in the person's language (and a log line). */
export async function safely(
  deps: ListenerDeps,
  lang: Lang,
  what: string,
  call: () => Promise<BotReply>,
): Promise<BotReply> {
  try {
    return await call();
  } catch (err) {
    const reply = failureReply(err, lang);
    deps.logger.error({ err, what, code: reply.code }, 'dispatcher call failed');
    return reply;
  }
}

export function render(deps: ListenerDeps, reply: BotReply): SlackMessage {
  return renderReply(reply, renderContext(deps));
}

/** Posts in a thread; a Slack refusal is logged with its code, never thrown into Bolt. */
export async function postInThread(
  deps: ListenerDeps,
  client: WebClient,
  actor: Actor,
  msg: SlackMessage,
): Promise<string | null> {
  if (!actor.channel) return null;
  try {
    return await postMessage(client, { channel: actor.channel, threadTs: actor.threadTs }, msg);
  } catch (err) {
    deps.logger.error(
      { err, slack: describeSlackError(err), channel: actor.channel },
      'posting the reply failed',
    );
    return null;
  }
}

/**
 * False (and the person told privately where the bot works) outside ALLOWED_CHANNELS. `answer` sends the
 * refusal the way the surface allows: an ephemeral message, or the command's response_url.
 */
export async function inAllowedChannel(
  deps: ListenerDeps,
  where: { readonly channel: string | null; readonly isDm: boolean; readonly lang: Lang },
  answer: (msg: SlackMessage) => Promise<unknown>,
): Promise<boolean> {
  if (channelAllowed(deps.allowedChannels, where.channel, where.isDm)) return true;
  deps.logger.info({ channel: where.channel }, 'request outside ALLOWED_CHANNELS refused');
  try {
    await answer(renderWrongChannel(deps.allowedChannels, where.lang));
  } catch (err) {
    deps.logger.warn({ err, slack: describeSlackError(err) }, 'telling where the bot works failed');
  }
  return false;
}

/** An ephemeral message to one person in a channel (in a thread when given). */
export const ephemeralTo =
  (client: WebClient, where: { channel: string; user: string; threadTs?: string | null }) =>
  (msg: SlackMessage) =>
    postEphemeral(client, where, msg);
