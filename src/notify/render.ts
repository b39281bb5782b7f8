import type { Deployment } from '../domain/deployment.ts';
import { formatDuration } from '../domain/format.ts';
import type { Lang } from '../domain/intent.ts';
import { withoutRefMarkers } from '../domain/people.ts';
import { shortSha } from '../domain/repo-ref.ts';
import { pinLine, pinReminderLine, verifyLine } from '../domain/verify-wording.ts';
import { operationWord } from '../domain/wording.ts';
import type { DeploymentNotice, NoticeKind } from './port.ts';

/**
 * Pure: a notice in the language of the request. It states only what the record and NCP say: the raw
 * NCP status in quotes, the elapsed time, the commit and image, who asked. A step is named only when the
 * record shows it happened (a build id, a deploy history id).
 */
export interface RenderOptions {
  /** How a requester is written: Slack turns a user id into `<@U123>`; the console prints the name. */
  readonly who?: (user: string) => string;
  /** False leaves the requester out (a Slack message that should not notify them). */
  readonly requester?: boolean;
}

export interface RenderedNotice {
  readonly kind: NoticeKind;
  readonly lang: Lang;
  /** One line, so a terminal can rewrite it in place and Slack can use it as the fallback text. */
  readonly text: string;
  /** The first part of `text`: what happened, without the details (for a short reply under a summary). */
  readonly headline: string;
}

const MAX_NCP_MESSAGE = 300;

const short = (sha: string | null): string | null => (sha ? shortSha(sha) : null);

// A registry host may carry a port (`host:5000/name`), so only a colon after the last slash is a tag.
const hasTag = (image: string): boolean => image.slice(image.lastIndexOf('/') + 1).includes(':');
const imageOf = (d: Deployment): string | null =>
  d.image ? (d.imageTag && !hasTag(d.image) ? `${d.image}:${d.imageTag}` : d.image) : null;

const quoteNcp = (s: string | null): string => (s === null ? '-' : `"${s}"`);

// Text from outside (repo, ref, NCP messages) cannot carry a person reference into a Slack mention.
const outside = (s: string): string => withoutRefMarkers(s).replaceAll(' · ', ' - ');

function clean(message: string | null): string | null {
  if (!message) return null;
  const one = outside(message).replace(/\s+/g, ' ').trim();
  if (one === '') return null;
  return one.length > MAX_NCP_MESSAGE ? `${one.slice(0, MAX_NCP_MESSAGE - 1)}…` : one;
}

const tool = (phase: 'build' | 'deploy'): string => (phase === 'build' ? 'SourceBuild' : 'SourceDeploy');

function subject(d: Deployment, lang: Lang): string {
  const repo = outside(`${d.owner}/${d.repo}`);
  const commit = short(d.commitSha);
  const ref = d.ref ? outside(d.ref) : null;
  if (lang === 'ko') {
    const op = operationWord(d.operation, lang);
    return commit ? `${repo} ${op} (${commit})` : `${repo} ${op}`;
  }
  const op = operationWord(d.operation, lang, true);
  if (!commit) return `${op} of ${repo}${ref ? ` (${ref})` : ''}`;
  if (d.operation === 'rollback') return `${op} of ${repo} to ${commit}`;
  return `${op} of ${repo} ${ref ? `${ref} @ ${commit}` : commit}`;
}

function requester(d: Deployment, lang: Lang, opts: RenderOptions): string | null {
  if (opts.requester === false) return null;
  if (d.requestedBy) {
    const name = opts.who ? opts.who(d.requestedBy) : d.requestedBy;
    return lang === 'ko' ? `요청: ${name}` : `asked by ${name}`;
  }
  if (d.requestedVia === 'ncp') return lang === 'ko' ? 'NCP에서 시작됨' : 'started in NCP';
  return null;
}

function imagePart(d: Deployment, lang: Lang): string | null {
  const image = imageOf(d);
  if (!image) return null;
  const shown = outside(image);
  return lang === 'ko' ? `이미지 ${shown}` : `image ${shown}`;
}

