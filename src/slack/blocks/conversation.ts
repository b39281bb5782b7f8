import type { BotReply, PendingSummary } from '../../bot/types.ts';
import type { RepoLock } from '../../domain/records.ts';
import { shortSha } from '../../domain/repo-ref.ts';
import { operationWord, statusWord } from '../../domain/wording.ts';
import { formatDuration, formatTime, type RenderContext, t } from './format.ts';
import { context, esc, message, type SlackMessage, section } from './kit.ts';

// Minimal renderers for the lock, audit and cancel replies and the "dropped" note; plain sections.

type Reply<K extends BotReply['kind']> = Extract<BotReply, { kind: K }>;
type Lang = BotReply['lang'];

const who = (u: string | null, lang: Lang) => (u ? `<@${esc(u)}>` : t(lang, '(알 수 없음)', '(unknown)'));

export function lockText(l: RepoLock, lang: Lang, ctx: RenderContext): string {
  const why = l.reason ? ` · ${t(lang, '사유', 'reason')}: ${esc(l.reason)}` : '';
  return t(
    lang,
    `:lock: *${esc(`${l.owner}/${l.repo}`)}* 잠김 · ${who(l.lockedBy, lang)} · ${formatTime(l.expiresAt, ctx)}까지${why}`,
    `:lock: *${esc(`${l.owner}/${l.repo}`)}* locked by ${who(l.lockedBy, lang)} until ${formatTime(l.expiresAt, ctx)}${why}`,
  );
}

export function droppedText(d: PendingSummary, lang: Lang): string {
  const op = operationWord(d.kind, lang);
  return t(
    lang,
    `기다리던 ${esc(`${d.owner}/${d.repo}`)} \`${shortSha(d.targetSha)}\` ${op} 확인은 취소했습니다.`,
    `The waiting ${op} of ${esc(`${d.owner}/${d.repo}`)} to \`${shortSha(d.targetSha)}\` was dropped.`,
  );
}

export function renderAudit(r: Reply<'audit'>, ctx: RenderContext): SlackMessage {
  const { lang, report } = r;
  const lines = report.items.map(({ deployment: d, confirmedBy, fromSha }) => {
    const sha = d.commitSha ? `\`${shortSha(d.commitSha)}\`` : esc(d.ref ?? '-');
    const from = fromSha ? ` ← \`${shortSha(fromSha)}\`` : '';
    const took = d.durationMs !== null ? ` · ${formatDuration(d.durationMs, lang)}` : '';
    const ok = confirmedBy ? ` · ${t(lang, '확인', 'confirmed by')} ${who(confirmedBy, lang)}` : '';
    return `#${d.id} ${formatTime(d.requestedAt, ctx)} ${operationWord(d.operation, lang)} ${statusWord[d.status][lang]} ${sha}${from} · ${who(d.requestedBy, lang)}${ok}${took}`;
  });
  const head = `*${esc(`${report.owner}/${report.repo}`)}* — ${t(lang, '누가 무엇을 했나', 'who did what')}`;
  const text = [head, ...lines, ...report.locks.map((l) => lockText(l, lang, ctx))].join('\n');
  return message([section(text)], text);
}

export function renderLocked(r: Reply<'locked'>, ctx: RenderContext): SlackMessage {
  const text = lockText(r.lock, r.lang, ctx);
  return message([section(text)], text);
}

export function renderUnlocked(r: Reply<'unlocked'>): SlackMessage {
  const repo = esc(`${r.owner}/${r.repo}`);
  const text = r.lock
    ? t(r.lang, `:unlock: *${repo}* 잠금을 해제했습니다.`, `:unlock: *${repo}* is unlocked.`)
    : t(r.lang, `*${repo}*은(는) 잠겨 있지 않았습니다.`, `*${repo}* was not locked.`);
  return message([section(text)], text);
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

/** Adds the "dropped" note under any reply. */
export function withDropped(msg: SlackMessage, reply: BotReply): SlackMessage {
  if (!reply.dropped) return msg;
  const note = droppedText(reply.dropped, reply.lang);
  return { blocks: [...msg.blocks, context(note)], text: `${msg.text}\n${note}` };
}
