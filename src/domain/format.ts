import type { Lang } from './intent.ts';

// Shared wording of times and durations, so every front end and notice says them the same way.

/**
 * "45s" / "2m 05s" / "1h 05m" (ko "45초" / "2분 5초" / "1시간 5분"): how long something took or has run.
 * Seconds are padded in English so a line rewritten in place keeps its width as the count goes on.
 */
export function formatDuration(ms: number, lang: Lang): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (lang === 'ko') {
    if (h > 0) return `${h}시간 ${m}분`;
    return m > 0 ? `${m}분 ${s}초` : `${s}초`;
  }
  if (h > 0) return `${h}h ${pad(m)}m`;
  return m > 0 ? `${m}m ${pad(s)}s` : `${s}s`;
}

/** "3 hours ago" / "3시간 전", coarse on purpose: people read it at a glance. */
export function formatAge(at: Date, now: Date, lang: Lang): string {
  const sec = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  const units: [number, string, string][] = [
    [86_400, 'day', '일'],
    [3600, 'hour', '시간'],
    [60, 'minute', '분'],
  ];
  for (const [size, en, ko] of units) {
    if (sec >= size) {
      const n = Math.floor(sec / size);
      return lang === 'ko' ? `${n}${ko} 전` : `${n} ${en}${n === 1 ? '' : 's'} ago`;
    }
  }
  return lang === 'ko' ? '방금 전' : 'just now';
}

// Building an Intl.DateTimeFormat costs milliseconds and dominated render time; one per zone is kept
// (a memo, not state: same input, same output).
const timeFormatters = new Map<string, Intl.DateTimeFormat>();
function timeFormatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = timeFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    timeFormatters.set(timeZone, f);
  }
  return f;
}

/** "2026-11-27 13:05 KST" in the configured zone; stored times stay UTC. */
export function formatTime(at: Date, timeZone: string): string {
  const parts = timeFormatterFor(timeZone).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const zone = timeZone === 'Asia/Seoul' ? 'KST' : get('timeZoneName');
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${zone}`;
}

/** First line of a message, trimmed. */
export const firstLine = (s: string | null): string => (s ?? '').split('\n')[0]?.trim() ?? '';

/** First line of a commit message, cut to fit one line of chat. */
export function commitTitle(message: string | null, max = 60): string {
  const first = firstLine(message);
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