const SEP = ' · ';
/** A notice as its parts: the first says what happened, the rest are details. */
type Parts = ReadonlyArray<string | null>;
const join = (parts: Parts): string => parts.filter((p) => p !== null).join(SEP);

function startedLine(n: DeploymentNotice, lang: Lang, opts: RenderOptions): Parts {
  const d = n.deployment;
  let following: string | null = null;
  if (d.status === 'building' && d.buildId) {
    following =
      lang === 'ko'
        ? `SourceBuild 빌드 ${d.buildId} 먼저 진행 후 배포`
        : `SourceBuild build ${d.buildId} runs first, then the deploy`;
  } else if (d.deployHistoryId) {
    following =
      lang === 'ko'
        ? `SourceDeploy 실행 ${d.deployHistoryId} 추적 중`
        : `following SourceDeploy run ${d.deployHistoryId}`;
  } else {
    following = lang === 'ko' ? 'NCP 실행 시작 대기 중' : 'waiting for NCP to start the run';
  }
  const head = lang === 'ko' ? `▶ ${subject(d, lang)} 시작` : `▶ ${subject(d, lang)} started`;
  return [head, imagePart(d, lang), requester(d, lang, opts), following];
}

function progressLine(n: DeploymentNotice, lang: Lang): Parts {
  const d = n.deployment;
  const elapsed =
    lang === 'ko'
      ? `${formatDuration(n.elapsedMs, lang)} 경과`
      : `${formatDuration(n.elapsedMs, lang)} elapsed`;
  // The poller moves building -> deploying only after SourceBuild said success and the run was started.
  if (n.previousStatus === 'building' && d.status === 'deploying') {
    const run = d.deployHistoryId ?? '-';
    const what =
      lang === 'ko'
        ? `빌드 성공, SourceDeploy 실행 ${run} 시작`
        : `build succeeded, SourceDeploy run ${run} started`;
    return [`… ${subject(d, lang)}: ${what}`, elapsed];
  }
  // SourceDeploy `pending` is a person's turn, not NCP being slow: say so, with the run to approve.
  if (n.phase === 'deploy' && n.ncpStatus === 'pending') {
    const run = d.deployHistoryId ?? '-';
    const what =
      lang === 'ko'
        ? `SourceDeploy 실행 ${run} 승인 대기 중 (NCP 콘솔에서 승인하거나 거절하세요)`
        : `SourceDeploy run ${run} is waiting for approval (approve or reject it in the NCP console)`;
    return [`⏸ ${subject(d, lang)}: ${what}`, elapsed];
  }
  const status =
    n.ncpStatus === null
      ? lang === 'ko'
        ? 'NCP 상태 대기 중'
        : 'waiting for NCP to report a status'
      : lang === 'ko'
        ? `${tool(n.phase)} 상태 ${quoteNcp(n.ncpStatus)}`
        : `${tool(n.phase)} reports ${quoteNcp(n.ncpStatus)}`;
  return [`… ${subject(d, lang)}: ${status}`, elapsed];
}

function succeededLine(n: DeploymentNotice, lang: Lang, opts: RenderOptions): Parts {
  const d = n.deployment;
  const took = formatDuration(d.durationMs ?? n.elapsedMs, lang);
  const head =
    lang === 'ko'
      ? `✅ ${subject(d, lang)} 완료 · 소요 ${took}`
      : `✅ ${subject(d, lang)} succeeded in ${took}`;
  const ncp =
    lang === 'ko'
      ? `SourceDeploy 상태 ${quoteNcp(n.ncpStatus)}`
      : `SourceDeploy reported ${quoteNcp(n.ncpStatus)}`;
  return [head, ncp, imagePart(d, lang), requester(d, lang, opts), n.pin ? pinLine(n.pin, lang) : null];
}

