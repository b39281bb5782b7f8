import type { Lang } from './intent.ts';

// Shared wording of times and durations, so every front end and notice says them the same way.

export function formatDuration(ms: number, lang: Lang): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (lang === 'ko') {
    if (h > 0) return `${h}시간 ${m}분`;
    if (m > 0) return s > 0 ? `${m}분 ${s}초` : `${m}분`;
    return `${s}초`;
  }
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return s > 0 ? `${m}m ${s}s` : `${m}m`;
  return `${s}s`;
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

/** "2026-11-27 13:05 KST" in the configured zone; stored times stay UTC. */
export function formatTime(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const zone = timeZone === 'Asia/Seoul' ? 'KST' : get('timeZoneName');
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${zone}`;
}

/** First line of a commit message, cut to fit one line of chat. */
export function commitTitle(message: string | null, max = 60): string {
  const first = (message ?? '').split('\n')[0]?.trim() ?? '';
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
