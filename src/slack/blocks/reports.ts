import type { BotReply } from '../../bot/types.ts';
import type { Deployment, DeploymentStatus } from '../../domain/deployment.ts';
import type { Lang } from '../../domain/intent.ts';
import { shortSha } from '../../domain/repo-ref.ts';
import { pinLine } from '../../domain/verify-wording.ts';
import { operationWord, statusWord } from '../../domain/wording.ts';
import { actionIds } from './action-ids.ts';
import { lockText } from './conversation.ts';
import { firstLine, formatAge, formatDuration, formatTime, type RenderContext, t } from './format.ts';
import {
  type Block,
  button,
  code,
  context,
  esc,
  header,
  mention,
  message,
  outside,
  type SlackMessage,
  section,
} from './kit.ts';

type Reply<K extends BotReply['kind']> = Extract<BotReply, { kind: K }>;

const statusEmoji: Record<DeploymentStatus, string> = {
  queued: ':hourglass_flowing_sand:',
  building: ':hammer_and_wrench:',
  deploying: ':ship:',
  success: ':white_check_mark:',
  failed: ':x:',
  canceled: ':no_entry_sign:',
  timed_out: ':alarm_clock:',
};

export const formatStatus = (s: DeploymentStatus, lang: Lang): string =>
  `${statusEmoji[s]} ${statusWord[s][lang]}`;

export function renderDiagnose(r: Reply<'diagnose'>, ctx: RenderContext): SlackMessage {
  const { lang, report } = r;
  const repo = `${report.owner}/${report.repo}`;
  const verdict = report.ready
    ? t(
        lang,
        `:white_check_mark: *${esc(repo)}* 롤백 준비 완료`,
        `:white_check_mark: *${esc(repo)}* is ready to roll back`,
      )
    : t(lang, `:x: *${esc(repo)}* 아직 롤백할 수 없어요`, `:x: *${esc(repo)}* cannot roll back yet`);
  const checks = report.checks.map((c) => {
    const mark = c.ok ? ':white_check_mark:' : c.severity === 'issue' ? ':x:' : ':warning:';
    const hint = !c.ok && c.hint ? `\n      :bulb: ${esc(c.hint[lang])}` : '';
    return `${mark} ${esc(c.message[lang])}${hint}`;
  });
  const facts: string[] = [];
  if (report.deployment_count !== null) {
    facts.push(
      t(lang, `성공한 배포 ${report.deployment_count}건`, `${report.deployment_count} successful deploys`),
    );
  }
  if (report.latest_deployment) {
    const at = report.latest_deployment.deployed_at;
    facts.push(
      t(lang, '최근 배포', 'latest') +
        ` \`${shortSha(report.latest_deployment.commit_sha)}\`${at ? ` ${formatTime(new Date(at), ctx)}` : ''}`,
    );
  }
  if (report.in_flight) {
    facts.push(
      t(lang, `진행 중 #${report.in_flight.id}`, `in progress #${report.in_flight.id}`) +
        ` ${formatStatus(report.in_flight.status, lang)}`,
    );
  }
  facts.push(report.mode === 'simulator' ? t(lang, 'NCP 시뮬레이터', 'NCP simulator') : 'NCP');
  const blocks: Block[] = [section(verdict)];
  if (checks.length > 0) blocks.push(section(checks.join('\n')));
  blocks.push(context(facts.join(' · ')));
  const fallback = [
    report.ready
      ? t(lang, `${outside(repo)} 롤백 준비 완료`, `${outside(repo)} is ready to roll back`)
      : t(lang, `${outside(repo)} 롤백 불가`, `${outside(repo)} cannot roll back`),
    ...report.issues.map((s) => outside(s)),
    ...report.warnings.map((s) => outside(s)),
  ].join('. ');
  return message(blocks, fallback);
}

