import type { Deployment } from '../../domain/deployment.ts';
import { personRef } from '../../domain/people.ts';
import { shortSha } from '../../domain/repo-ref.ts';
import { firstLine, formatDuration, formatTime, type RenderContext, t } from './format.ts';
import {
  code,
  context,
  esc,
  escWithRefs,
  fields,
  mention,
  message,
  type SlackMessage,
  section,
} from './kit.ts';
import { slackLimits } from './limits.ts';
import { formatStatus } from './reports.ts';

/**
 * How a notice reads on Slack: `progress` is the one message updated in place; the others are new
 * replies. Failures (failed, timed out) also go to the channel; a cancel in NCP stays in the thread.
 */
export type NoticeTone = 'progress' | 'success' | 'failure' | 'ended';

/**
 * One notice as the Slack notifier hands it over. The wording is the shared notice line (the same one the
 * console prints, from src/notify/render.ts), so Slack and the terminal never tell two stories; this
 * renderer adds the Block Kit frame around it.
 */
export interface SlackNotice {
  readonly tone: NoticeTone;
  /** The record after the change. */
  readonly deployment: Deployment;
  /** The notice in the request's language, plain text; a Slack requester is written `<@U…>`. */
  readonly line: string;
  readonly elapsedMs: number;
  readonly at: Date;
}

export const noticeBroadcasts = (n: Pick<SlackNotice, 'tone'>): boolean => n.tone === 'failure';

/**
 * The line escaped as a whole; the requester, written with personRef when the line was composed, becomes a
 * live mention afterwards. A `<@U…>` inside a commit message or an NCP error stays text.
 */
const safeLine = (n: SlackNotice): string => escWithRefs(n.line, slackLimits.sectionText);

const label = (d: Deployment): string => `#${d.id} · ${esc(`${d.owner}/${d.repo}`)}`;

// A registry host may carry a port (`host:5000/app`): only a colon after the last slash is a tag.
const imageOf = (d: Deployment): string | null =>
  d.image ? (d.imageTag && !/:[^/]*$/.test(d.image) ? `${d.image}:${d.imageTag}` : d.image) : null;

export function renderNotice(n: SlackNotice, ctx: RenderContext): SlackMessage {
  const d = n.deployment;
  const lang = d.lang;
  const text = safeLine(n);
  switch (n.tone) {
    case 'progress':
      return message(
        [
          section(text),
          context(
            `${label(d)} · ${formatStatus(d.status, lang)}`,
            t(
              lang,
              `${formatDuration(n.elapsedMs, lang)} 경과 · ${formatTime(n.at, ctx)} 기준`,
              `${formatDuration(n.elapsedMs, lang)} elapsed · as of ${formatTime(n.at, ctx)}`,
            ),
          ),
        ],
        n.line,
      );
    case 'success': {
      const facts: string[] = [];
      if (d.commitSha) {
        const subject = firstLine(d.commitMessage);
        facts.push(
          `*${t(lang, '커밋', 'Commit')}*\n\`${shortSha(d.commitSha)}\`${subject ? ` ${esc(subject)}` : ''}`,
        );
      }
      const image = imageOf(d);
      if (image) facts.push(`*${t(lang, '이미지', 'Image')}*\n${code(image)}`);
      const blocks = [section(text)];
      if (facts.length > 0) blocks.push(fields(facts));
      blocks.push(context(`${label(d)} · ${formatStatus(d.status, lang)} · ${formatTime(n.at, ctx)}`));
      return message(blocks, n.line);
    }
    case 'failure':
      return message(
        [
          section(text),
          context(
            `${label(d)} · ${formatStatus(d.status, lang)}`,
            t(
              lang,
              `${code(`/rollback diagnose ${d.owner}/${d.repo}`)} 로 원인을 점검할 수 있어요`,
              `Check with ${code(`/rollback diagnose ${d.owner}/${d.repo}`)}`,
            ),
          ),
        ],
        n.line,
      );
    case 'ended':
      return message([section(text), context(`${label(d)} · ${formatStatus(d.status, lang)}`)], n.line);
  }
}

/**
 * The one reply that says a deployment ended, under the summary the progress message became: its headline
 * and the requester mentioned once, so the thread notifies them without repeating the summary.
 */
export function renderOutcomeReply(n: SlackNotice & { readonly headline: string }): SlackMessage {
  const d = n.deployment;
  const who = d.requestedVia === 'slack' ? d.requestedBy : null;
  const lead = mention(who);
  const text = `${lead ? `${lead} ` : ''}${escWithRefs(n.headline, slackLimits.sectionText)}`;
  return message([section(text), context(label(d))], `${who ? `${personRef(who)} ` : ''}${n.headline}`);
}
