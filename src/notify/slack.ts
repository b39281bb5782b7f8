import { type Deployment, isTerminal } from '../domain/deployment.ts';
import type { Logger } from '../log/logger.ts';
import type { DeploymentStore, IntegrationStore } from '../services/ports.ts';
import {
  type NoticeTone,
  noticeBroadcasts,
  renderNotice as renderSlackNotice,
} from '../slack/blocks/notices.ts';
import type { WebClient } from '../slack/listeners/context.ts';
import { describeSlackError, postMessage, updateMessage } from '../slack/web-api.ts';
import type { DeploymentNotice, NoticeKind, Notifier } from './port.ts';
import { renderNotice as renderLine } from './render.ts';

export interface SlackNotifierOptions {
  readonly client: WebClient;
  readonly deployments: Pick<DeploymentStore, 'get' | 'update'>;
  readonly integrations: Pick<IntegrationStore, 'find'>;
  readonly timeZone: string;
  readonly logger: Logger;
  readonly clock?: () => Date;
}

export interface SlackNotifier extends Notifier {
  /** Resolves when every notice queued so far has been sent (or given up on). */
  idle(): Promise<void>;
}

const toneOf: Readonly<Record<NoticeKind, NoticeTone>> = {
  started: 'progress',
  progress: 'progress',
  succeeded: 'success',
  failed: 'failure',
  timedOut: 'failure',
  canceled: 'ended',
};

interface Place {
  readonly channel: string;
  /** Thread of the request; null for a notice channel (the progress message then starts the thread). */
  readonly threadTs: string | null;
}

// Slack says the stored message can no longer be edited: post a fresh progress message instead.
const goneCodes = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

/**
 * Poller notices on Slack. Per deployment: one progress message in the request's thread, posted on the
 * first started/progress event and edited in place after (its ts is stored on the record, so another
 * process can keep editing it); the outcome as a new reply in the same thread mentioning the requester,
 * failures broadcast to the channel. Deployments started outside Slack go to the integration's notice
 * channel, or nowhere.
 *
 * The methods only queue: the poller never waits on Slack (a 429 with Retry-After can hold a call for
 * seconds). Notices of one deployment are sent in order; a Slack error is logged and the next one is tried.
 */
export function createSlackNotifier(opts: SlackNotifierOptions): SlackNotifier {
  const log = opts.logger.child({ module: 'notify-slack' });
  const clock = opts.clock ?? (() => new Date());
  const chains = new Map<number, Promise<void>>();

  const placeOf = (d: Deployment): Place | null => {
    if (d.slackChannel) return { channel: d.slackChannel, threadTs: d.slackThreadTs };
    const channel = opts.integrations.find(d.owner, d.repo)?.noticeChannel;
    return channel ? { channel, threadTs: null } : null;
  };

  const render = (kind: NoticeKind, n: DeploymentNotice) => {
    const d = n.deployment;
    // A Slack user id becomes a mention; a console or CLI user name stays a name.
    const who = d.requestedVia === 'slack' ? (u: string) => `<@${u}>` : (u: string) => u;
    const line = renderLine(kind, n, { who }).text;
    return renderSlackNotice(
      { tone: toneOf[kind], deployment: d, line, elapsedMs: n.elapsedMs, at: n.at },
      { now: clock(), timeZone: opts.timeZone },
    );
  };

  const failed = (err: unknown, what: string, d: Deployment, place: Place): void => {
    log.warn(
      { err, slack: describeSlackError(err), deploymentId: d.id, channel: place.channel },
      `Slack ${what} failed; the notice is skipped`,
    );
  };

  /** Edits the progress message, or posts it (and stores its ts) when there is none yet or it is gone. */
  async function showProgress(kind: NoticeKind, n: DeploymentNotice, d: Deployment, place: Place) {
    const msg = render(kind, n);
    if (d.slackMessageTs) {
      try {
        await updateMessage(opts.client, { channel: place.channel, ts: d.slackMessageTs }, msg);
        return;
      } catch (err) {
        const code = describeSlackError(err)?.code;
        if (!code || !goneCodes.has(code)) return failed(err, 'chat.update', d, place);
      }
    }
    try {
      const ts = await postMessage(opts.client, place, msg);
      if (ts) opts.deployments.update(d.id, { slackMessageTs: ts });
    } catch (err) {
      failed(err, 'chat.postMessage', d, place);
    }
  }

  async function send(kind: NoticeKind, n: DeploymentNotice): Promise<void> {
    // The progress message's ts comes from the stored record: another process may have posted it.
    const stored = opts.deployments.get(n.deployment.id);
    const d: Deployment = { ...n.deployment, slackMessageTs: stored?.slackMessageTs ?? null };
    const notice = { ...n, deployment: d };
    const place = placeOf(d);
    if (!place) return;
    if (toneOf[kind] === 'progress') {
      // A late progress tick must not turn a finished message back into "running".
      if (stored && isTerminal(stored.status)) return;
      await showProgress(kind, notice, d, place);
      return;
    }
    const msg = render(kind, notice);
    // The progress message ends on the outcome too, so the thread never shows a stale "running".
    if (d.slackMessageTs) {
      await updateMessage(opts.client, { channel: place.channel, ts: d.slackMessageTs }, msg).catch(
        (err: unknown) => failed(err, 'chat.update', d, place),
      );
    }
    const thread = place.threadTs ?? d.slackMessageTs;
    try {
      await postMessage(
        opts.client,
        {
          channel: place.channel,
          threadTs: thread,
          broadcast: thread !== null && noticeBroadcasts({ tone: toneOf[kind] }),
        },
        msg,
      );
    } catch (err) {
      failed(err, 'chat.postMessage', d, place);
    }
  }

  const enqueue = (kind: NoticeKind) => async (n: DeploymentNotice) => {
    const id = n.deployment.id;
    const before = chains.get(id) ?? Promise.resolve();
    const next = before
      .then(() => send(kind, n))
      .catch((err: unknown) => {
        log.error({ err, deploymentId: id, notice: kind }, 'Slack notice failed');
      });
    chains.set(id, next);
    void next.then(() => {
      if (chains.get(id) === next) chains.delete(id);
    });
  };

  return {
    started: enqueue('started'),
    progress: enqueue('progress'),
    succeeded: enqueue('succeeded'),
    failed: enqueue('failed'),
    timedOut: enqueue('timedOut'),
    canceled: enqueue('canceled'),
    async idle() {
      while (chains.size > 0) await Promise.all([...chains.values()]);
    },
  };
}
