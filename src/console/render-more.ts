import type { BotReply, PendingSummary } from '../bot/types.ts';
import type { Deployment } from '../domain/deployment.ts';
import { commitTitle, formatAge, formatDuration, formatTime } from '../domain/format.ts';
import type { Lang } from '../domain/intent.ts';
import type { RepoLock } from '../domain/records.ts';
import { shortSha } from '../domain/repo-ref.ts';
import type { FaultyVersion } from '../domain/reports.ts';
import { operationWord, statusWord, t } from '../domain/wording.ts';

/** Terminal lines for the replies of locks, audit, cancel and conversation notes. */

export interface MoreContext {
  readonly now: Date;
  readonly timeZone: string;
}

type Reply<K extends BotReply['kind']> = Extract<BotReply, { kind: K }>;

const who = (u: string | null, lang: Lang) => u ?? t(lang, '(알 수 없음)', '(unknown)');

export function droppedLine(d: PendingSummary, lang: Lang): string {
  const op = operationWord(d.kind, lang);
  return t(
    lang,
    `(기다리던 ${d.owner}/${d.repo} ${shortSha(d.targetSha)} ${op} 확인은 취소했습니다)`,
    `(the waiting ${op} of ${d.owner}/${d.repo} to ${shortSha(d.targetSha)} was dropped)`,
  );
}

export function faultyLine(f: FaultyVersion, lang: Lang, ctx: MoreContext): string {
  const title = commitTitle(f.commitMessage);
  const when = f.rolledAwayAt ? formatTime(f.rolledAwayAt, ctx.timeZone) : '?';
  return t(
    lang,
    `⚠ ${shortSha(f.commitSha)}${title ? ` "${title}"` : ''} · 롤백 #${f.rollbackId}로 벗어난 버전 (${when}, ${who(f.rolledAwayBy, lang)})`,
    `⚠ ${shortSha(f.commitSha)}${title ? ` "${title}"` : ''} · rolled away from by rollback #${f.rollbackId} (${when}, ${who(f.rolledAwayBy, lang)})`,
  );
}

export function lockLine(l: RepoLock, lang: Lang, ctx: MoreContext): string {
  const until = formatTime(l.expiresAt, ctx.timeZone);
  const why = l.reason ? ` · ${t(lang, '사유', 'reason')}: ${l.reason}` : '';
  return t(
    lang,
    `🔒 ${l.owner}/${l.repo} 잠김 · ${who(l.lockedBy, lang)} · ${until}까지${why}`,
    `🔒 ${l.owner}/${l.repo} locked by ${who(l.lockedBy, lang)} until ${until}${why}`,
  );
}

export function runningLine(d: Deployment, lang: Lang, ctx: MoreContext): string {
  const since = d.deployedAt ?? d.completedAt ?? d.requestedAt;
  const title = commitTitle(d.commitMessage);
  const commit = `${shortSha(d.commitSha ?? '')}${title ? ` "${title}"` : ''}`;
  const op = operationWord(d.operation, lang);
  return t(
    lang,
    `지금 실행 중: ${commit} · ${formatTime(since, ctx.timeZone)}부터 (${formatAge(since, ctx.now, lang)}) · ${who(d.requestedBy, lang)}의 ${op} #${d.id}`,
    `Running now: ${commit} · since ${formatTime(since, ctx.timeZone)} (${formatAge(since, ctx.now, lang)}) · ${op} #${d.id} by ${who(d.requestedBy, lang)}`,
  );
}

