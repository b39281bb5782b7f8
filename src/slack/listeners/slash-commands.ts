import type { App, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import type { Actor, BotReply } from '../../bot/types.ts';
import { detectLang } from '../../domain/lang.ts';
import { type Block, type SlackMessage, withNote } from '../blocks/kit.ts';
import { dmNote, renderCannotPost } from '../blocks/where.ts';
import { commandToMessage, type SlashCommand, slashCommands } from '../commands.ts';
import { cannotPostHere, describeSlackError, isRateLimited } from '../web-api.ts';
import {
  firstDelivery,
  holdAtMost,
  inAllowedChannel,
  isBotDm,
  type ListenerDeps,
  render,
  safely,
} from './context.ts';

const commandSchema = z
  .object({
    command: z.enum(slashCommands),
    text: z.string().default(''),
    user_id: z.string(),
    channel_id: z.string(),
    channel_name: z.string().optional(),
    trigger_id: z.string().optional(),
  })
  .loose();

/** Answers only the person who asked: help, "did not understand" and refusals are no news for the channel. */
const privateKinds: ReadonlySet<BotReply['kind']> = new Set(['help', 'unknown', 'error']);

type Blocks = Parameters<RespondFn>[0] extends infer A ? (A extends { blocks?: infer B } ? B : never) : never;

const hasButtons = (msg: SlackMessage): boolean =>
  msg.blocks.some((b) => b.type === 'actions' || (b.type === 'section' && b.accessory !== undefined));

const isDecision = (reply: BotReply): boolean =>
  reply.kind === 'confirm_rollback' || reply.kind === 'confirm_deploy' || reply.kind === 'choose_repo';

function withoutButtons(msg: SlackMessage): SlackMessage {
  const blocks = msg.blocks.flatMap((b): Block[] => {
    if (b.type === 'actions') return [];
    if (b.type === 'section' && b.accessory) {
      const { accessory: _dropped, ...rest } = b;
      return [rest];
    }
    return [b];
  });
  return { blocks, text: msg.text };
}

async function deliver(
  deps: ListenerDeps,
  respond: RespondFn,
  actor: Actor,
  reply: BotReply,
  msg: SlackMessage,
): Promise<void> {
  const viaResponseUrl = (m: SlackMessage, responseType: 'ephemeral' | 'in_channel') =>
    respond({ response_type: responseType, text: m.text, blocks: m.blocks as unknown as Blocks });
  const failed = (err: unknown) =>
    deps.logger.error({ err, slack: describeSlackError(err) }, 'answering a slash command failed');
  if (privateKinds.has(reply.kind) || !actor.channel) {
    await viaResponseUrl(msg, 'ephemeral').catch((err: unknown) => failed(err));
    return;
  }
  const channel = actor.channel;
  // A real channel message has a ts, so a later press can update it and notices can thread under it.
  const sent = deps.poster.post({ channel }, msg).then(
    () => undefined,
    async (err: unknown) => {
      try {
        if (isRateLimited(err)) {
          // Slack kept refusing the channel; response_url is not paced with it, so the person still hears.
          const note = dmNote('ratelimited', channel, reply.lang);
          await viaResponseUrl(withNote(note, msg), 'ephemeral');
          return;
        }
        if (!cannotPostHere(err)) throw err;
        if (!hasButtons(msg)) {
          // A report is all there is to it: response_url still reaches a channel the bot is not in.
          await viaResponseUrl(msg, 'in_channel');
          return;
        }
        // Buttons here would start work whose progress and outcome nobody could be told about. A report
        // with buttons (the candidates list) still goes out, without them.
        await closePending(deps, reply, actor);
        if (!isDecision(reply)) await viaResponseUrl(withoutButtons(msg), 'in_channel');
        await viaResponseUrl(renderCannotPost(channel, reply.lang), 'ephemeral');
      } catch (later) {
        failed(later);
      }
    },
  );
  await holdAtMost(sent, undefined);
}

/** Cancels the confirmation nobody will see, so it cannot be pressed from a copy either. */
async function closePending(deps: ListenerDeps, reply: BotReply, actor: Actor): Promise<void> {
  if (reply.kind !== 'confirm_rollback' && reply.kind !== 'confirm_deploy') return;
  try {
    await deps.dispatcher.decide(reply.pendingId, 'cancel', actor);
  } catch (err) {
    deps.logger.warn({ err }, 'closing a confirmation nobody can see failed');
  }
}

/** `/rollback ...` and `/deploy ...`: acknowledged at once, answered when the dispatcher is done. */
export function register(app: App, deps: ListenerDeps): void {
  for (const name of slashCommands) {
    app.command(name, async ({ ack, body, respond, client }) => {
      // Slack drops a command not acknowledged within 3 s. The app acks when the request arrives (ackFirst in
      // app.ts); this call keeps the listener correct on any receiver, and must stay first.
      await ack();
      const parsed = commandSchema.safeParse(body);
      if (!parsed.success) {
        deps.logger.warn({ command: name }, 'unexpected slash command payload ignored');
        return;
      }
      const cmd = parsed.data;
      if (!firstDelivery(deps, cmd.trigger_id ? `command:${cmd.trigger_id}` : undefined)) return;
      const lang = detectLang(cmd.text);
      // `directmessage` is any DM, also one between two people: only the bot's own DM is exempt.
      const isDm = await isBotDm(deps, client, cmd.channel_id);
      const privately = (msg: SlackMessage) =>
        respond({ response_type: 'ephemeral', text: msg.text, blocks: msg.blocks as unknown as Blocks });
      if (!(await inAllowedChannel(deps, { channel: cmd.channel_id, isDm, lang }, privately))) return;
      const { text, hint } = commandToMessage(cmd.command as SlashCommand, cmd.text);
      const actor: Actor = { via: 'slack', user: cmd.user_id, channel: cmd.channel_id, threadTs: null };
      const reply = await safely(deps, lang, name, () =>
        deps.dispatcher.handleMessage({ text, hint, actor }),
      );
      await deliver(deps, respond, actor, reply, render(deps, reply));
    });
  }
}
