import type { Deployment, RepoPin } from './deployment.ts';
import type { Lang } from './intent.ts';
import { shortSha } from './repo-ref.ts';
import type { VerificationFigures, VerifyFailure } from './verification.ts';

// How verification figures are said, the same in the thread, the console and the CLI.

const SEP = ' · ';
const MAX_PROBLEM = 200;
/** What an app or an HTTP client said: one line, bounded. */
const said = (s: string): string => {
  // By code points, so an emoji is never cut in half.
  const chars = [...s.replace(/\s+/g, ' ').trim()];
  return chars.length > MAX_PROBLEM ? `${chars.slice(0, MAX_PROBLEM - 1).join('')}…` : chars.join('');
};

export const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;
export const millis = (ms: number): string =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;

/** "5 min" / "5분"; whole seconds under a minute. */
export function windowWord(ms: number, lang: Lang): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return lang === 'ko' ? `${s}초` : `${s} s`;
  const m = Math.round(s / 60);
  return lang === 'ko' ? `${m}분` : `${m} min`;
}

/** "health 200 · 5xx 0.4 % · p95 180 ms", with what could not be measured said as such. */
export function figuresLine(v: VerificationFigures, lang: Lang): string {
  const parts: string[] = [];
  parts.push(
    v.healthStatus !== null
      ? `health ${v.healthStatus}`
      : `health ${v.healthProblem ? said(v.healthProblem) : lang === 'ko' ? '응답 없음' : 'no answer'}`,
  );
  if (v.metrics === 'not_configured') {
    parts.push(lang === 'ko' ? '메트릭 없음 (health만 확인)' : 'no metrics URL (health only)');
  } else if (v.metrics === 'unavailable') {
    const why = v.metricsProblem ? `: ${said(v.metricsProblem)}` : '';
    parts.push(
      lang === 'ko' ? `메트릭 읽기 실패${why} (health만 확인)` : `metrics unavailable${why} (health only)`,
    );
  } else if (v.requests === null) {
    parts.push(lang === 'ko' ? '메트릭 기준점 측정' : 'metrics baseline taken');
  } else {
    parts.push(
      v.errorShare !== null ? `5xx ${percent(v.errorShare)}` : lang === 'ko' ? '요청 없음' : 'no requests',
    );
    if (v.p95Ms !== null) parts.push(`p95 ${millis(v.p95Ms)}`);
  }
  return parts.join(SEP);
}

/** "5xx 12.0 % > 5.0 %" / "health failed 3 times in a row: HTTP 503". */
export function failureLine(f: VerifyFailure, lang: Lang): string {
  if (f.check === 'error_share') {
    return lang === 'ko'
      ? `5xx ${percent(f.value)} > 기준 ${percent(f.threshold)}`
      : `5xx ${percent(f.value)} > ${percent(f.threshold)} allowed`;
  }
  if (f.check === 'p95') {
    return lang === 'ko'
      ? `p95 ${millis(f.value)} > 기준 ${millis(f.threshold)}`
      : `p95 ${millis(f.value)} > ${millis(f.threshold)} allowed`;
  }
  return lang === 'ko'
    ? `health 확인 ${f.failures}회 연속 실패: ${said(f.detail)}`
    : `health failed ${f.failures} time${f.failures === 1 ? '' : 's'} in a row: ${said(f.detail)}`;
}

const what = (d: Deployment, lang: Lang): string => {
  const commit = d.commitSha ? ` (${shortSha(d.commitSha)})` : '';
  const op =
    d.operation === 'rollback' ? (lang === 'ko' ? '롤백' : 'rollback') : lang === 'ko' ? '배포' : 'deploy';
  return `${d.owner}/${d.repo} ${op}${commit}`;
};

const utc = (d: Date): string => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The status line of a pin, next to the lock's wherever status is shown. */
export function pinLine(p: RepoPin, lang: Lang): string {
  return lang === 'ko'
    ? `📌 ${p.owner}/${p.repo} 고정됨 (${shortSha(p.fromSha)}에서 롤백) · ${utc(p.expiresAt)}까지 · ${shortSha(p.fromSha)}이(가) 들어 있는 배포는 거절`
    : `📌 ${p.owner}/${p.repo} pinned (${p.reason}) until ${utc(p.expiresAt)} · deploys containing ${shortSha(p.fromSha)} are refused`;
}

