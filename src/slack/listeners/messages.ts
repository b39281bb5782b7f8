import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Actor } from '../../bot/types.ts';
import { detectLang } from '../../domain/lang.ts';
import { stripBotMention } from '../commands.ts';
import {
  ephemeralTo,
  firstDelivery,
  inAllowedChannel,
  isBotDm,
  type ListenerDeps,
  postInThread,
  render,
  safely,
  type WebClient,
} from './context.ts';

const envelopeSchema = z.object({ event_id: z.string().optional() }).loose();

const chatEventSchema = z
  .object({
    type: z.enum(['app_mention', 'message']),
    user: z.string().optional(),
    bot_id: z.string().optional(),
    subtype: z.string().optional(),
    channel_type: z.string().optional(),
    text: z.string().default(''),
    ts: z.string(),
    thread_ts: z.string().optional(),
    channel: z.string(),
  })
  .loose();
type ChatEvent = z.infer<typeof chatEventSchema>;

/**
 * Subtypes that are still a person writing a new message: a thread reply also sent to the channel, and a
 * message with a file attached. Edits, deletions, joins and the rest are not requests.
 */
const personSubtypes: ReadonlySet<string> = new Set(['thread_broadcast', 'file_share']);

/**
 * Whether an event is a person talking to the bot. Bots (ourselves included), edits, deletions and other
 * subtypes are not requests: answering them would loop or run a command twice.
 */
export function isPersonTalking(
  e: ChatEvent,
  botUserId: string | undefined,
): e is ChatEvent & { user: string } {
  if (e.bot_id || !e.user) return false;
  if (e.subtype && !personSubtypes.has(e.subtype)) return false;
  if (botUserId && e.user === botUserId) return false;
  return e.type === 'app_mention' || e.channel_type === 'im';
}

async function handleChat(
  deps: ListenerDeps,
  client: WebClient,
  rawEvent: unknown,
  rawBody: unknown,
  botUserId: string | undefined,
): Promise<void> {
  const parsed = chatEventSchema.safeParse(rawEvent);
  if (!parsed.success) {
    deps.logger.warn({ issues: parsed.error.issues.length }, 'unexpected Slack event shape ignored');
    return;
  }
  const event = parsed.data;
  if (!isPersonTalking(event, botUserId)) return;
  const envelope = envelopeSchema.safeParse(rawBody);
  const eventId = envelope.success ? envelope.data.event_id : undefined;
  if (!firstDelivery(deps, eventId ? `event:${eventId}` : `msg:${event.channel}:${event.ts}`)) return;

  const text = stripBotMention(event.text, botUserId);
  // Slack sends `message.im` only for the bot's own DMs (remembered for slash commands typed there); any
  // other D… channel is asked about.
  if (event.channel_type === 'im') deps.botDms.set(event.channel, true);
  const isDm = event.channel_type === 'im' || (await isBotDm(deps, client, event.channel));
  const actor: Actor = {
    via: 'slack',
    user: event.user,
    channel: event.channel,
    // In a DM the answer goes inline, like a chat; a thread opens only when the person wrote in one.
    threadTs: event.thread_ts ?? (isDm ? null : event.ts),
  };
  const lang = detectLang(text);
  const refuseTo = ephemeralTo(deps, {
    channel: event.channel,
    user: event.user,
    threadTs: actor.threadTs,
  });
  if (!(await inAllowedChannel(deps, { channel: event.channel, isDm, lang }, refuseTo))) return;
  const log = deps.logger.child({ module: 'slack', eventId, channel: event.channel });
  log.debug({ kind: event.type }, 'chat request');
  const reply = await safely(deps, lang, 'handleMessage', () =>
    deps.dispatcher.handleMessage({ text, actor }),
  );
  await postInThread(deps, client, actor, render(deps, reply));
}

/** `@klepaas ...` in a channel and direct messages: both answered in the thread of the message. */
export function register(app: App, deps: ListenerDeps): void {
  app.event('app_mention', async ({ event, body, client, context }) => {
    await handleChat(deps, client, event, body, context.botUserId);
  });
  app.event('message', async ({ event, body, client, context }) => {
    await handleChat(deps, client, event, body, context.botUserId);
  });
}
