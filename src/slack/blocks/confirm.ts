import type { BotReply } from '../../bot/types.ts';
import type { Lang } from '../../domain/intent.ts';
import { shortSha } from '../../domain/repo-ref.ts';
import type { RunningCommit } from '../../domain/reports.ts';
import { stepsBackPhrase } from '../../domain/wording.ts';
import { actionIds } from './action-ids.ts';
import { lockText } from './conversation.ts';
import { firstLine, formatAge, formatTime, type RenderContext, t } from './format.ts';
import {
  actions,
  type Block,
  button,
  code,
  confirmDialog,
  context,
  esc,
  fields,
  header,
  mention,
  message,
  outside,
  type SlackMessage,
} from './kit.ts';

/** Marks the "buttons work until …" line, so the line can go when the buttons do. */
export const footerBlockPrefix = 'footer:';

type Reply<K extends BotReply['kind']> = Extract<BotReply, { kind: K }>;

const commitLine = (
  sha: string,
  msg: string | null,
  at: Date | null,
  ctx: RenderContext,
  lang: Lang,
): string => {
  const m = firstLine(msg);
  const age = at ? ` · ${formatAge(at, ctx.now, lang)}` : '';
  return `\`${shortSha(sha)}\`${m ? ` ${esc(m)}` : ''}${age}`;
};

const runningLine = (c: RunningCommit | null, ctx: RenderContext, lang: Lang): string =>
  c ? commitLine(c.commitSha, c.commitMessage, c.deployedAt, ctx, lang) : t(lang, '알 수 없음', 'unknown');

function decisionButtons(
  lang: Lang,
  pendingId: string,
  goLabel: string,
  dialogTitle: string,
  dialogText: string,
): Block {
  return actions(`confirm:${pendingId}`.slice(0, 255), [
    button({
      text: goLabel,
      actionId: actionIds.confirmGo,
      value: pendingId,
      style: 'primary',
      confirm: confirmDialog({
        title: dialogTitle,
        text: dialogText,
        confirm: goLabel,
        deny: t(lang, '돌아가기', 'Back'),
      }),
    }),
    button({ text: t(lang, '취소', 'Cancel'), actionId: actionIds.confirmCancel, value: pendingId }),
  ]);
}

function footer(
  lang: Lang,
  pendingId: string,
  requestedBy: string | null,
  expiresAt: Date,
  ctx: RenderContext,
): Block {
  const who = mention(requestedBy);
  const until = t(
    lang,
    `${formatTime(expiresAt, ctx)}까지 누를 수 있어요`,
    `Buttons work until ${formatTime(expiresAt, ctx)}`,
  );
  const block = context(who ? t(lang, `요청: ${who}`, `Requested by ${who}`) : '', until);
  return { ...block, block_id: `${footerBlockPrefix}${pendingId}`.slice(0, 255) };
}

export function renderConfirmRollback(r: Reply<'confirm_rollback'>, ctx: RenderContext): SlackMessage {
  const { lang, plan } = r;
  const repo = `${plan.owner}/${plan.repo}`;
  const target = commitLine(
    plan.target.commitSha,
    plan.target.commitMessage,
    plan.target.deployedAt,
    ctx,
    lang,
  );
  const image = plan.rebuild
    ? t(
        lang,
        ':recycle: NCR에 이미지가 없어 먼저 다시 빌드합니다',
        ':recycle: Image missing in NCR: rebuilds first',
      )
    : t(lang, ':white_check_mark: NCR에 이미지 있음', ':white_check_mark: Image present in NCR');
  const title = t(lang, `${repo} 롤백할까요?`, `Roll back ${repo}?`);
  const go = t(lang, '롤백', 'Roll back');
  const back = plan.faulty
    ? t(lang, '롤백 전 버전으로 되돌림', 'undoing the rollback')
    : stepsBackPhrase(plan.stepsBack, lang);
  // The reading of a target in words, a rolled-away-from target taken on purpose, a forced lock.
  const notes: string[] = [];
  if (plan.reasoning) notes.push(`:mag: ${esc(plan.reasoning[lang])}`);
  if (plan.faulty)
    notes.push(
      t(
        lang,
        `:warning: \`${shortSha(plan.faulty.commitSha)}\`은(는) 롤백 #${plan.faulty.rollbackId}로 벗어난 버전입니다.`,
        `:warning: \`${shortSha(plan.faulty.commitSha)}\` was rolled away from by rollback #${plan.faulty.rollbackId}.`,
      ),
    );
  if (r.overridesLock)
    notes.push(
      `${lockText(r.overridesLock, lang, ctx)} — ${t(lang, '강제 진행 (기록됨)', 'forcing past it (recorded)')}`,
    );
  const dialog = t(
    lang,
    `${repo} 를 ${shortSha(plan.target.commitSha)} (${back})로 되돌립니다.`,
    `Roll ${repo} back to ${shortSha(plan.target.commitSha)} (${back}).`,
  );
  return message(
    [
      header(title),
      fields([
        `*${t(lang, '현재 실행 중', 'Running now')}*\n${runningLine(plan.current, ctx, lang)}`,
        `*${t(lang, '되돌릴 커밋', 'Roll back to')}*\n${target}`,
        `*${t(lang, '몇 단계 전', 'Steps back')}*\n${plan.faulty ? back : plan.stepsBack}`,
        `*${t(lang, '이미지', 'Image')}*\n${image}`,
      ]),
      ...(notes.length > 0 ? [context(...notes)] : []),
      decisionButtons(lang, r.pendingId, go, title, dialog),
      footer(lang, r.pendingId, r.requestedBy, r.expiresAt, ctx),
    ],
    t(
      lang,
      `${outside(repo)} 를 ${shortSha(plan.target.commitSha)} (${back})로 롤백할까요? ${plan.rebuild ? '이미지 재빌드 필요.' : ''}`,
      `Roll ${outside(repo)} back to ${shortSha(plan.target.commitSha)} (${back})? ${plan.rebuild ? 'Image rebuild needed.' : ''}`,
    ),
  );
}

