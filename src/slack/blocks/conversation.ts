import type { BotReply, PendingSummary } from '../../bot/types.ts';
import { personRef } from '../../domain/people.ts';
import type { RepoLock } from '../../domain/records.ts';
import { shortSha } from '../../domain/repo-ref.ts';
import { operationWord, statusWord } from '../../domain/wording.ts';
import { formatDuration, formatTime, type RenderContext, t } from './format.ts';
import { context, esc, message, outside, type SlackMessage, section, withNote } from './kit.ts';

// Renderers for the lock, audit and cancel replies and the "dropped" note. Each line is composed once per
// target: `esc` for mrkdwn blocks, `outside` for the raw fallback that `message` escapes itself; people are
// named with personRef, so neither can be forged by text from outside.

type Reply<K extends BotReply['kind']> = Extract<BotReply, { kind: K }>;
type Lang = BotReply['lang'];
/** How a piece from outside enters the text being composed. */
type Quote = (raw: string) => string;
const blockQuote: Quote = (raw) => esc(raw);
const rawQuote: Quote = (raw) => outside(raw);

const who = (u: string | null, lang: Lang, q: Quote) =>
  u ? (/^[UW][A-Z0-9_]+$/.test(u) ? personRef(u) : q(u)) : t(lang, '(알 수 없음)', '(unknown)');

function lockLine(l: RepoLock, lang: Lang, ctx: RenderContext, q: Quote): string {
  const why = l.reason ? ` · ${t(lang, '사유', 'reason')}: ${q(l.reason)}` : '';
  const repo = q(`${l.owner}/${l.repo}`);
  return t(
    lang,
    `:lock: *${repo}* 잠김 · ${who(l.lockedBy, lang, q)} · ${formatTime(l.expiresAt, ctx)}까지${why}`,
    `:lock: *${repo}* locked by ${who(l.lockedBy, lang, q)} until ${formatTime(l.expiresAt, ctx)}${why}`,
  );
}

/** The lock line for mrkdwn blocks. */
export const lockText = (l: RepoLock, lang: Lang, ctx: RenderContext): string =>
  lockLine(l, lang, ctx, blockQuote);

function droppedLine(d: PendingSummary, lang: Lang, q: Quote): string {
  const op = operationWord(d.kind, lang);
  const repo = q(`${d.owner}/${d.repo}`);
  return t(
    lang,
    `기다리던 ${repo} \`${shortSha(d.targetSha)}\` ${op} 확인은 취소했습니다.`,
    `The waiting ${op} of ${repo} to \`${shortSha(d.targetSha)}\` was dropped.`,
  );
}

function auditText(r: Reply<'audit'>, ctx: RenderContext, q: Quote): string {
  const { lang, report } = r;
  const lines = report.items.map(({ deployment: d, confirmedBy, fromSha }) => {
    const sha = d.commitSha ? `\`${shortSha(d.commitSha)}\`` : q(d.ref ?? '-');
    const from = fromSha ? ` ← \`${shortSha(fromSha)}\`` : '';
    const took = d.durationMs !== null ? ` · ${formatDuration(d.durationMs, lang)}` : '';
    const ok = confirmedBy ? ` · ${t(lang, '확인', 'confirmed by')} ${who(confirmedBy, lang, q)}` : '';
    return `#${d.id} ${formatTime(d.requestedAt, ctx)} ${operationWord(d.operation, lang)} ${statusWord[d.status][lang]} ${sha}${from} · ${who(d.requestedBy, lang, q)}${ok}${took}`;
  });
  const head = `*${q(`${report.owner}/${report.repo}`)}* — ${t(lang, '누가 무엇을 했나', 'who did what')}`;
  return [head, ...lines, ...report.locks.map((l) => lockLine(l, lang, ctx, q))].join('\n');
}

/** One section whose fallback says the same, each composed for its target. */
const sectionMessage = (compose: (q: Quote) => string): SlackMessage =>
  message([section(compose(blockQuote))], compose(rawQuote));

export const renderAudit = (r: Reply<'audit'>, ctx: RenderContext): SlackMessage =>
  sectionMessage((q) => auditText(r, ctx, q));

export const renderLocked = (r: Reply<'locked'>, ctx: RenderContext): SlackMessage =>
  sectionMessage((q) => lockLine(r.lock, r.lang, ctx, q));

export function renderUnlocked(r: Reply<'unlocked'>): SlackMessage {
  return sectionMessage((q) => {
    const repo = q(`${r.owner}/${r.repo}`);
    return r.lock
      ? t(r.lang, `:unlock: *${repo}* 잠금을 해제했습니다.`, `:unlock: *${repo}* is unlocked.`)
      : t(r.lang, `*${repo}*은(는) 잠겨 있지 않았습니다.`, `*${repo}* was not locked.`);
  });
}

export function renderCancelRunning(r: Reply<'cancel_running'>): SlackMessage {
  const d = r.deployment;
  const op = operationWord(d.operation, r.lang);
  const text = r.accepted
    ? t(r.lang, `${op} #${d.id} 취소를 요청했습니다.`, `Asked NCP to cancel ${op} #${d.id}.`)
    : t(
        r.lang,
        `:x: 진행 중인 ${op} #${d.id}은(는) 아직 NCP에서 취소할 수 없습니다. 끝까지 진행되며 결과를 알려 드립니다.`,
        `:x: Cancelling ${op} #${d.id} on NCP is not available yet; it runs to its end and I will report it.`,
      );
  return message([section(text)], text);
}

/** Puts the "dropped" note above any reply, in the blocks and in the fallback, within the limits. */
export function withDropped(msg: SlackMessage, reply: BotReply): SlackMessage {
  const dropped = reply.dropped;
  if (!dropped) return msg;
  const line = (q: Quote) => droppedLine(dropped, reply.lang, q);
  return withNote(message([context(line(blockQuote))], line(rawQuote)), msg);
}
