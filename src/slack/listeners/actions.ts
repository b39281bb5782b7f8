import type { App, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import type { Actor, BotReply } from '../../bot/types.ts';
import { isInFlight } from '../../domain/deployment.ts';
import type { Lang } from '../../domain/intent.ts';
import { detectLang } from '../../domain/lang.ts';
import {
  actionIdPattern,
  actionIds,
  chooseRepoValueSchema,
  parseButtonValue,
  rollbackToValueSchema,
} from '../blocks/action-ids.ts';
import { type Decision, renderDecided, withDecision } from '../blocks/confirm.ts';
import { fromSlackText, type SlackMessage } from '../blocks/kit.ts';
import { isDmChannel } from '../blocks/where.ts';
import { describeSlackError } from '../web-api.ts';
import {
  firstDelivery,
  inAllowedChannel,
  isBotDm,
  type ListenerDeps,
  postInThread,
  render,
  renderContext,
  safely,
  tellInDm,
  type WebClient,
} from './context.ts';

const blockActionSchema = z
  .object({
    type: z.literal('block_actions'),
    trigger_id: z.string().optional(),
    user: z.object({ id: z.string() }).loose(),
    channel: z.object({ id: z.string() }).loose().optional(),
    container: z.object({ is_ephemeral: z.boolean().optional() }).loose().optional(),
    message: z
      .object({
        ts: z.string(),
        thread_ts: z.string().optional(),
        text: z.string().default(''),
        blocks: z.array(z.unknown()).default([]),
      })
      .loose()
      .optional(),
    actions: z
      .array(
        z
          .object({ action_id: z.string(), value: z.string().optional(), action_ts: z.string().optional() })
          .loose(),
      )
      .min(1),
  })
  .loose();
type BlockAction = z.infer<typeof blockActionSchema>;

interface Press {
  readonly payload: BlockAction;
  readonly action: BlockAction['actions'][number];
  readonly actor: Actor;
  /** The language of the message pressed, so refusals answer in it. */
  readonly lang: Lang;
}

type Blocks = Parameters<RespondFn>[0] extends infer A ? (A extends { blocks?: infer B } ? B : never) : never;

function readPress(deps: ListenerDeps, body: unknown): Press | null {
  const parsed = blockActionSchema.safeParse(body);
  if (!parsed.success) {
    deps.logger.warn({ issues: parsed.error.issues.length }, 'unexpected block action payload ignored');
    return null;
  }
  const payload = parsed.data;
  const action = payload.actions[0];
  if (!action) return null;
  const key = payload.trigger_id ?? (action.action_ts ? `${payload.user.id}:${action.action_ts}` : undefined);
  if (!firstDelivery(deps, key ? `action:${key}` : undefined)) return null;
  const channel = payload.channel?.id ?? null;
  // Buttons in a DM sit in the conversation itself; what follows goes inline there too, not in a thread.
  const threadTs = payload.message
    ? (payload.message.thread_ts ?? (isDmChannel(channel) ? null : payload.message.ts))
    : null;
  return {
    payload,
    action,
    actor: { via: 'slack', user: payload.user.id, channel, threadTs },
    lang: detectLang(payload.message?.text ?? ''),
  };
}

/** A press from outside ALLOWED_CHANNELS (the setting changed after the buttons were posted) does nothing. */
async function pressAllowed(
  deps: ListenerDeps,
  client: WebClient,
  respond: RespondFn,
  press: Press,
): Promise<boolean> {
  const channel = press.actor.channel;
  const isDm = await isBotDm(deps, client, channel);
  return inAllowedChannel(deps, { channel, isDm, lang: press.lang }, (msg) =>
    tellPresser(deps, client, respond, press, msg),
  );
}

/** Swaps the pressed message's buttons for the decision line, in place (chat.update, else response_url). */
async function replaceButtons(
  deps: ListenerDeps,
  respond: RespondFn,
  press: Press,
  decision: Decision,
): Promise<void> {
  const m = press.payload.message;
  const msg: SlackMessage = withDecision(
    m?.blocks ?? [],
    renderDecided(decision, renderContext(deps)),
    fromSlackText(m?.text ?? ''),
    String(decision.at.getTime()),
  );
  try {
    if (m && press.actor.channel && !press.payload.container?.is_ephemeral) {
      try {
        await deps.poster.update({ channel: press.actor.channel, ts: m.ts }, msg);
        return;
      } catch (err) {
        deps.logger.warn(
          { err, slack: describeSlackError(err) },
          'chat.update failed; replacing via response_url',
        );
      }
    }
    await respond({ replace_original: true, text: msg.text, blocks: msg.blocks as unknown as Blocks });
  } catch (err) {
    deps.logger.error({ err, slack: describeSlackError(err) }, 'replacing the buttons failed');
  }
}

/**
 * A refusal only the presser sees: an ephemeral message, else the press's response_url (which reaches
 * channels the bot is not in), else their DM with the app. Never only the log.
 */
async function tellPresser(
  deps: ListenerDeps,
  _client: WebClient,
  respond: RespondFn,
  press: Press,
  msg: SlackMessage,
): Promise<void> {
  const { channel, user, threadTs } = press.actor;
  if (channel && user) {
    try {
      await deps.poster.ephemeral({ channel, user, threadTs }, msg);
      return;
    } catch (err) {
      deps.logger.warn(
        { err, slack: describeSlackError(err) },
        'ephemeral refusal failed; using response_url',
      );
    }
  }
  try {
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      text: msg.text,
      blocks: msg.blocks as unknown as Blocks,
    });
    return;
  } catch (err) {
    deps.logger.warn({ err, slack: describeSlackError(err) }, 'response_url refusal failed; trying the DM');
  }
  if (user) await tellInDm(deps, user, channel ?? user, 'cannot_post', msg);
}

