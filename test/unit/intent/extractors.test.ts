import { describe, expect, it } from 'vitest';
import { detectLang } from '../../../src/domain/lang.ts';
import { findHits, hasConjunction } from '../../../src/intent/matcher.ts';
import { isRefShaped, isValidRef } from '../../../src/intent/ref.ts';
import { isNameShaped, parseGithubUrl, parseOwnerRepo } from '../../../src/intent/repo.ts';
import { isShaToken, normalizeSha } from '../../../src/intent/sha.ts';
import { foldSpelling } from '../../../src/intent/spelling.ts';
import { extractSteps } from '../../../src/intent/steps.ts';
import { splitPieces } from '../../../src/intent/tokens.ts';

describe('sha', () => {
  it('accepts 7 to 40 hex digits with at least one digit, any case', () => {
    expect(isShaToken('c39eb54')).toBe(true);
    expect(isShaToken('C39EB54')).toBe(true);
    expect(isShaToken('0123456789abcdef0123456789abcdef01234567')).toBe(true);
    expect(isShaToken('1234567')).toBe(true);
    expect(normalizeSha('C39EB54')).toBe('c39eb54');
  });
  it('rejects hex-only words, short and long tokens, and non-hex', () => {
    for (const word of ['defaced', 'facade', 'added', 'deadbeef', 'c39eb5', 'test01x', 'g39eb54']) {
      expect(isShaToken(word), word).toBe(false);
    }
    expect(isShaToken(`1${'a'.repeat(40)}`)).toBe(false);
  });
});

describe('repo', () => {
  it('parses owner/repo by GitHub rules, stripping .git', () => {
    expect(parseOwnerRepo('K-Le-PaaS/test01')).toEqual({ owner: 'K-Le-PaaS', repo: 'test01' });
    expect(parseOwnerRepo('o/my_app.v2.git')).toEqual({ owner: 'o', repo: 'my_app.v2' });
    expect(parseOwnerRepo('-bad/repo')).toBeNull();
    expect(parseOwnerRepo('a/b/c')).toBeNull();
  });
  it('does not take branch paths for owner/repo', () => {
    expect(parseOwnerRepo('feature/login')).toBeNull();
    expect(parseOwnerRepo('release/2024-06')).toBeNull();
  });
  it('reads GitHub URLs with commit and tree suffixes', () => {
    expect(parseGithubUrl('https://github.com/K-Le-PaaS/test01')).toEqual({
      owner: 'K-Le-PaaS',
      repo: 'test01',
      commitSha: null,
      ref: null,
    });
    expect(parseGithubUrl('https://github.com/o/r.git')?.repo).toBe('r');
    expect(parseGithubUrl('github.com/o/r/commit/C39EB54')?.commitSha).toBe('c39eb54');
    expect(parseGithubUrl('https://github.com/o/r/tree/feature/x')?.ref).toBe('feature/x');
    expect(parseGithubUrl('https://example.com/o/r')).toBeNull();
  });
  it('treats names with digits, hyphens, dots or underscores as name-shaped', () => {
    expect(isNameShaped('test01')).toBe(true);
    expect(isNameShaped('api-server')).toBe(true);
    expect(isNameShaped('payments')).toBe(false);
    expect(isNameShaped('42')).toBe(false);
  });
});

describe('ref', () => {
  it('knows common branches, branch prefixes and version tags', () => {
    for (const ref of ['main', 'Main', 'develop', 'feature/login', 'hotfix/x-1', 'v1.2.0', '2.0.1']) {
      expect(isRefShaped(ref), ref).toBe(true);
    }
    for (const ref of ['test01', 'K-Le-PaaS/test01', 'payments']) expect(isRefShaped(ref), ref).toBe(false);
  });
  it('rejects refs git would reject', () => {
    expect(isValidRef('feature/x')).toBe(true);
    for (const ref of ['a..b', 'x/', '/x', 'a b', 'x.lock', '-x']) expect(isValidRef(ref), ref).toBe(false);
  });
});

