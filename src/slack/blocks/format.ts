import { formatTime as formatTimeIn } from '../../domain/format.ts';
import type { Lang } from '../../domain/intent.ts';

/** What renderers need besides the reply: the clock and the display zone, passed in so they stay pure. */
export interface RenderContext {
  readonly now: Date;
  /** IANA zone the times are shown in (config DISPLAY_TIMEZONE, Asia/Seoul by default). */
  readonly timeZone: string;
}

export { firstLine, formatDuration } from '../../domain/format.ts';
export { t } from '../../domain/wording.ts';

/** `2025-10-19 21:00 KST` style: short, unambiguous, in the configured zone. */
export const formatTime = (date: Date, ctx: RenderContext): string => formatTimeIn(date, ctx.timeZone);

/**
 * "3시간 전" / "3h ago": how old a commit or deployment is, relative to the injected clock. Shorter than the
 * terminal's "3 hours ago" on purpose: it sits in Slack context lines beside a SHA and a commit title.
 */
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
