import type { Deployment, Integration } from '../domain/deployment.ts';
import { KlepaasError } from '../domain/errors.ts';
import { commitTitle, formatDuration, formatTime } from '../domain/format.ts';
import type { Lang } from '../domain/intent.ts';
import { plainRefs } from '../domain/people.ts';
import { shortSha } from '../domain/repo-ref.ts';
import type { CandidateList, DeployPlan, DiagnoseReport, RollbackPlan } from '../domain/reports.ts';
import { verifyLine } from '../domain/verify-wording.ts';

/** Plain-text views of service results for the terminal; `--json` prints the values themselves. */

export interface RenderContext {
  readonly timeZone: string;
  readonly lang: Lang;
}

/** Left-aligned columns separated by two spaces; width by the longest cell (code points). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = headers.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd((width[i] ?? 0) + c.length - [...c].length))
      .join('  ')
      .trimEnd();
  return [line(headers), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const when = (d: Date | null, tz: string): string => (d ? formatTime(d, tz) : '-');

export function renderCandidates(list: CandidateList, ctx: RenderContext): string {
  const head = list.current
    ? `${list.owner}/${list.repo} runs ${shortSha(list.current.commitSha)} ${commitTitle(list.current.commitMessage)}`.trimEnd()
    : `${list.owner}/${list.repo} has no successful deployment yet.`;
  if (list.candidates.length === 0) return `${head}\nNo rollback candidates.`;
  const rows = list.candidates.map((c) => [
    String(c.n),
    c.imageTag,
    when(c.deployedAt, ctx.timeZone),
    `#${c.deploymentId}`,
    commitTitle(c.commitMessage),
  ]);
  return `${head}\n${table(['N', 'COMMIT', 'DEPLOYED', 'RECORD', 'MESSAGE'], rows)}\n\nRoll back with: klepaas-bot rollback ${list.owner}/${list.repo} --steps N --yes`;
}

export function renderHistory(items: readonly Deployment[], ctx: RenderContext): string {
  if (items.length === 0) return 'No deployments yet.';
  const rows = items.map((d) => [
    `#${d.id}`,
    d.operation,
    d.status,
    d.commitSha ? shortSha(d.commitSha) : '-',
    when(d.requestedAt, ctx.timeZone),
    d.durationMs !== null ? formatDuration(d.durationMs, ctx.lang) : '-',
    d.requestedBy ?? '-',
    d.errorMessage ? `${d.errorStage ?? ''}: ${d.errorMessage}` : commitTitle(d.commitMessage, 40),
  ]);
  return table(['ID', 'OP', 'STATUS', 'COMMIT', 'REQUESTED', 'TOOK', 'BY', 'NOTE'], rows);
}

export function renderDeployment(d: Deployment, ctx: RenderContext): string {
  const lines: [string, string][] = [
    ['Deployment', `#${d.id} (${d.operation}) ${d.owner}/${d.repo}`],
    ['Status', d.ncpStatus ? `${d.status} (NCP: ${d.ncpStatus})` : d.status],
    ['Commit', d.commitSha ? `${shortSha(d.commitSha)} ${commitTitle(d.commitMessage)}`.trimEnd() : '-'],
    ['Image', d.image && d.imageTag ? `${d.image}:${d.imageTag}` : '-'],
    ['Requested', `${when(d.requestedAt, ctx.timeZone)} by ${d.requestedBy ?? '-'} via ${d.requestedVia}`],
  ];
  if (d.rollbackFromId !== null) lines.push(['Rolled back from', `#${d.rollbackFromId}`]);
  if (d.buildId) lines.push(['Build', d.buildId]);
  if (d.deployHistoryId) lines.push(['Deploy run', d.deployHistoryId]);
  if (d.completedAt) lines.push(['Completed', when(d.completedAt, ctx.timeZone)]);
  if (d.durationMs !== null) lines.push(['Took', formatDuration(d.durationMs, ctx.lang)]);
  if (d.errorMessage) lines.push(['Error', `${d.errorStage ?? '?'}: ${d.errorMessage}`]);
  if (d.reason) lines.push(['Reason', d.reason]);
  if (d.verification) lines.push(['Verification', verifyLine(d, 'en').text]);
  const w = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${`${k}:`.padEnd(w + 2)}${v}`).join('\n');
}

export function renderDiagnose(r: DiagnoseReport): string {
  const out = [
    `${r.owner}/${r.repo}: ${r.ready ? 'ready to roll back' : 'NOT ready to roll back'} (${r.mode})`,
  ];
  for (const c of r.checks) {
    const mark = c.ok ? 'ok  ' : c.severity === 'issue' ? 'FAIL' : 'warn';
    out.push(`  [${mark}] ${c.message.en}`);
    if (!c.ok && c.hint) out.push(`         fix: ${c.hint.en}`);
  }
  return out.join('\n');
}

export function renderRollbackPlan(p: RollbackPlan, ctx: RenderContext): string {
  const now = p.current
    ? `${shortSha(p.current.commitSha)} ${commitTitle(p.current.commitMessage)}`.trimEnd()
    : '-';
  return [
    `Rollback plan for ${p.owner}/${p.repo}`,
    `  running now: ${now}`,
    `  target:      ${p.target.imageTag} ${commitTitle(p.target.commitMessage)} (${p.stepsBack} back, deployed ${when(p.target.deployedAt, ctx.timeZone)})`.trimEnd(),
    `  image:       ${p.imageRef} ${p.imageExists ? '(in NCR)' : '(missing in NCR: SourceBuild rebuilds it first)'}`,
  ].join('\n');
}

export function renderDeployPlan(p: DeployPlan): string {
  const now = p.current ? shortSha(p.current.commitSha) : '-';
  return [
    `Deploy plan for ${p.owner}/${p.repo}`,
    `  ref:         ${p.ref} -> ${shortSha(p.commitSha)} ${commitTitle(p.commitMessage)}`.trimEnd(),
    `  running now: ${now}`,
    `  image:       ${p.imageRef} (built by SourceBuild)`,
    ...(p.returnsFrom
      ? [
          `  note:        returns to the commit rollback #${p.returnsFrom.rollbackId} rolled back from (deployment #${p.returnsFrom.rolledBackFromId})`,
        ]
      : []),
  ].join('\n');
}

function verifySummary(i: Integration): string {
  if (!i.healthUrl) return 'off';
  const parts = [i.metricsUrl ? 'health+metrics' : 'health only'];
  if (i.verifyWindowMs !== null) parts.push(`${Math.round(i.verifyWindowMs / 1000)}s`);
  if (i.autoRollback) parts.push('auto-rollback');
  return parts.join(' ');
}

export function renderIntegrations(list: readonly Integration[]): string {
  if (list.length === 0) return 'No integrations. Add one with: klepaas-bot integration add <owner/repo> ...';
  const rows = list.map((i) => [
    `${i.owner}/${i.repo}`,
    i.buildProjectId ?? '-',
    i.deployProjectId ? `${i.deployProjectId}/${i.deployStageId ?? '-'}/${i.deployScenarioId ?? '-'}` : '-',
    i.registryHost ? `${i.registryHost}/${i.imageName}` : i.imageName,
    i.defaultBranch,
    verifySummary(i),
  ]);
  return table(['REPO', 'BUILD', 'DEPLOY (project/stage/scenario)', 'IMAGE', 'BRANCH', 'VERIFY'], rows);
}

/** The value as scripts read it: dates as ISO strings, two-space indent. */
export const toJson = (value: unknown): string => JSON.stringify(value, null, 2);

/** `CODE: message` (and the hint) for stderr; the JSON shape of the same for `--json` on stdout. */
export function renderError(err: unknown, lang: Lang): { text: string; json: unknown } {
  if (err instanceof KlepaasError) {
    const hint = err.hint?.[lang];
    const message = plainRefs(err.messages[lang]);
    return {
      text: `${err.code}: ${message}${hint ? `\n${hint}` : ''}`,
      json: {
        error: { code: err.code, status: err.status, message, hint: hint ?? null },
      },
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    text: `INTERNAL: ${message}`,
    json: { error: { code: 'INTERNAL', status: 500, message, hint: null } },
  };
}