export function renderCandidates(r: Reply<'candidates'>, ctx: RenderContext): SlackMessage {
  const { lang, list } = r;
  const repo = `${list.owner}/${list.repo}`;
  const blocks: Block[] = [header(t(lang, `${repo} 롤백 후보`, `${repo} rollback targets`))];
  if (list.current) {
    const c = list.current;
    blocks.push(
      context(
        t(lang, '현재', 'Running') +
          `: \`${shortSha(c.commitSha)}\` ${esc(firstLine(c.commitMessage))}${c.deployedAt ? ` · ${formatAge(c.deployedAt, ctx.now, lang)}` : ''}`,
      ),
    );
  }
  if (list.candidates.length === 0) {
    blocks.push(
      section(t(lang, '되돌릴 수 있는 이전 배포가 없어요.', 'There is no earlier deployment to go back to.')),
    );
  }
  for (const c of list.candidates) {
    const age = c.deployedAt ? ` · ${formatAge(c.deployedAt, ctx.now, lang)}` : '';
    blocks.push(
      section(
        `*${c.n}.* \`${shortSha(c.commitSha)}\` ${esc(firstLine(c.commitMessage))}${age}`,
        button({
          text: t(lang, '이 버전으로 롤백', 'Roll back to this'),
          actionId: `${actionIds.rollbackTo}:${c.n}`,
          value: JSON.stringify({ o: list.owner, r: list.repo, sha: c.commitSha }),
        }),
      ),
    );
  }
  // Rolled-away-from versions: listed, marked, no button and no number.
  for (const f of list.faulty)
    blocks.push(
      context(
        t(
          lang,
          `:warning: \`${shortSha(f.commitSha)}\` ${esc(firstLine(f.commitMessage))} · 롤백 #${f.rollbackId}로 벗어난 버전 (대상 아님)`,
          `:warning: \`${shortSha(f.commitSha)}\` ${esc(firstLine(f.commitMessage))} · rolled away from by rollback #${f.rollbackId} (not a target)`,
        ),
      ),
    );
  blocks.push(
    context(
      t(
        lang,
        `번호 N은 ${code(`/rollback ${list.repo} N`)} 의 N과 같아요.`,
        `The number N is the N in ${code(`/rollback ${list.repo} N`)}.`,
      ),
    ),
  );
  const fallback = [
    t(lang, `${outside(repo)} 롤백 후보:`, `${outside(repo)} rollback targets:`),
    ...list.candidates.map((c) => `${c.n}. ${shortSha(c.commitSha)} ${outside(firstLine(c.commitMessage))}`),
  ].join('\n');
  return message(blocks, fallback);
}

const deploymentLine = (d: Deployment, ctx: RenderContext, lang: Lang): string => {
  const op = operationWord(d.operation, lang);
  const sha = d.commitSha ? `\`${shortSha(d.commitSha)}\`` : '`-------`';
  const took = d.durationMs !== null ? ` · ${formatDuration(d.durationMs, lang)}` : '';
  const who = d.requestedVia === 'slack' && mention(d.requestedBy) ? ` · ${mention(d.requestedBy)}` : '';
  return `#${d.id} ${formatStatus(d.status, lang)} ${op} ${sha} ${esc(firstLine(d.commitMessage))} · ${formatTime(d.requestedAt, ctx)}${took}${who}`;
};

export function renderHistory(r: Reply<'history'>, ctx: RenderContext): SlackMessage {
  const { lang } = r;
  const repo = `${r.owner}/${r.repo}`;
  const lines = r.items.map((d) => deploymentLine(d, ctx, lang));
  const body = lines.length > 0 ? lines.join('\n') : t(lang, '배포 기록이 없어요.', 'No deployments yet.');
  return message(
    [header(t(lang, `${repo} 배포 기록`, `${repo} history`)), section(body)],
    `${t(lang, `${outside(repo)} 배포 기록`, `${outside(repo)} history`)}\n${r.items.map((d) => `#${d.id} ${d.status} ${d.commitSha ? shortSha(d.commitSha) : ''}`).join('\n')}`,
  );
}

export function renderStatus(r: Reply<'status'>, ctx: RenderContext): SlackMessage {
  const { lang } = r;
  const repo = `${r.owner}/${r.repo}`;
  if (!r.deployment) {
    const text = t(lang, `${repo} 배포 기록이 없어요.`, `${repo} has no deployments yet.`);
    return message([section(esc(text))], outside(text));
  }
  const d = r.deployment;
  const line = deploymentLine(d, ctx, lang);
  const blocks: Block[] = [section(`*${esc(repo)}*\n${line}`)];
  if (d.errorMessage) blocks.push(context(`:warning: ${esc(firstLine(d.errorMessage))}`));
  const now = r.running;
  if (now?.commitSha) {
    const since = now.deployedAt ?? now.completedAt ?? now.requestedAt;
    const by = now.requestedBy
      ? now.requestedVia === 'slack'
        ? mention(now.requestedBy)
        : esc(now.requestedBy)
      : '?';
    blocks.push(
      context(
        t(
          lang,
          `지금 실행 중: \`${shortSha(now.commitSha)}\` ${esc(firstLine(now.commitMessage))} · ${formatTime(since, ctx)}부터 · ${by}의 ${operationWord(now.operation, lang)} #${now.id}`,
          `Running now: \`${shortSha(now.commitSha)}\` ${esc(firstLine(now.commitMessage))} · since ${formatTime(since, ctx)} · ${operationWord(now.operation, lang)} #${now.id} by ${by}`,
        ),
      ),
    );
  }
  if (r.lock) blocks.push(context(lockText(r.lock, lang, ctx)));
  if (r.pin) blocks.push(context(esc(pinLine(r.pin, lang))));
  return message(blocks, `${outside(repo)}: #${d.id} ${d.status}`);
}
