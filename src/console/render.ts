import { examples, unknownReasonText, withCommit } from '../bot/examples.ts';
import type { BotReply } from '../bot/types.ts';
import type { Deployment } from '../domain/deployment.ts';
import { commitTitle, formatAge, formatDuration, formatTime } from '../domain/format.ts';
import type { Lang } from '../domain/intent.ts';
import { plainRefs } from '../domain/people.ts';
import { shortSha } from '../domain/repo-ref.ts';
import type { RunningCommit } from '../domain/reports.ts';
import { pinLine, verifyLine } from '../domain/verify-wording.ts';
import { operationWord, statusWord, stepsBackPhrase, t } from '../domain/wording.ts';
import { droppedLine, faultyLine, lockLine, renderMore, runningLine } from './render-more.ts';

export interface RenderContext {
  readonly now: Date;
  readonly timeZone: string;
}

function commitLine(sha: string, message: string | null): string {
  const title = commitTitle(message);
  return title ? `${shortSha(sha)} "${title}"` : shortSha(sha);
}

function running(c: RunningCommit | null, lang: Lang, ctx: RenderContext): string {
  if (!c) return t(lang, '(알 수 없음)', '(unknown)');
  const age = c.deployedAt ? ` · ${formatAge(c.deployedAt, ctx.now, lang)}` : '';
  return `${commitLine(c.commitSha, c.commitMessage)}${age}`;
}

function deploymentLine(d: Deployment, lang: Lang, ctx: RenderContext): string {
  const what = operationWord(d.operation, lang);
  const sha = d.commitSha ? commitLine(d.commitSha, d.commitMessage) : (d.ref ?? '-');
  const when = formatTime(d.completedAt ?? d.requestedAt, ctx.timeZone);
  const took = d.durationMs !== null ? ` (${formatDuration(d.durationMs, lang)})` : '';
  return `#${d.id} ${when}  ${what.padEnd(lang === 'ko' ? 3 : 8)} ${statusWord[d.status][lang]}${took}  ${sha}`;
}

/** Plain-text rendering of a dispatcher reply for the terminal. */
export function renderReply(reply: BotReply, ctx: RenderContext): string {
  const body = renderBody(reply, ctx);
  return reply.dropped ? `${droppedLine(reply.dropped, reply.lang)}\n${body}` : body;
}