describe('steps', () => {
  const cases: Array<[string, number | null]> = [
    ['rollback test01 2 versions back', 2],
    ['roll back two steps', 2],
    ['rollback by one step', 1],
    ['back 4', 4],
    ['three deployments ago', 3],
    ['rollback test01 ~2', 2],
    ['rollback head~3', 3],
    ['rollback head^^', 2],
    ['steps_back=5', 5],
    ['2단계 전으로', 2],
    ['3개 전 버전', 3],
    ['2번째 전', 2],
    ['두 단계', 2],
    ['세 번 전', 3],
    ['다섯 버전 전', 5],
    ['열 단계', 10],
    ['삼단계', 3],
    ['오 단계 전', 5],
    ['전전 버전', 2],
    ['전전전 버전', 3],
    ['the one before last', 2],
    ['zero steps', 0],
    ['-1 steps', -1],
    ['-2단계', -2],
    ['minus 2 steps', -2],
    ['test01 롤백', null],
    ['v2 app2 test-2 release/2024', null],
    ['이전 버전', null],
    ['이번 배포 이 버전', null],
  ];
  it.each(cases)('%s -> %s', (text, want) => {
    expect(extractSteps(text)).toBe(want);
  });
  it('reads a lone number only when allowed, and never digits glued to names or times', () => {
    expect(extractSteps('rollback test01 3')).toBeNull();
    expect(extractSteps('rollback test01 3', { allowBare: true })).toBe(3);
    expect(extractSteps('rollback test01 -1', { allowBare: true })).toBe(-1);
    expect(extractSteps('rollback 2048-game', { allowBare: true })).toBeNull();
    expect(extractSteps('오후 3시에 롤백', { allowBare: true })).toBeNull();
    expect(extractSteps('rollback to 1234567', { allowBare: true })).toBeNull();
  });
});

describe('pieces and language', () => {
  it('splits particles glued to names and trims sentence punctuation', () => {
    const pieces = splitPieces('test01을 c39eb54로 (abc1234). https://github.com/o/r.');
    expect(pieces.map((p) => [p.kind, p.text])).toEqual([
      ['word', 'test01'],
      ['hangul', '을'],
      ['word', 'c39eb54'],
      ['hangul', '로'],
      ['word', 'abc1234'],
      ['url', 'https://github.com/o/r'],
    ]);
  });
  it('detects Korean by any Hangul, including jamo', () => {
    expect(detectLang('rollback test01 해줘')).toBe('ko');
    expect(detectLang('ㄱㄱ'.normalize('NFKC'))).toBe('ko');
    expect(detectLang('rollback test01')).toBe('en');
  });
});

describe('phrase matching', () => {
  it('folds typos and split verbs', () => {
    expect(foldSpelling('rollbak, roll test01 back, roll-back, 롤벡, 베포, depoly')).toBe(
      'rollback, rollback test01, rollback, 롤백, 배포, deploy',
    );
  });
  it('prefers the longest phrase where phrases overlap', () => {
    expect(findHits('test01 롤백 가능한 버전').map((h) => h.category)).toEqual(['candidates']);
    expect(findHits('test01 롤백가능해?').map((h) => h.category)).toEqual(['diagnose']);
    expect(findHits("why doesn't rollback work").map((h) => h.category)).toContain('diagnose');
  });
  it('matches English words whole, not inside other words', () => {
    expect(findHits('redeployment of shipyard')).toEqual([]);
  });
  it('recognises joins between commands', () => {
    for (const between of [' and ', ' then ', '하고 ', '한 다음 ', ', ', ' && ']) {
      expect(hasConjunction(between), between).toBe(true);
    }
    for (const between of [' ', ' to ', '해서 ', '의 ']) expect(hasConjunction(between), between).toBe(false);
  });
});
