import { type Deployment, isTerminal } from '../domain/deployment.ts';
import { personRef } from '../domain/people.ts';
import type { Logger } from '../log/logger.ts';
import type { DeploymentNotice, NoticeKind, Notifier } from '../notify/port.ts';
import { renderNotice as renderLine } from '../notify/render.ts';
import type { DeploymentStore, IntegrationStore } from '../services/ports.ts';
import { type SlackMessage, withNote } from './blocks/kit.ts';
import {
  type NoticeTone,
  noticeBroadcasts,
  renderOutcomeReply,
  renderNotice as renderSlackNotice,
} from './blocks/notices.ts';
import { renderPinReminder, renderVerifyAlert, renderVerifyCard } from './blocks/verify-card.ts';
import { dmNote, isDmChannel } from './blocks/where.ts';
import { cannotPostHere, describeSlackError, isRateLimited, type Poster } from './web-api.ts';

export interface SlackNotifierOptions {
  /** The app's paced sender (SlackApp.poster), so notices and replies share each channel's pace. */
  readonly poster: Poster;
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
  verifying: 'progress',
  verified: 'success',
  verificationFailed: 'failure',
  pinReminder: 'ended',
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
 * process can keep editing it); at the end it becomes the summary, and one short reply says the outcome,
 * mentioning the requester (the only mention: progress does not ping), failures broadcast to the channel.
 * In the bot's DM everything is inline. Deployments started outside Slack go to the integration's notice
 * channel, or nowhere.
 *
 * The methods only queue: the poller never waits on Slack. Notices of one deployment are sent in order;
 * progress ticks still waiting when a newer one arrives are dropped (the newer one says more). When Slack
 * will not take a notice (the bot left the channel, or 429s past the pacer's patience) the requester gets
 * it in their DM with the app, with the reason.
 */
export function createSlackNotifier(opts: SlackNotifierOptions): SlackNotifier {
  const log = opts.logger.child({ module: 'notify-slack' });
  const clock = opts.clock ?? (() => new Date());
  const chains = new Map<number, Promise<void>>();
  // The newest progress tick per deployment; an older one that reaches the front of the chain is skipped.
  const latestProgress = new Map<number, DeploymentNotice>();
  // Deployments whose requester was already told in a DM that progress cannot be posted.
  const dmedProgress = new Set<number>();

  const placeOf = (d: Deployment): Place | null => {
    if (d.slackChannel) return { channel: d.slackChannel, threadTs: d.slackThreadTs };
    const channel = opts.integrations.find(d.owner, d.repo)?.noticeChannel;
    return channel ? { channel, threadTs: null } : null;
  };

  const slackRequester = (d: Deployment): string | null =>
    d.requestedVia === 'slack' && d.requestedBy ? d.requestedBy : null;

  const ctx = () => ({ now: clock(), timeZone: opts.timeZone });

  /** The full notice; `ping` names the requester as a mention (only where a new message should notify). */
  const render = (kind: NoticeKind, n: DeploymentNotice, ping: boolean): SlackMessage => {
    const d = n.deployment;
    // A Slack user id becomes a mention (after escaping); a console or CLI user name stays a name.
    const who = d.requestedVia === 'slack' ? personRef : (u: string) => u;
    const line = renderLine(kind, n, { who, requester: ping || d.requestedVia !== 'slack' }).text;
    return renderSlackNotice(
      { tone: toneOf[kind], deployment: d, line, elapsedMs: n.elapsedMs, at: n.at },
      ctx(),
    );
  };

  const renderReply = (kind: NoticeKind, n: DeploymentNotice): SlackMessage => {
    const d = n.deployment;
    const rendered = renderLine(kind, n, { requester: false });
    return renderOutcomeReply({
      tone: toneOf[kind],
      deployment: d,
      line: rendered.text,
      headline: rendered.headline,
      elapsedMs: n.elapsedMs,
      at: n.at,
    });
  };

  const failed = (err: unknown, what: string, d: Deployment, place: Place): void => {
    log.warn(
      { err, slack: describeSlackError(err), deploymentId: d.id, channel: place.channel },
      `Slack ${what} failed; the notice is skipped`,
    );
  };

  /** Slack will not take notices where the request was made: the requester hears it in their DM. */
  async function toDm(err: unknown, d: Deployment, place: Place, msg: SlackMessage): Promise<void> {
    const user = slackRequester(d);
    if (!user || user === place.channel || !(cannotPostHere(err) || isRateLimited(err))) return;
    const note = dmNote(isRateLimited(err) ? 'ratelimited' : 'cannot_post', place.channel, d.lang);
    try {
      await opts.poster.post({ channel: user }, withNote(note, msg));
    } catch (dmErr) {
      failed(dmErr, 'DM to the requester', d, place);
    }
  }

  /** Edits the progress message, or posts it (and stores its ts) when there is none yet or it is gone. */
  async function showProgress(kind: NoticeKind, n: DeploymentNotice, d: Deployment, place: Place) {
    const msg = render(kind, n, false);
    if (d.slackMessageTs) {
      try {
        await opts.poster.update({ channel: place.channel, ts: d.slackMessageTs }, msg);
        return;
      } catch (err) {
        const code = describeSlackError(err)?.code;
        if (!code || !goneCodes.has(code)) return failed(err, 'chat.update', d, place);
      }
    }
    try {
      const ts = await opts.poster.post(place, msg);
      if (ts) opts.deployments.update(d.id, { slackMessageTs: ts });
    } catch (err) {
      failed(err, 'chat.postMessage', d, place);
      if (!dmedProgress.has(d.id)) {
        dmedProgress.add(d.id);
        await toDm(err, d, place, msg);
      }
    }
  }

  /**
   * The verification card: posted under the deployment's thread at the first look, edited after. A failed
   * verdict also gets a reply that notifies; a rollback that fails verification is broadcast.
   */
  async function sendVerify(kind: NoticeKind, n: DeploymentNotice): Promise<void> {
    const stored = opts.deployments.get(n.deployment.id);
    const d: Deployment = {
      ...n.deployment,
      slackMessageTs: stored?.slackMessageTs ?? n.deployment.slackMessageTs,
      verifyMessageTs: stored?.verifyMessageTs ?? null,
    };
    const place = placeOf(d);
    if (!place) return;
    if (kind === 'verifying' && stored?.verifyStatus && stored.verifyStatus !== 'verifying') return;
    const inDm = isDmChannel(place.channel);
    const thread = inDm ? null : (place.threadTs ?? d.slackMessageTs);
    const card = renderVerifyCard(d);
    let shown = false;
    if (d.verifyMessageTs) {
      try {
        await opts.poster.update({ channel: place.channel, ts: d.verifyMessageTs }, card);
        shown = true;
      } catch (err) {
        const code = describeSlackError(err)?.code;
        if (!code || !goneCodes.has(code)) failed(err, 'chat.update', d, place);
      }
    }
    if (!shown) {
      try {
        const ts = await opts.poster.post({ channel: place.channel, threadTs: thread }, card);
        if (ts) opts.deployments.update(d.id, { verifyMessageTs: ts });
      } catch (err) {
        failed(err, 'chat.postMessage', d, place);
        if (kind !== 'verifying') await toDm(err, d, place, card);
      }
    }
    if (kind !== 'verificationFailed') return;
    try {
      await opts.poster.post(
        {
          channel: place.channel,
          threadTs: thread,
          broadcast: thread !== null && d.operation === 'rollback',
        },
        renderVerifyAlert(d),
      );
    } catch (err) {
      failed(err, 'chat.postMessage', d, place);
      await toDm(err, d, place, renderVerifyAlert(d));
    }
  }

  /** In the rollback's thread, mentioning whoever asked for it. */
  async function sendPinReminder(n: DeploymentNotice): Promise<void> {
    const d = n.deployment;
    const place = placeOf(d);
    if (!place || !n.pin) return;
    const thread = isDmChannel(place.channel) ? null : (place.threadTs ?? d.slackMessageTs);
    try {
      await opts.poster.post({ channel: place.channel, threadTs: thread }, renderPinReminder(d, n.pin));
    } catch (err) {
      failed(err, 'chat.postMessage', d, place);
    }
  }

  async function send(kind: NoticeKind, n: DeploymentNotice): Promise<void> {
    if (kind === 'pinReminder') return sendPinReminder(n);
    if (kind === 'verifying' || kind === 'verified' || kind === 'verificationFailed') {
      if (kind === 'verifying' && latestProgress.get(-n.deployment.id) !== n) return;
      return sendVerify(kind, n);
    }
    // The progress message's ts comes from the stored record: another process may have posted it.
    const stored = opts.deployments.get(n.deployment.id);
    const d: Deployment = { ...n.deployment, slackMessageTs: stored?.slackMessageTs ?? null };
    const notice = { ...n, deployment: d };
    const place = placeOf(d);
    if (!place) return;
    if (toneOf[kind] === 'progress') {
      if (kind === 'progress' && latestProgress.get(d.id) !== n) return;
      // A late progress tick must not turn a finished message back into "running".
      if (stored && isTerminal(stored.status)) return;
      await showProgress(kind, notice, d, place);
      return;
    }
    latestProgress.delete(d.id);
    dmedProgress.delete(d.id);
    const inDm = isDmChannel(place.channel);
    if (!d.slackMessageTs) {
      // No progress message to turn into the summary: the full notice is the one reply.
      const full = render(kind, notice, true);
      const thread = inDm ? null : place.threadTs;
      try {
        await opts.poster.post(
          {
            channel: place.channel,
            threadTs: thread,
            broadcast: thread !== null && noticeBroadcasts({ tone: toneOf[kind] }),
          },
          full,
        );
      } catch (err) {
        failed(err, 'chat.postMessage', d, place);
        await toDm(err, d, place, full);
      }
      return;
    }
    const summary = render(kind, notice, false);
    try {
      // The progress message ends as the summary, so the thread never shows a stale "running".
      await opts.poster.update({ channel: place.channel, ts: d.slackMessageTs }, summary);
    } catch (err) {
      failed(err, 'chat.update', d, place);
    }
    const thread = inDm ? null : (place.threadTs ?? d.slackMessageTs);
    try {
      await opts.poster.post(
        {
          channel: place.channel,
          threadTs: thread,
          broadcast: thread !== null && noticeBroadcasts({ tone: toneOf[kind] }),
        },
        renderReply(kind, notice),
      );
    } catch (err) {
      failed(err, 'chat.postMessage', d, place);
      await toDm(err, d, place, render(kind, notice, false));
    }
  }

  const enqueue = (kind: NoticeKind) => async (n: DeploymentNotice) => {
    const id = n.deployment.id;
    if (kind === 'progress') latestProgress.set(id, n);
    // Verification looks coalesce like progress ticks, under their own key.
    if (kind === 'verifying') latestProgress.set(-id, n);
    const before = chains.get(id) ?? Promise.resolve();
    const next = before
      .then(() => send(kind, n))
      .catch((err: unknown) => {
        log.error({ err, deploymentId: id, notice: kind }, 'Slack notice failed');
      });
    chains.set(id, next);
    void next.then(() => {
      if (chains.get(id) === next) {
        chains.delete(id);
        if (latestProgress.get(id) === n) latestProgress.delete(id);
        if (latestProgress.get(-id) === n) latestProgress.delete(-id);
      }
    });
  };

  return {
    started: enqueue('started'),
    progress: enqueue('progress'),
    succeeded: enqueue('succeeded'),
    failed: enqueue('failed'),
    timedOut: enqueue('timedOut'),
    canceled: enqueue('canceled'),
    verifying: enqueue('verifying'),
    verified: enqueue('verified'),
    verificationFailed: enqueue('verificationFailed'),
    pinReminder: enqueue('pinReminder'),
    async idle() {
      while (chains.size > 0) await Promise.all([...chains.values()]);
    },
  };
}
