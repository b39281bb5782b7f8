import type { Deployment, FailedStage } from '../../domain/deployment.ts';
import type { Lang } from '../../domain/intent.ts';
import { shortSha } from '../../domain/repo-ref.ts';
import { formatDuration, type RenderContext, t } from './format.ts';
import { context, esc, mention, message, type SlackMessage, section } from './kit.ts';
import { formatStatus } from './reports.ts';

/**
 * What the poller tells the Slack notifier. Minimal on purpose: the deployment row carries the repo,
 * requester, language and thread; the event adds what happened.
 */
export type NoticeEvent =
  | { readonly kind: 'progress'; readonly deployment: Deployment; readonly elapsedMs: number }
  | { readonly kind: 'succeeded'; readonly deployment: Deployment; readonly durationMs: number }
  | {
      readonly kind: 'failed';
      readonly deployment: Deployment;
      readonly durationMs: number;
      readonly stage: FailedStage | null;
      readonly reason: string | null;
    };

const stageLabel: Record<FailedStage, Record<Lang, string>> = {
  build: { ko: '빌드', en: 'build' },
  image: { ko: '이미지 확인', en: 'image check' },
  manifest: { ko: '매니페스트 갱신', en: 'manifest update' },
  deploy: { ko: '배포', en: 'deploy' },
  poll: { ko: '상태 확인', en: 'status polling' },
};

const what = (d: Deployment, lang: Lang): string => {
  const op = d.operation === 'rollback' ? t(lang, '롤백', 'Rollback') : t(lang, '배포', 'Deploy');
  const sha = d.commitSha ? ` \`${shortSha(d.commitSha)}\`` : '';
  return `${op} *${esc(`${d.owner}/${d.repo}`)}*${sha}`;
};

/** Failures go to the whole channel too (reply_broadcast); progress and success stay in the thread. */
export const noticeBroadcasts = (e: NoticeEvent): boolean => e.kind === 'failed';

export function renderNotice(e: NoticeEvent, _ctx: RenderContext): SlackMessage {
  const d = e.deployment;
  const lang = d.lang;
  const plainWhat = `${d.operation} ${d.owner}/${d.repo}${d.commitSha ? ` ${shortSha(d.commitSha)}` : ''}`;
  switch (e.kind) {
    case 'progress': {
      const text = `${what(d, lang)}: ${formatStatus(d.status, lang)} · ${formatDuration(e.elapsedMs, lang)}`;
      return message(
        [section(text), context(`#${d.id}${d.ncpStatus ? ` · NCP ${esc(d.ncpStatus)}` : ''}`)],
        `${plainWhat}: ${d.status}`,
      );
    }
    case 'succeeded': {
      const took = formatDuration(e.durationMs, lang);
      const text = t(
        lang,
        `:white_check_mark: ${mention(d.requestedBy)} ${what(d, lang)} 완료 (${took} 소요)`,
        `:white_check_mark: ${mention(d.requestedBy)} ${what(d, lang)} done (took ${took})`,
      ).replace(':white_check_mark:  ', ':white_check_mark: ');
      return message(
        [section(text), context(`#${d.id}`)],
        t(lang, `${plainWhat} 완료 (${took} 소요)`, `${plainWhat} done (took ${took})`),
      );
    }
    case 'failed': {
      const took = formatDuration(e.durationMs, lang);
      const stage = e.stage
        ? t(lang, ` (${stageLabel[e.stage].ko} 단계)`, ` (at ${stageLabel[e.stage].en})`)
        : '';
      const head = t(
        lang,
        `:x: ${mention(d.requestedBy)} ${what(d, lang)} 실패${stage} · ${took}`,
        `:x: ${mention(d.requestedBy)} ${what(d, lang)} failed${stage} · ${took}`,
      ).replace(':x:  ', ':x: ');
      const reason = e.reason ?? d.errorMessage;
      const blocks = [section(head)];
      if (reason) blocks.push(section(`> ${esc(reason)}`));
      blocks.push(
        context(
          `#${d.id} · ${t(lang, `\`/rollback diagnose ${d.repo}\` 로 원인을 점검할 수 있어요`, `Check with \`/rollback diagnose ${d.repo}\``)}`,
        ),
      );
      return message(
        blocks,
        t(
          lang,
          `${plainWhat} 실패${reason ? `: ${reason}` : ''}`,
          `${plainWhat} failed${reason ? `: ${reason}` : ''}`,
        ),
      );
    }
  }
}