function renderBody(reply: BotReply, ctx: RenderContext): string {
  const lang = reply.lang;
  const more = renderMore(reply, ctx);
  if (more !== null) return more;
  switch (reply.kind) {
    case 'help':
      return [
        t(lang, '할 수 있는 일:', 'What I can do:'),
        ...examples.map((e) => `  ${withCommit(e.text[lang], reply.commit).padEnd(34)} ${e.what[lang]}`),
        t(
          lang,
          '롤백과 배포는 실행 전에 확인을 받습니다 (y/n).',
          'Rollbacks and deploys ask you to confirm first (y/n).',
        ),
      ].join('\n');
    case 'unknown':
      return [
        unknownReasonText[reply.reason][lang],
        t(lang, '이렇게 말해 보세요:', 'Try:'),
        ...reply.suggestions.map((s) => `  ${s}`),
      ].join('\n');
    case 'error':
      // A refusal may name a person with personRef; the terminal shows it as @id.
      return reply.hint
        ? `✖ ${plainRefs(reply.message)}\n  ${plainRefs(reply.hint)}`
        : `✖ ${plainRefs(reply.message)}`;
    case 'choose_repo':
      return [
        t(lang, '어느 저장소인가요? 번호를 입력하세요:', 'Which repository? Type its number:'),
        ...reply.options.map((o, i) => `  ${i + 1}. ${o.owner}/${o.repo}`),
      ].join('\n');
    case 'confirm_rollback': {
      const p = reply.plan;
      const from = p.current ? shortSha(p.current.commitSha) : '?';
      const image = p.imageExists
        ? t(lang, '이미지 있음', 'image present')
        : t(lang, '이미지 없음, 재빌드 필요', 'image missing, rebuild needed');
      const deployed = p.target.deployedAt
        ? ` · ${t(lang, '배포', 'deployed')} ${formatAge(p.target.deployedAt, ctx.now, lang)}`
        : '';
      const how = p.faulty
        ? t(lang, '롤백 전 버전으로 되돌림', 'undoing the rollback')
        : stepsBackPhrase(p.stepsBack, lang);
      return [
        `${p.owner}/${p.repo}: ${from} -> ${shortSha(p.target.commitSha)}, ${how}, ${image}`,
        ...(p.reasoning ? [`  ${t(lang, '해석', 'reading')}: ${p.reasoning[lang]}`] : []),
        `  ${t(lang, '현재', 'running')}: ${running(p.current, lang, ctx)}`,
        `  ${t(lang, '대상', 'target')}:  ${commitLine(p.target.commitSha, p.target.commitMessage)}${deployed}`,
        ...(p.faulty ? [`  ${faultyLine(p.faulty, lang, ctx)}`] : []),
        ...(reply.overridesLock
          ? [
              `  ${lockLine(reply.overridesLock, lang, ctx)} — ${t(lang, '강제 진행 (기록됨)', 'forcing past it (recorded)')}`,
            ]
          : []),
        `  ${t(lang, '이미지', 'image')}: ${p.imageRef}${p.rebuild ? t(lang, ' (먼저 SourceBuild로 재빌드)', ' (SourceBuild rebuilds it first)') : ''}`,
        t(lang, '롤백할까요? (y/n)', 'Roll back? (y/n)'),
      ].join('\n');
    }
    case 'confirm_deploy': {
      const p = reply.plan;
      return [
        `${p.owner}/${p.repo}: ${t(lang, '배포', 'deploy')} ${p.ref} @ ${commitLine(p.commitSha, p.commitMessage)}`,
        `  ${t(lang, '현재', 'running')}: ${running(p.current, lang, ctx)}`,
        `  ${t(lang, '이미지', 'image')}: ${p.imageRef}`,
        ...(p.returnsFrom
          ? [
              t(
                lang,
                `  롤백 #${p.returnsFrom.rollbackId} 이전에 실행되던 커밋(배포 #${p.returnsFrom.rolledBackFromId})으로 돌아갑니다.`,
                `  This returns to the commit rollback #${p.returnsFrom.rollbackId} rolled back from (deployment #${p.returnsFrom.rolledBackFromId}).`,
              ),
            ]
          : []),
        ...(reply.overridesLock
          ? [
              `  ${lockLine(reply.overridesLock, lang, ctx)} — ${t(lang, '강제 진행 (기록됨)', 'forcing past it (recorded)')}`,
            ]
          : []),
        t(lang, '배포할까요? (y/n)', 'Deploy? (y/n)'),
      ].join('\n');
    }
    case 'started': {
      const d = reply.deployment;
      const what = operationWord(d.operation, lang, true);
      const target = d.commitSha ? shortSha(d.commitSha) : (d.ref ?? '');
      return t(
        lang,
        // Short on purpose: the poller's notice right after it gives the details (build first, run ids).
        `✔ 확인 · ${d.owner}/${d.repo} ${what} #${d.id} (${target}) 시작`,
        `✔ Confirmed · ${what} #${d.id} of ${d.owner}/${d.repo} (${target}) is starting`,
      );
    }
    case 'audit':
    case 'locked':
    case 'unlocked':
    case 'cancel_running':
      return '';
    case 'canceled':
      return t(lang, '취소했습니다. 아무것도 실행하지 않았습니다.', 'Canceled; nothing was started.');
    case 'diagnose': {
      const r = reply.report;
      const head = r.ready
        ? t(lang, `✔ ${r.owner}/${r.repo} 롤백 준비 완료`, `✔ ${r.owner}/${r.repo} is ready to roll back`)
        : t(lang, `✖ ${r.owner}/${r.repo} 롤백 불가`, `✖ ${r.owner}/${r.repo} cannot roll back yet`);
      const checks = r.checks.map((c) => {
        const mark = c.ok ? '✔' : c.severity === 'issue' ? '✖' : '!';
        const hint = !c.ok && c.hint ? `\n      → ${c.hint[lang]}` : '';
        return `  ${mark} ${c.message[lang]}${hint}`;
      });
      return [head, ...checks].join('\n');
    }
    case 'candidates': {
      const l = reply.list;
      if (l.candidates.length === 0) {
        return t(
          lang,
          `${l.owner}/${l.repo}: 롤백할 수 있는 이전 배포가 없습니다.`,
          `${l.owner}/${l.repo}: no earlier deployment to roll back to.`,
        );
      }
      return [
        `${l.owner}/${l.repo} — ${t(lang, '현재', 'running')}: ${running(l.current, lang, ctx)}`,
        t(lang, '  N  커밋', '  N  commit'),
        ...l.candidates.map(
          (c) =>
            `  ${String(c.n).padStart(1)}  ${commitLine(c.commitSha, c.commitMessage)}${c.deployedAt ? ` · ${formatAge(c.deployedAt, ctx.now, lang)}` : ''}`,
        ),
        ...l.faulty.map((f) => `     ${faultyLine(f, lang, ctx)}`),
        t(
          lang,
          `"${l.repo} N단계 전으로 롤백" 으로 되돌릴 수 있습니다.`,
          `Say "rollback ${l.repo} N steps" to go back to one.`,
        ),
      ].join('\n');
    }
    case 'history':
      if (reply.items.length === 0)
        return t(
          lang,
          `${reply.owner}/${reply.repo}: 배포 이력이 없습니다.`,
          `${reply.owner}/${reply.repo}: no deployments yet.`,
        );
      return [
        `${reply.owner}/${reply.repo}`,
        ...reply.items.map((d) => `  ${deploymentLine(d, lang, ctx)}`),
      ].join('\n');
    case 'status': {
      const d = reply.deployment;
      if (!d)
        return t(
          lang,
          `${reply.owner}/${reply.repo}: 배포 기록이 없습니다.`,
          `${reply.owner}/${reply.repo}: no deployment recorded.`,
        );
      const err = d.errorMessage ? `\n  ${t(lang, '오류', 'error')}: ${d.errorMessage}` : '';
      const now = reply.running ? `\n  ${runningLine(reply.running, lang, ctx)}` : '';
      const lock = reply.lock ? `\n  ${lockLine(reply.lock, lang, ctx)}` : '';
      const pin = reply.pin ? `\n  ${pinLine(reply.pin, lang)}` : '';
      const verified = d.verification ? `\n  ${verifyLine(d, lang).text}` : '';
      return `${reply.owner}/${reply.repo}: ${deploymentLine(d, lang, ctx)}${err}${verified}${now}${lock}${pin}`;
    }
  }
}
