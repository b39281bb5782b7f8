import { phrases } from './phrase-table.ts';

/** Counting words. A count may be 0 or negative here; the grammar turns those into `invalid_steps`. */
export const englishNumbers: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};
/** Native Korean numerals in their counting (pre-noun) form: 한 번, 두 단계, 세 버전. */
export const nativeKoreanNumbers: Readonly<Record<string, number>> = {
  한: 1,
  두: 2,
  세: 3,
  네: 4,
  다섯: 5,
  여섯: 6,
  일곱: 7,
  여덟: 8,
  아홉: 9,
  열: 10,
};
export const sinoKoreanNumbers: Readonly<Record<string, number>> = {
  일: 1,
  이: 2,
  삼: 3,
  사: 4,
  오: 5,
  육: 6,
  칠: 7,
  팔: 8,
  구: 9,
  십: 10,
};

const englishCounters = phrases(`
  steps
  step
  versions
  version
  deployments
  deployment
  deploys
  releases
  release
  revisions
  commits
  times
`);
const koreanCounters = phrases(`
  단계
  스텝
  번째
  번
  개
  버전
  배포
  릴리즈
`);
/**
 * Sino-Korean numerals only count with these: "이 버전" and "이번" mean "this version" and "this time",
 * and "오 개" is not how anyone counts deployments.
 */
const sinoCounters = phrases(`
  단계
  스텝
  번째
`);

/** Phrases that mean a fixed count with no number in them. Longest first. */
const countPhrases: ReadonlyArray<readonly [string, number]> = [
  ['전전전', 3],
  ['전전', 2],
  ['one before the last', 2],
  ['one before last', 2],
  ['before the previous', 2],
  ['before previous', 2],
  ['before the last', 2],
  ['before last', 2],
  ['last but one', 2],
];

const alt = (words: Iterable<string>): string => [...words].sort((a, b) => b.length - a.length).join('|');
const EN_NUM = `(?:minus\\s+)?(?:-?\\d{1,4}|${alt(Object.keys(englishNumbers))})`;
/** Not glued to a name: `test01`, `v2`, `api-2`, `release/2024` hold digits that are not counts. */
const FREE = '(?<![A-Za-z0-9_./~^-])';

const patterns: ReadonlyArray<RegExp> = [
  /steps?_?back\s*[=:]\s*(-?\d{1,4})(?!\d)/,
  /(?<![a-z0-9_./-])(?:head)?~(-?\d{1,4})(?!\d)/,
  new RegExp(`${FREE}(${EN_NUM})\\s*(?:${alt(englishCounters)})(?![a-z])`),
  new RegExp(`(?<![a-z])(?:back|by)\\s+(${EN_NUM})(?![a-z0-9])`),
  new RegExp(`${FREE}(${EN_NUM})\\s+back(?![a-z])`),
  new RegExp(`${FREE}(-?\\d{1,4})\\s*(?:${alt(koreanCounters)}|전)`),
  new RegExp(`(?<![가-힣])(${alt(Object.keys(nativeKoreanNumbers))})\\s*(?:${alt(koreanCounters)})`),
  new RegExp(`(?<![가-힣])(${alt(Object.keys(sinoKoreanNumbers))})\\s*(?:${alt(sinoCounters)})`),
];
const HEAD_CARETS = /(?<![a-z0-9])head(\^+)(?![a-z0-9])/;
/** A lone number ("rollback test01 3"), only read as a count when the message is a rollback. */
const BARE_NUMBER = /(?<![A-Za-z0-9_./~^-])(-?\d{1,4})(?![A-Za-z0-9_./-]|\d|[가-힣])/;

function toNumber(word: string): number | null {
  if (word.startsWith('minus')) {
    const n = toNumber(word.replace(/^minus\s+/, ''));
    return n === null ? null : -n;
  }
  if (/^-?\d+$/.test(word)) return Number.parseInt(word, 10);
  return englishNumbers[word] ?? nativeKoreanNumbers[word] ?? sinoKoreanNumbers[word] ?? null;
}

/**
 * How many deployments back a lower-cased message asks for, or null when it names no count. With
 * `allowBare`, a lone number also counts. The first explicit form wins over phrases, phrases over bare.
 */
export function extractSteps(lower: string, opts: { allowBare?: boolean } = {}): number | null {
  for (const pattern of patterns) {
    const m = pattern.exec(lower);
    const n = m?.[1] === undefined ? null : toNumber(m[1]);
    if (n !== null) return n;
  }
  const carets = HEAD_CARETS.exec(lower);
  if (carets?.[1]) return carets[1].length;
  for (const [phrase, n] of countPhrases) if (lower.includes(phrase)) return n;
  if (opts.allowBare) {
    const bare = BARE_NUMBER.exec(lower);
    if (bare?.[1]) return Number.parseInt(bare[1], 10);
  }
  return null;
}
