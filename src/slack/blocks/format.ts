import type { Lang } from '../../domain/intent.ts';

/** What renderers need besides the reply: the clock and the display zone, passed in so they stay pure. */
export interface RenderContext {
  readonly now: Date;
  /** IANA zone the times are shown in (config DISPLAY_TIMEZONE, Asia/Seoul by default). */
  readonly timeZone: string;
}

export const t = (lang: Lang, ko: string, en: string): string => (lang === 'ko' ? ko : en);

// Building an Intl.DateTimeFormat costs milliseconds; one per zone is kept (a memo, not state: same input, same output).
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
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
    formatters.set(timeZone, f);
  }
  return f;
}

/** `2025-10-19 21:00 KST` style: short, unambiguous, in the configured zone. */
export function formatTime(date: Date, ctx: RenderContext): string {
  const parts = formatterFor(ctx.timeZone).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const zone = ctx.timeZone === 'Asia/Seoul' ? 'KST' : get('timeZoneName');
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${zone}`;
}

/** "3시간 전" / "3h ago": how old a commit or deployment is, relative to the injected clock. */
export function formatAge(date: Date, now: Date, lang: Lang): string {
  const s = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  const [n, unitKo, unitEn] =
    s < 60
      ? [s, '초', 's']
      : s < 3600
        ? [Math.floor(s / 60), '분', 'm']
        : s < 86_400
          ? [Math.floor(s / 3600), '시간', 'h']
          : [Math.floor(s / 86_400), '일', 'd'];
  return lang === 'ko' ? `${n}${unitKo} 전` : `${n}${unitEn} ago`;
}

/** "45초" / "1분 30초" / "1m 30s": how long something took. */
export function formatDuration(ms: number, lang: Lang): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  if (lang === 'ko') return m > 0 ? `${m}분 ${s}초` : `${s}초`;
  return m > 0 ? `${m}m ${s}s` : `${s}s`;
}

/** Best guess of a person's language from what they typed: any Hangul means Korean. */
export const guessLang = (text: string): Lang =>
  /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]/.test(text) ? 'ko' : 'en';

export const firstLine = (s: string | null): string => (s ?? '').split('\n')[0]?.trim() ?? '';
