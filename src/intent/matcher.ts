import { HANGUL } from '../domain/lang.ts';
import { englishConjunctions, englishPhrases } from './keywords-en.ts';
import { koreanConjunctions, koreanPhrases } from './keywords-ko.ts';
import { type PhraseCategory, type PhraseTable, phraseCategories } from './phrase-table.ts';

export interface Hit {
  readonly category: PhraseCategory;
  readonly start: number;
  readonly end: number;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const byLength = (a: string, b: string): number => b.length - a.length;

const englishPiece = (p: string): string => p.split(/\s+/).map(escapeRegExp).join('[\\s-]+');
/** English: whole words; a space in a phrase matches spaces or hyphens ("rollback-ready"). */
function englishPattern(list: readonly string[]): RegExp | null {
  if (list.length === 0) return null;
  const alts = [...list].sort(byLength).map(englishPiece);
  return new RegExp(`(?<![a-z0-9])(?:${alts.join('|')})(?![a-z0-9])`, 'g');
}
const englishKey = (text: string): string => text.replace(/[\s-]+/g, ' ');

/** The Korean words that also match their English name inside a Korean phrase. */
const koreanSynonyms: ReadonlyArray<readonly [string, string, string]> = [
  ['롤백', 'rollback', '(?:롤백|(?<![a-z0-9])rollback(?![a-z0-9]))'],
  ['배포', 'deploy', '(?:배포|(?<![a-z0-9])deploy(?![a-z0-9]))'],
];

/**
 * Korean: substrings, since particles and endings glue on ("롤백해줘", "test01을"); spacing in Korean
 * chat is loose, so optional whitespace is allowed between any two characters of a phrase.
 */
function koreanPiece(phrase: string): string {
  const units: string[] = [];
  const compact = phrase.replace(/\s+/g, '');
  for (let i = 0; i < compact.length; ) {
    const syn = koreanSynonyms.find(([word]) => compact.startsWith(word, i));
    if (syn) {
      units.push(syn[2]);
      i += syn[0].length;
    } else {
      units.push(escapeRegExp(compact[i] ?? ''));
      i += 1;
    }
  }
  return units.join('\\s*');
}
function koreanPattern(list: readonly string[]): RegExp | null {
  if (list.length === 0) return null;
  return new RegExp(`(?:${[...list].sort(byLength).map(koreanPiece).join('|')})`, 'g');
}
const koreanKey = (text: string): string => {
  let key = text.replace(/\s+/g, '');
  for (const [word, english] of koreanSynonyms) key = key.replaceAll(english, word);
  return key;
};

/**
 * One scanner per language over every category's phrases, longest phrase first, plus a map from a
 * matched phrase (spacing folded) back to its category. Two scans per message instead of one per
 * category keep a parse in the tens of microseconds.
 */
interface Scanner {
  readonly pattern: RegExp;
  readonly categoryOf: ReadonlyMap<string, PhraseCategory>;
  readonly key: (text: string) => string;
  readonly applies: (lower: string) => boolean;
}

function scanner(
  table: PhraseTable,
  piece: (p: string) => string,
  key: (t: string) => string,
  applies: (lower: string) => boolean,
  boundary: readonly [string, string],
): Scanner {
  const categoryOf = new Map<string, PhraseCategory>();
  const all: string[] = [];
  for (const category of phraseCategories) {
    for (const phrase of table[category]) {
      const k = key(phrase);
      if (!categoryOf.has(k)) categoryOf.set(k, category);
      all.push(phrase);
    }
  }
  const alts = [...new Set(all)].sort(byLength).map(piece);
  return {
    pattern: new RegExp(`${boundary[0]}(?:${alts.join('|')})${boundary[1]}`, 'g'),
    categoryOf,
    key,
    applies,
  };
}

const scanners: readonly Scanner[] = [
  scanner(englishPhrases, englishPiece, englishKey, (l) => /[a-z]/.test(l), [
    '(?<![a-z0-9])',
    '(?![a-z0-9])',
  ]),
  scanner(koreanPhrases, koreanPiece, koreanKey, (l) => HANGUL.test(l), ['', '']),
];
const priority = new Map(phraseCategories.map((c, i) => [c, i]));

/**
 * Every phrase found in the lower-cased message, overlaps resolved longest first (then by category
 * priority), so "롤백 가능한 버전" is one candidates hit rather than rollback + diagnose + candidates.
 */
export function findHits(lower: string): Hit[] {
  const all: Hit[] = [];
  for (const s of scanners) {
    if (!s.applies(lower)) continue;
    s.pattern.lastIndex = 0;
    for (const m of lower.matchAll(s.pattern)) {
      const category = s.categoryOf.get(s.key(m[0]));
      if (category && m[0].length > 0) all.push({ category, start: m.index, end: m.index + m[0].length });
    }
  }
  all.sort(
    (a, b) =>
      b.end - b.start - (a.end - a.start) ||
      (priority.get(a.category) ?? 0) - (priority.get(b.category) ?? 0) ||
      a.start - b.start,
  );
  const kept: Hit[] = [];
  for (const hit of all) {
    if (kept.every((k) => hit.end <= k.start || hit.start >= k.end)) kept.push(hit);
  }
  return kept.sort((a, b) => a.start - b.start);
}

export function categoryRank(category: PhraseCategory): number {
  return priority.get(category) ?? phraseCategories.length;
}

const englishConjunction = englishPattern(englishConjunctions);
const koreanConjunction = koreanPattern(koreanConjunctions);
/** A verb ending in -고 joins clauses ("배포하고", "롤백해주고"). */
const KOREAN_AND_ENDING = /[가-힣]고(?![가-힣])/;
const PUNCTUATION_AND = /[,;&+]/;

/** Whether the text between two commands joins them as two commands. */
export function hasConjunction(between: string): boolean {
  const lower = between.toLowerCase();
  const test = (p: RegExp | null): boolean => {
    if (p === null) return false;
    p.lastIndex = 0;
    return p.test(lower);
  };
  return (
    PUNCTUATION_AND.test(lower) ||
    KOREAN_AND_ENDING.test(lower) ||
    test(englishConjunction) ||
    test(koreanConjunction)
  );
}