export function renderAudit(reply: Reply<'audit'>, ctx: MoreContext): string {
  const { lang, report: r } = reply;
  const lines = [`${r.owner}/${r.repo} — ${t(lang, '누가 무엇을 했나', 'who did what')}`];
  if (r.running) lines.push(`  ${runningLine(r.running, lang, ctx)}`);
  if (r.items.length === 0) lines.push(t(lang, '  기록이 없습니다.', '  No records.'));
  for (const { deployment: d, confirmedBy, fromSha } of r.items) {
    const op = operationWord(d.operation, lang);
    const sha = d.commitSha ? shortSha(d.commitSha) : (d.ref ?? '-');
    const from = fromSha ? ` ← ${shortSha(fromSha)}` : '';
    const took =
      d.durationMs !== null ? ` · ${t(lang, '소요', 'took')} ${formatDuration(d.durationMs, lang)}` : '';
    const confirmed = confirmedBy ? ` · ${t(lang, '확인', 'confirmed by')} ${confirmedBy}` : '';
    lines.push(
      `  #${d.id} ${formatTime(d.requestedAt, ctx.timeZone)} ${op} ${statusWord[d.status][lang]} ${sha}${from} · ${t(lang, '요청', 'by')} ${who(d.requestedBy, lang)}${confirmed}${took}`,
    );
  }
  for (const l of r.locks) {
    const state = l.releasedAt
      ? t(
          lang,
          `해제 ${formatTime(l.releasedAt, ctx.timeZone)} (${who(l.releasedBy, lang)})`,
          `released ${formatTime(l.releasedAt, ctx.timeZone)} by ${who(l.releasedBy, lang)}`,
        )
      : l.expiresAt.getTime() <= ctx.now.getTime()
        ? t(lang, '만료됨', 'expired')
        : t(lang, '잠금 중', 'active');
    lines.push(`  ${lockLine(l, lang, ctx)} · ${formatTime(l.lockedAt, ctx.timeZone)} · ${state}`);
  }
  return lines.join('\n');
}

export function renderMore(reply: BotReply, ctx: MoreContext): string | null {
  const lang = reply.lang;
  switch (reply.kind) {
    case 'audit':
      return renderAudit(reply, ctx);
    case 'locked':
      return [
        lockLine(reply.lock, lang, ctx),
        t(
          lang,
          '잠긴 동안 배포와 롤백을 거절합니다. 해제: "잠금 해제해줘".',
          'Deploys and rollbacks are refused until then. Lift it with "unlock".',
        ),
        ...(reply.replaced
          ? [
              t(
                lang,
                `(이전 잠금 #${reply.replaced.id}을 대신합니다)`,
                `(replaces lock #${reply.replaced.id})`,
              ),
            ]
          : []),
      ].join('\n');
    case 'unlocked':
      return reply.lock
        ? t(
            lang,
            `🔓 ${reply.owner}/${reply.repo} 잠금을 해제했습니다.`,
            `🔓 ${reply.owner}/${reply.repo} is unlocked.`,
          )
        : t(
            lang,
            `${reply.owner}/${reply.repo}은(는) 잠겨 있지 않았습니다.`,
            `${reply.owner}/${reply.repo} was not locked.`,
          );
    case 'cancel_running': {
      const d = reply.deployment;
      const op = operationWord(d.operation, lang);
      return reply.accepted
        ? t(
            lang,
            `${d.owner}/${d.repo} ${op} #${d.id} 취소를 요청했습니다.`,
            `Asked NCP to cancel ${op} #${d.id} of ${d.owner}/${d.repo}.`,
          )
        : t(
            lang,
            `✖ 진행 중인 ${op} #${d.id} (${statusWord[d.status][lang]})은(는) 아직 NCP에서 취소할 수 없습니다. 끝까지 진행되며 결과를 알려 드립니다.`,
            `✖ Cancelling ${op} #${d.id} (${statusWord[d.status][lang]}) on NCP is not available yet; it runs to its end and I will report it.`,
          );
    }
    case 'canceled':
      if (!reply.what) return null;
      return t(
        lang,
        `취소했습니다: ${reply.what.owner}/${reply.what.repo} ${shortSha(reply.what.targetSha)} ${operationWord(reply.what.kind, lang)} 확인. 아무것도 실행하지 않았습니다.`,
        `Canceled the ${operationWord(reply.what.kind, lang)} of ${reply.what.owner}/${reply.what.repo} to ${shortSha(reply.what.targetSha)}; nothing was started.`,
      );
    default:
      return null;
  }
}
