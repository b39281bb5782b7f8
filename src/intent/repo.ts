import { OWNER_PATTERN, REPO_PATTERN, type RepoRef } from '../domain/repo-ref.ts';
import { phrases } from './phrase-table.ts';
import { isRefShaped, isValidRef } from './ref.ts';
import { isShaToken, normalizeSha } from './sha.ts';

/** Words that name the token next to them as a repo: "payments service", "app test01", "test01 프로젝트". */
export const repoCuesEn: ReadonlySet<string> = new Set(
  phrases(`
    repo
    repository
    app
    application
    service
    svc
    project
  `),
);
export const repoCuesKo: readonly string[] = phrases(`
  프로젝트
  레포지토리
  레포
  저장소
  애플리케이션
  어플리케이션
  어플
  앱
  서비스
`);

/** `owner/repo` by GitHub's naming rules; `feature/x`-style branches are refs, not repos. */
export function parseOwnerRepo(token: string): RepoRef | null {
  const parts = token.split('/');
  if (parts.length !== 2) return null;
  const [owner, rawRepo] = parts as [string, string];
  const repo = rawRepo.endsWith('.git') ? rawRepo.slice(0, -4) : rawRepo;
  if (!OWNER_PATTERN.test(owner) || !REPO_PATTERN.test(repo)) return null;
  if (isRefShaped(token)) return null;
  return { owner, repo };
}

/** A bare repo name: GitHub's repo rule, and not a path, a version step or a lone punctuation mark. */
export function isBareRepoName(token: string): boolean {
  return REPO_PATTERN.test(token) && /[A-Za-z0-9]/.test(token) && !/^\d+$/.test(token);
}

/** Names with a digit, hyphen, underscore or dot look like repo names even without a cue ("test01"). */
export function isNameShaped(token: string): boolean {
  return isBareRepoName(token) && /[0-9._-]/.test(token);
}

export interface GithubUrlSlots {
  readonly owner: string;
  readonly repo: string;
  readonly commitSha: string | null;
  readonly ref: string | null;
}

const GITHUB_URL =
  /^(?:https?:\/\/)?(?:www\.)?github\.com\/([^/?#\s]+)\/([^/?#\s]+)(?:\/(commit|tree)\/([^?#\s]+))?/i;

/** `https://github.com/o/r`, `.../o/r.git`, `.../o/r/commit/<sha>`, `.../o/r/tree/<branch>`. */
export function parseGithubUrl(url: string): GithubUrlSlots | null {
  const m = GITHUB_URL.exec(url);
  if (!m) return null;
  const owner = m[1] ?? '';
  const repo = (m[2] ?? '').replace(/\.git$/i, '');
  if (!OWNER_PATTERN.test(owner) || !REPO_PATTERN.test(repo)) return null;
  const tail = (m[4] ?? '').replace(/\/+$/, '');
  const commitSha = m[3] === 'commit' && isShaToken(tail) ? normalizeSha(tail) : null;
  // The ref from a URL is checked like a typed one: `feat&lt;!here&gt` must never reach NCP.
  const ref = m[3] === 'tree' && isValidRef(tail) ? tail : null;
  return { owner, repo, commitSha, ref };
}