/** After a press: refusals to the presser, everything else in the thread. */
async function answer(
  deps: ListenerDeps,
  client: WebClient,
  respond: RespondFn,
  press: Press,
  reply: BotReply,
): Promise<void> {
  if (reply.kind === 'error') {
    // Refusals (expired, not yours, already decided) never touch the message: a late second press must not
    // overwrite the line the first press wrote.
    await tellPresser(deps, client, respond, press, render(deps, reply));
    return;
  }
  await postInThread(deps, client, press.actor, render(deps, reply));
}

export function register(app: App, deps: ListenerDeps): void {
  for (const decision of ['go', 'cancel'] as const) {
    const id = decision === 'go' ? actionIds.confirmGo : actionIds.confirmCancel;
    app.action(id, async ({ ack, body, client, respond }) => {
      await ack();
      const press = readPress(deps, body);
      const pendingId = press?.action.value;
      if (!press || !pendingId || !(await pressAllowed(deps, client, respond, press))) return;
      const reply = await safely(deps, press.lang, 'decide', () =>
        deps.dispatcher.decide(pendingId, decision, press.actor),
      );
      if (reply.kind === 'started' || reply.kind === 'canceled') {
        await replaceButtons(deps, respond, press, {
          lang: reply.lang,
          what: decision,
          by: press.actor.user,
          at: deps.clock(),
        });
        // The cancel line on the message says it all; a start gets its own reply unless the notifier's
        // progress message (posted when the poller reports the start) says it already; a record that ended at
        // once (NCP refused the start) is never followed by the poller, so it is answered here.
        if (reply.kind === 'started' && !(deps.noticesInThread && isInFlight(reply.deployment.status))) {
          await postInThread(deps, client, press.actor, render(deps, reply));
        }
        return;
      }
      await answer(deps, client, respond, press, reply);
    });
  }

  app.action(actionIdPattern.chooseRepo, async ({ ack, body, client, respond }) => {
    await ack();
    const press = readPress(deps, body);
    const value = press ? parseButtonValue(chooseRepoValueSchema, press.action.value) : null;
    if (!press || !value || !(await pressAllowed(deps, client, respond, press))) return;
    const repo = { owner: value.o, repo: value.r };
    const reply = await safely(deps, press.lang, 'chooseRepo', () =>
      deps.dispatcher.chooseRepo(value.p, repo, press.actor),
    );
    if (reply.kind !== 'error') {
      await replaceButtons(deps, respond, press, {
        lang: reply.lang,
        what: 'choose',
        by: press.actor.user,
        at: deps.clock(),
        detail: `${repo.owner}/${repo.repo}`,
      });
    }
    await answer(deps, client, respond, press, reply);
  });

  app.action(actionIdPattern.rollbackTo, async ({ ack, body, client, respond }) => {
    await ack();
    const press = readPress(deps, body);
    const value = press ? parseButtonValue(rollbackToValueSchema, press.action.value) : null;
    if (!press || !value || !(await pressAllowed(deps, client, respond, press))) return;
    // The same words `/rollback <repo> <sha>` sends, so the confirmation and its checks are the usual ones.
    const text = `${value.o}/${value.r} ${value.sha}`;
    const reply = await safely(deps, press.lang, 'rollbackTo', () =>
      deps.dispatcher.handleMessage({ text, hint: 'rollback', actor: press.actor }),
    );
    await answer(deps, client, respond, press, reply);
  });
}