export function pinReminderLine(p: RepoPin, lang: Lang): string {
  return lang === 'ko'
    ? `⏰ ${p.owner}/${p.repo} 고정이 ${utc(p.expiresAt)}에 끝납니다 (${shortSha(p.fromSha)}에서 롤백). 그 뒤에는 ${shortSha(p.fromSha)}이(가) 들어 있는 배포도 진행됩니다. 수정본을 배포하거나 고정을 해제하세요`
    : `⏰ the pin of ${p.owner}/${p.repo} ends at ${utc(p.expiresAt)} (${p.reason}); after that, deploys containing ${shortSha(p.fromSha)} go through. Deploy a fix, or unpin it`;
}

export interface VerifyLine {
  readonly headline: string;
  readonly text: string;
}

/** The card's one line while running and at the end; `stage` says which. */
export function verifyLine(d: Deployment, lang: Lang): VerifyLine {
  const v = d.verification;
  if (!v) return { headline: '', text: '' };
  const over = windowWord(v.status === 'verifying' ? v.windowMs : v.elapsedMs, lang);
  if (v.status === 'verifying') {
    const head = lang === 'ko' ? `🔎 ${what(d, lang)} 검증 중` : `🔎 verifying ${what(d, lang)}`;
    const elapsed =
      lang === 'ko'
        ? `${windowWord(v.elapsedMs, lang)} / ${over}`
        : `${windowWord(v.elapsedMs, lang)} of ${over}`;
    return { headline: head, text: [head, figuresLine(v, lang), elapsed].join(SEP) };
  }
  if (v.status === 'verified') {
    const head = lang === 'ko' ? '✅ 검증 완료' : '✅ verified';
    const tail = lang === 'ko' ? `(${over} 동안)` : `over ${over}`;
    return { headline: head, text: `${head}: ${figuresLine(v, lang)} ${tail}` };
  }
  if (v.status === 'superseded') {
    const head =
      lang === 'ko' ? '⏭ 검증 중단: 새 배포가 시작됨' : '⏭ verification stopped: a newer deployment started';
    return { headline: head, text: head };
  }
  const head =
    d.operation === 'rollback'
      ? lang === 'ko'
        ? '🚨 롤백 후 검증 실패'
        : '🚨 the rollback failed verification'
      : lang === 'ko'
        ? '❌ 검증 실패'
        : '❌ verification failed';
  const failed = v.failed ? failureLine(v.failed, lang) : '';
  const tail =
    lang === 'ko' ? `(${figuresLine(v, lang)}, ${over} 동안)` : `(${figuresLine(v, lang)} over ${over})`;
  let next: string;
  if (d.operation === 'rollback') {
    next =
      lang === 'ko'
        ? '자동 롤백은 더 하지 않습니다. 담당자가 직접 확인하세요'
        : 'no further automatic rollback: a person has to decide';
  } else if (v.autoRollbackId !== null) {
    const to = v.rollbackTargetSha ? ` ${shortSha(v.rollbackTargetSha)}` : '';
    next =
      lang === 'ko'
        ? `자동 롤백 시작: 이전 버전${to}으로 (#${v.autoRollbackId})`
        : `rolling back on its own to the previous version${to} (#${v.autoRollbackId})`;
  } else if (v.rollbackTargetSha) {
    next =
      lang === 'ko'
        ? `이전 버전 ${shortSha(v.rollbackTargetSha)}(으)로 롤백할 수 있습니다`
        : `you can roll back to the previous version ${shortSha(v.rollbackTargetSha)}`;
  } else {
    next = lang === 'ko' ? '롤백할 이전 버전이 없습니다' : 'there is no previous version to roll back to';
  }
  return { headline: head, text: `${head}: ${failed} ${tail}${SEP}${next}` };
}