function failedLine(n: DeploymentNotice, lang: Lang, opts: RenderOptions): Parts {
  const d = n.deployment;
  const took = formatDuration(d.durationMs ?? n.elapsedMs, lang);
  const message = clean(d.errorMessage);
  const stage = d.errorStage;
  let cause: string;
  if ((stage === 'build' || stage === 'deploy') && stage === n.phase) {
    const where = n.failedPhase
      ? lang === 'ko'
        ? ` (단계 ${n.failedPhase})`
        : ` in phase ${n.failedPhase}`
      : '';
    cause =
      lang === 'ko'
        ? `${tool(stage)} 상태 ${quoteNcp(n.ncpStatus)}${where}`
        : `${tool(stage)} reported ${quoteNcp(n.ncpStatus)}${where}`;
  } else if (stage === 'manifest') {
    cause = lang === 'ko' ? '배포 매니페스트 갱신 실패' : 'updating the deploy manifest failed';
  } else {
    cause = lang === 'ko' ? '배포 시작 실패' : 'starting the deploy failed';
  }
  const detail = message ? `${cause}: ${message}` : cause;
  const head =
    lang === 'ko'
      ? `❌ ${subject(d, lang)} 실패 (${took} 경과)`
      : `❌ ${subject(d, lang)} failed after ${took}`;
  return [head, detail, requester(d, lang, opts)];
}

function timedOutLine(n: DeploymentNotice, lang: Lang, opts: RenderOptions): Parts {
  const d = n.deployment;
  const limit = formatDuration(n.limitMs ?? n.elapsedMs, lang);
  const t = tool(n.phase);
  let what: string;
  if (d.errorStage === 'poll') {
    what =
      lang === 'ko'
        ? `${limit} 동안 NCP에 연결하지 못해 상태를 확인할 수 없었습니다`
        : `NCP could not be reached for a status within ${limit}`;
  } else {
    what =
      lang === 'ko'
        ? `${limit} 안에 ${t}가 최종 상태를 알려주지 않았습니다 (마지막 상태 ${quoteNcp(n.ncpStatus)})`
        : `${t} gave no final status within ${limit} (last status ${quoteNcp(n.ncpStatus)})`;
  }
  const advice =
    lang === 'ko'
      ? `NCP에서는 아직 진행 중일 수 있으니 ${t} 콘솔에서 확인하세요`
      : `it may still finish in NCP; check the ${t} console`;
  const head = lang === 'ko' ? `⌛ ${subject(d, lang)} 시간 초과` : `⌛ ${subject(d, lang)} timed out`;
  return [`${head}: ${what}`, advice, requester(d, lang, opts)];
}

function canceledLine(n: DeploymentNotice, lang: Lang, opts: RenderOptions): Parts {
  const d = n.deployment;
  const took = formatDuration(d.durationMs ?? n.elapsedMs, lang);
  const head =
    lang === 'ko'
      ? `🚫 ${subject(d, lang)} 취소됨 (${took} 경과)`
      : `🚫 ${subject(d, lang)} was canceled in NCP after ${took}`;
  const ncp =
    lang === 'ko'
      ? `${tool(n.phase)} 상태 ${quoteNcp(n.ncpStatus)}`
      : `${tool(n.phase)} reported ${quoteNcp(n.ncpStatus)}`;
  return [head, ncp, requester(d, lang, opts)];
}

export function renderNotice(
  kind: NoticeKind,
  n: DeploymentNotice,
  opts: RenderOptions = {},
): RenderedNotice {
  const lang = n.deployment.lang;
  if (kind === 'pinReminder') {
    const text = n.pin ? pinReminderLine(n.pin, lang) : '';
    return { kind, lang, text, headline: text };
  }
  if (kind === 'verifying' || kind === 'verified' || kind === 'verificationFailed') {
    const v = verifyLine(n.deployment, lang);
    return { kind, lang, text: v.text, headline: v.headline };
  }
  const parts =
    kind === 'started'
      ? startedLine(n, lang, opts)
      : kind === 'progress'
        ? progressLine(n, lang)
        : kind === 'succeeded'
          ? succeededLine(n, lang, opts)
          : kind === 'failed'
            ? failedLine(n, lang, opts)
            : kind === 'timedOut'
              ? timedOutLine(n, lang, opts)
              : canceledLine(n, lang, opts);
  return { kind, lang, text: join(parts), headline: parts[0] ?? '' };
}