export function renderConfirmDeploy(r: Reply<'confirm_deploy'>, ctx: RenderContext): SlackMessage {
  const { lang, plan } = r;
  const repo = `${plan.owner}/${plan.repo}`;
  const title = t(lang, `${repo} 배포할까요?`, `Deploy ${repo}?`);
  const go = t(lang, '배포', 'Deploy');
  const target = `${code(plan.ref)} → ${commitLine(plan.commitSha, plan.commitMessage, null, ctx, lang)}`;
  const dialog = t(
    lang,
    `${repo} 에 ${plan.ref} (${shortSha(plan.commitSha)})를 빌드해서 배포합니다.`,
    `Build and deploy ${plan.ref} (${shortSha(plan.commitSha)}) to ${repo}.`,
  );
  return message(
    [
      header(title),
      fields([
        `*${t(lang, '현재 실행 중', 'Running now')}*\n${runningLine(plan.current, ctx, lang)}`,
        `*${t(lang, '배포할 커밋', 'Deploying')}*\n${target}`,
        `*${t(lang, '이미지', 'Image')}*\n${code(plan.imageRef)}`,
      ]),
      // The application commit this deploy runs is the one a rollback fled from: say so before the press.
      ...(plan.returnsFrom
        ? [
            context(
              t(
                lang,
                `:warning: 롤백 #${plan.returnsFrom.rollbackId}이(가) 되돌렸던 커밋(배포 #${plan.returnsFrom.rolledBackFromId})으로 돌아갑니다.`,
                `:warning: This returns to the commit rollback #${plan.returnsFrom.rollbackId} rolled back from (deployment #${plan.returnsFrom.rolledBackFromId}).`,
              ),
            ),
          ]
        : []),
      decisionButtons(lang, r.pendingId, go, title, dialog),
      footer(lang, r.pendingId, r.requestedBy, r.expiresAt, ctx),
    ],
    t(
      lang,
      `${outside(repo)} 에 ${outside(plan.ref)} (${shortSha(plan.commitSha)}) 배포할까요?`,
      `Deploy ${outside(plan.ref)} (${shortSha(plan.commitSha)}) to ${outside(repo)}?`,
    ),
  );
}

export interface Decision {
  readonly lang: Lang;
  readonly what: 'go' | 'cancel' | 'choose' | 'closed';
  readonly by: string | null;
  readonly at: Date;
  /** For `choose`: the repository picked. */
  readonly detail?: string;
}

/** The line that replaces the buttons after a press: who did what, when. */
export function renderDecided(d: Decision, ctx: RenderContext): Block {
  const who = mention(d.by) || t(d.lang, '누군가', 'someone');
  const when = formatTime(d.at, ctx);
  const what =
    d.what === 'go'
      ? t(
          d.lang,
          `:white_check_mark: ${who} 님이 진행을 눌렀어요 (${when})`,
          `:white_check_mark: ${who} went ahead at ${when}`,
        )
      : d.what === 'cancel'
        ? t(
            d.lang,
            `:no_entry_sign: ${who} 님이 취소했어요 (${when})`,
            `:no_entry_sign: ${who} canceled at ${when}`,
          )
        : d.what === 'closed'
          ? t(
              d.lang,
              `:hourglass: 더 이상 진행할 수 없는 요청이에요 (${when})`,
              `:hourglass: This request can no longer go ahead (${when})`,
            )
          : t(
              d.lang,
              `:point_right: ${who} 님이 *${esc(d.detail ?? '')}* 을(를) 골랐어요 (${when})`,
              `:point_right: ${who} chose *${esc(d.detail ?? '')}* at ${when}`,
            );
  return context(what);
}

/**
 * The confirmation message as it was, its buttons swapped for the decision line. Takes the blocks Slack
 * sent back in the action payload, so the details people read before pressing stay in place.
 */
export function withDecision(
  original: readonly unknown[],
  decided: Block,
  fallback: string,
  stamp: string,
): SlackMessage {
  const kept = original.flatMap((b): Block[] => {
    if (typeof b !== 'object' || b === null) return [];
    const { type, block_id } = b as { type?: unknown; block_id?: unknown };
    // The buttons and the "buttons work until …" line go: they no longer say anything true.
    if (type === 'actions') return [];
    if (typeof block_id === 'string' && block_id.startsWith(footerBlockPrefix)) return [];
    // Fresh block ids, so clients redraw the message instead of keeping state keyed by the old ones.
    return [{ ...(b as Block), block_id: `${String(block_id ?? type)}~${stamp}`.slice(-255) }];
  });
  return message([...kept, { ...decided, block_id: `decided~${stamp}`.slice(0, 255) }], fallback);
}
