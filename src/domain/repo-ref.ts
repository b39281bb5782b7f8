/** GitHub's naming rules: owners are letters, digits and single hyphens; repos may also use `.` and `_`. */
export const OWNER_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
export const REPO_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

export function formatRepo(ref: RepoRef): string {
  return `${ref.owner}/${ref.repo}`;
}

export function parseRepoRef(text: string): RepoRef | null {
  const [owner, repo, ...rest] = text.trim().split('/');
  if (rest.length > 0 || !owner || !repo) return null;
  if (!OWNER_PATTERN.test(owner) || !REPO_PATTERN.test(repo)) return null;
  return { owner, repo };
}

/** Full SHAs are 40 hex digits; people type 7 or more. */
export const SHA_PATTERN = /^[0-9a-f]{7,40}$/;
export const shortSha = (sha: string): string => sha.slice(0, 7);
