import type { webApi } from '@slack/bolt';
import type { Actor, BotReply, Dispatcher } from '../../bot/types.ts';
import type { Lang } from '../../domain/intent.ts';
import { detectLang } from '../../domain/lang.ts';
import type { Logger } from '../../log/logger.ts';
import type { EventLog } from '../../services/ports.ts';
import { type RenderContext, renderReply } from '../blocks/index.ts';
import { type SlackMessage, withNote } from '../blocks/kit.ts';
import { channelAllowed, dmNote, renderWrongChannel } from '../blocks/where.ts';
import { failureReply } from '../failure.ts';
import { describeSlackError, isRateLimited, type Poster } from '../web-api.ts';

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
  /** Every message goes out through this: paced per channel, 429s waited out per channel. */
  readonly poster: Poster;
  /** Which D… channels are the bot's own DM with someone (asked once per channel, then remembered). */
  readonly botDms: Map<string, boolean>;
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

/**
 * How long a request's job waits for its reply to go out. A channel in a 429 storm can hold a post for
 * many seconds; past this the job lets go of its work-queue slot (other channels' requests need it) and
 * the post finishes, or fails over to the DM, on its own. Order in a thread still holds: the post joined
 * its channel's lane, which is first in, first out, before the job let go.
 */
export const REPLY_HOLD_MS = 200;

/** Waits for `work` up to REPLY_HOLD_MS; after that it carries on detached (the poster tracks it for stop). */
export async function holdAtMost<T>(work: Promise<T>, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const letGo = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late), REPLY_HOLD_MS);
    timer.unref();
  });
  try {
    return await Promise.race([work, letGo]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Posts in a thread. When Slack will not take it (the bot is not in the channel, or 429s past the pacer's
 * patience), the person gets the reply in their DM with the app instead, with a line saying why: a request
 * is never answered only in the log.
 */
export async function postInThread(
  deps: ListenerDeps,
  _client: WebClient,
  actor: Actor,
  msg: SlackMessage,
): Promise<string | null> {
  const channel = actor.channel;
  if (!channel) return null;
  const sent = deps.poster.post({ channel, threadTs: actor.threadTs }, msg).catch(async (err: unknown) => {
    deps.logger.error({ err, slack: describeSlackError(err), channel }, 'posting the reply failed');
    if (actor.user && actor.user !== channel) {
      await tellInDm(deps, actor.user, channel, isRateLimited(err) ? 'ratelimited' : 'cannot_post', msg);
    }
    return null;
  });
  return holdAtMost(sent, null);
}

/** Why a reply went to the person's DM instead of where they asked. */
export type DmReason = 'ratelimited' | 'cannot_post';

/**
 * Sends `msg` to the person's DM with the app (chat.postMessage to a user id; chat:write covers it), with a
 * first line saying where it could not go and what to do. Failing that, the log is all there is.
 */
export async function tellInDm(
  deps: ListenerDeps,
  user: string,
  channel: string,
  reason: DmReason,
  msg: SlackMessage,
): Promise<boolean> {
  const lang = detectLang(msg.text);
  const why = dmNote(reason, channel, lang);
  try {
    await deps.poster.post({ channel: user }, withNote(why, msg));
    return true;
  } catch (err) {
    deps.logger.error({ err, slack: describeSlackError(err), user }, 'telling the person in a DM failed');
    return false;
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
  (deps: ListenerDeps, where: { channel: string; user: string; threadTs?: string | null }) =>
  (msg: SlackMessage) =>
    deps.poster.ephemeral(where, msg);

/**
 * Whether `channel` is the bot's own DM with someone. Only those are exempt from ALLOWED_CHANNELS; a DM
 * between two people (where a slash command can also be typed) is not. The bot can read only its own DMs,
 * so conversations.info answers `is_im` for those and `channel_not_found` for the others.
 */
export async function isBotDm(
  deps: ListenerDeps,
  client: WebClient,
  channel: string | null,
): Promise<boolean> {
  if (!channel?.startsWith('D')) return false;
  const known = deps.botDms.get(channel);
  if (known !== undefined) return known;
  try {
    const res = await client.conversations.info({ channel });
    const im = res.channel?.is_im === true;
    deps.botDms.set(channel, im);
    return im;
  } catch (err) {
    const code = describeSlackError(err)?.code;
    // Only a definite answer is remembered; a network error asks again next time.
    if (code === 'channel_not_found') deps.botDms.set(channel, false);
    if (code === 'missing_scope') {
      // An install from before im:read: without it no DM can be told apart, so none is exempt.
      deps.logger.warn({ channel }, 'conversations.info needs the im:read scope: reinstall the app');
    } else deps.logger.info({ channel, code }, 'not the bot DM; ALLOWED_CHANNELS applies');
    return false;
  }
}
