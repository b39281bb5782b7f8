import type { DeploymentStatus, Operation } from './deployment.ts';
import type { Lang } from './intent.ts';

// Words every front end (terminal, Slack, CLI) uses for the same things, so they say them the same way.

/** The Korean or English text, picked by the reply's language. */
export const t = (lang: Lang, ko: string, en: string): string => (lang === 'ko' ? ko : en);

export const statusWord: Readonly<Record<DeploymentStatus, Readonly<Record<Lang, string>>>> = {
  queued: { ko: '대기 중', en: 'queued' },
  building: { ko: '빌드 중', en: 'building' },
  deploying: { ko: '배포 중', en: 'deploying' },
  success: { ko: '성공', en: 'succeeded' },
  failed: { ko: '실패', en: 'failed' },
  canceled: { ko: '취소됨', en: 'canceled' },
  timed_out: { ko: '시간 초과', en: 'timed out' },
};

/** "롤백" / "rollback" (or "Rollback" at the start of a sentence). */
export function operationWord(op: Operation, lang: Lang, capital = false): string {
  if (lang === 'ko') return op === 'rollback' ? '롤백' : '배포';
  const word = op === 'rollback' ? 'rollback' : 'deploy';
  return capital ? `${word[0]?.toUpperCase()}${word.slice(1)}` : word;
}

/** "2단계 전" / "2 back": how far a rollback target is behind what runs now. */
export const stepsBackPhrase = (n: number, lang: Lang): string => t(lang, `${n}단계 전`, `${n} back`);
