import { phrases } from './phrase-table.ts';

/** Branch names common enough that a bare one next to "deploy" is a ref, not a repo. */
export const knownBranches: ReadonlySet<string> = new Set(
  phrases(`
    main
    master
    develop
    development
    dev
    trunk
    next
    gh-pages
  `),
);

/** First path segments that make `x/y` a branch (feature/login) rather than owner/repo. */
export const refPrefixes: ReadonlySet<string> = new Set(
  phrases(`
    feature
    features
    feat
    fix
    bugfix
    hotfix
    release
    releases
    chore
    refs
    topic
    dependabot
    renovate
  `),
);

/** Words that name the token next to them as a ref: "main branch", "branch main", "v1.2 태그". */
export const refCuesEn: ReadonlySet<string> = new Set(['branch', 'tag', 'ref']);
export const refCuesKo: readonly string[] = ['브랜치', '태그'];

const SEMVER_TAG = /^v?\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z.-]+)?$/;
/** git check-ref-format, roughly: no spaces, no `..`, no `~^:?*[\`, not ending in `/` or `.lock`. */
const REF_CHARS = /^(?!.*\.\.)(?!.*\/\/)(?!.*\.lock$)[A-Za-z0-9._/+-]{1,200}$/;

export function isValidRef(token: string): boolean {
  return REF_CHARS.test(token) && !token.startsWith('/') && !token.endsWith('/') && !token.startsWith('-');
}

/** Looks like a ref on its own, without a cue word: a well-known branch, `feature/...` or a version tag. */
export function isRefShaped(token: string): boolean {
  if (!isValidRef(token)) return false;
  const lower = token.toLowerCase();
  if (knownBranches.has(lower) || SEMVER_TAG.test(token)) return true;
  const slash = lower.indexOf('/');
  return slash > 0 && refPrefixes.has(lower.slice(0, slash));
}
