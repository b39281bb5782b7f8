import type { Deployment } from '../../domain/deployment.ts';
import type { Bilingual } from '../../domain/errors.ts';
import { shortSha } from '../../domain/repo-ref.ts';

/**
 * Reads a rollback target given in words ("어제 배포 전", "before the redis change", "3pm", "2 hours ago")
 * against the records. Pure: the clock and the time zone are arguments.
 */

export type TargetWords =
  | { readonly kind: 'ref'; readonly ref: string }
  | { readonly kind: 'short_sha'; readonly prefix: string }
  | { readonly kind: 'at'; readonly at: Date; readonly label: Bilingual }
  | { readonly kind: 'before_change'; readonly keyword: string }
  | { readonly kind: 'unknown' };

const DAY = 86_400_000;

/** Minutes the zone is ahead of UTC at `at`. */
function zoneOffsetMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'));
  return Math.round((local - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

function localMidnight(now: Date, timeZone: string, daysBack: number): Date {
  const off = zoneOffsetMinutes(now, timeZone) * 60_000;
  const localDay = Math.floor((now.getTime() + off) / DAY) * DAY;
  return new Date(localDay - daysBack * DAY - off);
}

const STOP = new Set(
  'the a an change changes changed commit commits deploy deployment version update merge of to before 전 변경 수정 추가 적용 배포 머지 바뀌기 바꾸기 하기 버전'.split(
    ' ',
  ),
);

export function readTargetWords(text: string, now: Date, timeZone: string): TargetWords {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (/^[0-9a-f]{4,6}$/.test(lower)) return { kind: 'short_sha', prefix: lower };
  if (
    /^[A-Za-z0-9._/+-]+$/.test(t) &&
    !/^\d/.test(t) &&
    !/(?:am|pm)$/.test(lower) &&
    lower !== 'yesterday' &&
    lower !== 'today'
  )
    return { kind: 'ref', ref: t };
  const before = /before|전/.test(lower);
  if (/어제|yesterday/.test(lower)) {
    // "어제 배포 전" / "before yesterday's deploy": what ran as yesterday began; "yesterday": as it ended.
    const at = localMidnight(now, timeZone, before ? 1 : 0);
    return {
      kind: 'at',
      at,
      label: before
        ? { en: 'what ran when yesterday began', ko: '어제가 시작될 때 실행 중이던 버전' }
        : { en: 'what ran at the end of yesterday', ko: '어제가 끝날 때 실행 중이던 버전' },
    };
  }
  if (/오늘|today|this morning|아침/.test(lower)) {
    return {
      kind: 'at',
      at: localMidnight(now, timeZone, 0),
      label: { en: 'what ran when today began', ko: '오늘이 시작될 때 실행 중이던 버전' },
    };
  }
  const ago = /(\d{1,4})\s*(?:(시간|hours?|hrs?|h)|(분|minutes?|mins?|m))\s*(?:전|ago)/.exec(lower);
  if (ago?.[1]) {
    const n = Number(ago[1]);
    const ms = ago[2] ? n * 3_600_000 : n * 60_000;
    const label = ago[2]
      ? { en: `${n} hour(s) ago`, ko: `${n}시간 전` }
      : { en: `${n} minute(s) ago`, ko: `${n}분 전` };
    return {
      kind: 'at',
      at: new Date(now.getTime() - ms),
      label: { en: `what ran ${label.en}`, ko: `${label.ko}에 실행 중이던 버전` },
    };
  }
  const clock = /(?<!\d)(\d{1,2})(?::(\d{2}))?\s*(am|pm|시)/.exec(lower);
  if (clock?.[1]) {
    let h = Number(clock[1]) % 24;
    if (clock[3] === 'pm' && h < 12) h += 12;
    if (clock[3] === 'am' && h === 12) h = 0;
    const m = Number(clock[2] ?? 0);
    let at = new Date(localMidnight(now, timeZone, 0).getTime() + (h * 60 + m) * 60_000);
    if (at.getTime() > now.getTime()) at = new Date(at.getTime() - DAY);
    const hm = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
    return { kind: 'at', at, label: { en: `what ran at ${hm}`, ko: `${hm}에 실행 중이던 버전` } };
  }
  if (before) {
    const words = lower
      .replace(/^.*?before\s+/, '')
      .split(/[\s'"]+/)
      .map((w) => w.replace(/(?:을|를|이|가|의)$/, ''))
      .filter((w) => w.length > 1 && !STOP.has(w));
    const keyword = words[0];
    if (keyword) return { kind: 'before_change', keyword };
  }
  return { kind: 'unknown' };
}

const ranAt = (d: Deployment): Date => d.deployedAt ?? d.completedAt ?? d.requestedAt;
const successes = (records: readonly Deployment[]) =>
  records.filter((d) => d.status === 'success' && d.commitSha !== null);

export interface WordsResolution {
  readonly commitSha: string;
  readonly reasoning: Bilingual;
}

/** What ran at `at`: the newest success at or before it (records newest first). */
export function runningAt(records: readonly Deployment[], at: Date): Deployment | null {
  return successes(records).find((d) => ranAt(d).getTime() <= at.getTime()) ?? null;
}

/** The version that ran before the newest deployment whose commit message mentions `keyword`. */
export function beforeChange(
  records: readonly Deployment[],
  keyword: string,
): { readonly change: Deployment; readonly before: Deployment | null } | null {
  const ran = successes(records);
  const k = keyword.toLowerCase();
  // The change came in with a plain deploy; a later rollback to that commit is not "the change".
  const idx = ran.findIndex(
    (d) => d.operation === 'deploy' && (d.commitMessage ?? '').toLowerCase().includes(k),
  );
  const change = ran[idx];
  if (!change) return null;
  // The next older success whose commit differs: the change itself may have run more than once.
  const before = ran.slice(idx + 1).find((d) => d.commitSha !== change.commitSha) ?? null;
  return { change, before };
}

export const describeRun = (d: Deployment, iso: (at: Date) => string): string =>
  `${shortSha(d.commitSha ?? '')}${d.commitMessage ? ` "${d.commitMessage.split('\n')[0]}"` : ''} (#${d.id}, ${iso(ranAt(d))})`;
