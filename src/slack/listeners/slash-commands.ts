import type { App, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import type { Actor, BotReply } from '../../bot/types.ts';
import { detectLang } from '../../domain/lang.ts';
import type { SlackMessage } from '../blocks/kit.ts';
import { isDmChannel } from '../blocks/where.ts';
import { commandToMessage, type SlashCommand, slashCommands } from '../commands.ts';
import { cannotPostHere, describeSlackError, postMessage } from '../web-api.ts';
import {
  firstDelivery,
  inAllowedChannel,
  type ListenerDeps,
  render,
  safely,
  type WebClient,
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

async function deliver(
  deps: ListenerDeps,
  client: WebClient,
  respond: RespondFn,
  actor: Actor,
  reply: BotReply,
  msg: SlackMessage,
): Promise<void> {
  const viaResponseUrl = (responseType: 'ephemeral' | 'in_channel') =>
    respond({ response_type: responseType, text: msg.text, blocks: msg.blocks as unknown as Blocks });
  try {
    if (privateKinds.has(reply.kind) || !actor.channel) {
      await viaResponseUrl('ephemeral');
      return;
    }
    try {
      // A real channel message has a ts, so a later press can update it and notices can thread under it.
      await postMessage(client, { channel: actor.channel }, msg);
    } catch (err) {
      if (!cannotPostHere(err)) throw err;
      // Private channels and DMs with others: the bot is not a member, but response_url still works.
      await viaResponseUrl('in_channel');
    }
  } catch (err) {
    deps.logger.error({ err, slack: describeSlackError(err) }, 'answering a slash command failed');
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
      const isDm = cmd.channel_name === 'directmessage' || isDmChannel(cmd.channel_id);
      const privately = (msg: SlackMessage) =>
        respond({ response_type: 'ephemeral', text: msg.text, blocks: msg.blocks as unknown as Blocks });
      if (!(await inAllowedChannel(deps, { channel: cmd.channel_id, isDm, lang }, privately))) return;
      const { text, hint } = commandToMessage(cmd.command as SlashCommand, cmd.text);
      const actor: Actor = { via: 'slack', user: cmd.user_id, channel: cmd.channel_id, threadTs: null };
      const reply = await safely(deps, lang, name, () =>
        deps.dispatcher.handleMessage({ text, hint, actor }),
      );
      await deliver(deps, client, respond, actor, reply, render(deps, reply));
    });
  }
}
