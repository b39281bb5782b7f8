import * as fs from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import git, { Errors, type HttpClient } from 'isomorphic-git';
import { KlepaasError } from '../domain/errors.ts';
import { REPO_PATTERN } from '../domain/repo-ref.ts';
import type { CommitInfo, SourceRepo } from '../services/ports.ts';
import { GitCache } from './git-cache.ts';
import { gitError, manifestFailure, undiciTransport } from './git-transport.ts';
import type { PoolSet } from './http.ts';
import { setManifestImageText } from './manifest.ts';

export interface GitOptions {
  /** SourceCommit's git base URL; a repository is `<base>/<scProjectId>/<repoName>.git`. */
  readonly baseUrl: string;
  /** A sub-account's SourceCommit git credentials: NCP issues no git access for the API keys. */
  readonly username: string;
  readonly password: string;
  readonly timeoutMs: number;
  readonly author: { readonly name: string; readonly email: string };
  /** Where per-repository clones for commit-prefix look-ups are kept; a private temporary folder when absent. */
  readonly cacheDir?: string | undefined;
}

// Ref names a person can type; anything else cannot name a branch or tag and is refused before git sees it.
const REF_PATTERN = /^(?!.*\.\.)(?!\/)(?!.*\/$)[A-Za-z0-9._/-]{1,200}$/;
const HEX_PATTERN = /^[0-9a-f]{4,40}$/;
const PROJECT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** How far below a branch head the bot's own manifest commits are looked through. */
const MAX_BOT_COMMITS = 50;

/**
 * SourceCommit over git HTTPS. Names are resolved from the server's ref list and a depth-1 fetch; commit
 * prefixes from a cached clone kept up to date incrementally; manifest edits in a fresh shallow clone.
 */
export class SourceCommitGit {
  readonly #opts: GitOptions;
  readonly #http: HttpClient;
  readonly #cache: GitCache;

  constructor(pools: PoolSet, opts: GitOptions) {
    this.#opts = opts;
    this.#http = undiciTransport(pools, opts.timeoutMs);
    this.#cache = new GitCache({ root: opts.cacheDir, http: this.#http, onAuth: this.#auth });
  }

  /** Drops the clones kept for prefix look-ups (a private folder is removed). */
  close(): Promise<void> {
    return this.#cache.dispose();
  }

  /** `https://devtools.ncloud.com/{scProjectId}/{repo}.git`, the form SourceCommit serves (its `git.https`). */
  #url(repo: SourceRepo): string {
    if (!REPO_PATTERN.test(repo.repoName) || !PROJECT_ID_PATTERN.test(repo.projectId))
      throw manifestFailure(
        `Invalid SourceCommit project or repository (${repo.projectId}/${repo.repoName})`,
        `잘못된 SourceCommit 프로젝트 또는 저장소입니다 (${repo.projectId}/${repo.repoName})`,
      );
    return `${this.#opts.baseUrl.replace(/\/+$/, '')}/${repo.projectId}/${repo.repoName}.git`;
  }

  #auth = () => ({ username: this.#opts.username, password: this.#opts.password });
  #isBot = (email: string) => email === this.#opts.author.email;

  async #withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'klepaas-git-'));
    try {
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Points the manifest at `imageRef` and pushes one commit to the branch. Throws when anything fails,
   * push rejection included, so a rollback is never recorded without the change it stands for.
   *
   * This runs in its own fresh depth-1 clone, not the prefix cache: the commit must sit on the branch tip
   * as the server has it now, and the cache is shared, checkout-free and only as fresh as its last fetch.
   * Committing there would need a worktree, a lock held across the push, and a rule for a cache that a
   * failed push left ahead of the server; a shallow clone of one branch costs little and cannot be stale.
   */
  async setManifestImage(
    repo: SourceRepo,
    manifestPath: string,
    imageRef: string,
    message: string,
  ): Promise<{ commitSha: string; changed: boolean; previousImage: string | null }> {
    const clean = normalize(manifestPath);
    if (clean.startsWith('..') || clean.startsWith(sep) || !REF_PATTERN.test(repo.branch)) {
      throw manifestFailure(
        `Invalid manifest path or branch (${manifestPath}, ${repo.branch})`,
        `잘못된 매니페스트 경로 또는 브랜치입니다 (${manifestPath}, ${repo.branch})`,
      );
    }
    const url = this.#url(repo);
    const call = `git push ${repo.repoName}`;
    return this.#withTempDir(async (dir) => {
      try {
        await git.clone({
          fs,
          http: this.#http,
          dir,
          url,
          ref: repo.branch,
          singleBranch: true,
          depth: 1,
          noTags: true,
          onAuth: this.#auth,
        });
        const head = await git.resolveRef({ fs, dir, ref: 'HEAD' });
        let text: string;
        try {
          text = await readFile(join(dir, clean), 'utf8');
        } catch (err) {
          throw manifestFailure(
            `Manifest ${manifestPath} not found in ${repo.repoName}@${repo.branch}`,
            `${repo.repoName}@${repo.branch}에 매니페스트 ${manifestPath}가 없습니다`,
            err,
          );
        }
        let edit: ReturnType<typeof setManifestImageText>;
        try {
          edit = setManifestImageText(text, imageRef);
        } catch (err) {
          throw manifestFailure(
            `Cannot set the image in ${manifestPath}: ${(err as Error).message}`,
            `${manifestPath}의 이미지를 바꿀 수 없습니다: ${(err as Error).message}`,
            err,
          );
        }
        if (!edit.changed) return { commitSha: head, changed: false, previousImage: edit.previous };
        await writeFile(join(dir, clean), edit.text);
        await git.add({ fs, dir, filepath: clean.split(sep).join('/') });
        const commitSha = await git.commit({ fs, dir, message, author: { ...this.#opts.author } });
        const result = await git.push({
          fs,
          http: this.#http,
          dir,
          url,
          ref: repo.branch,
          onAuth: this.#auth,
        });
        const refResult = result.refs[`refs/heads/${repo.branch}`];
        if (!result.ok || (refResult && !refResult.ok)) {
          const reason = refResult?.error ?? result.error ?? 'rejected';
          throw manifestFailure(
            `Push to ${repo.repoName}@${repo.branch} was rejected: ${reason}`,
            `${repo.repoName}@${repo.branch}로의 push가 거부되었습니다: ${reason}`,
            undefined,
            { reason },
          );
        }
        return { commitSha, changed: true, previousImage: edit.previous };
      } catch (err) {
        if (err instanceof KlepaasError) throw err;
        const mapped = gitError(err, call);
        if (mapped && mapped.code !== 'NCP_ERROR') throw mapped;
        throw manifestFailure(
          `Updating ${manifestPath} in ${repo.repoName}@${repo.branch} failed: ${(err as Error).message}`,
          `${repo.repoName}@${repo.branch}의 ${manifestPath} 수정에 실패했습니다: ${(err as Error).message}`,
          err,
        );
      }
    });
  }

  /**
   * Branch, tag, `HEAD` or a commit prefix (4+ hex digits) -> the application commit it holds; null when
   * nothing matches. A branch the bot deployed carries the bot's manifest commits on top: they are not the
   * code, so the first commit below them by another author is what the ref names (`headSha` keeps the tip).
   */
  async resolveRef(repo: SourceRepo, ref: string): Promise<CommitInfo | null> {
    if (!REF_PATTERN.test(ref)) return null;
    const url = this.#url(repo);
    try {
      const byName = await this.#resolveName(url, ref, repo.branch);
      if (byName === null) return null;
      if (byName !== undefined) {
        if (!byName.bot) return { sha: byName.sha, message: byName.message, headSha: null };
        return await this.#cache.withRepo(url, (dir) => this.#applicationCommit(dir, byName.sha));
      }
      if (!HEX_PATTERN.test(ref)) return null;
      // Only a prefix needs history: it can name any commit on any branch.
      return await this.#cache.withRepo(url, async (dir) => {
        const oid = await this.#expandPrefix(dir, ref);
        // A bot manifest commit named by its SHA carries the application commit below it, as a branch does.
        return oid ? this.#applicationCommit(dir, oid) : null;
      });
    } catch (err) {
      if (err instanceof Errors.NotFoundError || err instanceof Errors.ObjectTypeError) return null;
      throw gitError(err, `git fetch ${repo.repoName}`) ?? err;
    }
  }

  /** Ancestry in the history cache; a commit the repository does not hold contains nothing. */
  async commitContains(repo: SourceRepo, commitSha: string, ancestorSha: string): Promise<boolean> {
    if (!/^[0-9a-f]{40}$/.test(commitSha) || !/^[0-9a-f]{40}$/.test(ancestorSha)) return false;
    if (commitSha === ancestorSha) return true;
    const url = this.#url(repo);
    try {
      return await this.#cache.withRepo(url, (dir) =>
        git.isDescendent({ fs, dir, oid: commitSha, ancestor: ancestorSha, depth: -1 }),
      );
    } catch (err) {
      if (err instanceof Errors.NotFoundError || err instanceof Errors.ObjectTypeError) return false;
      throw gitError(err, `git fetch ${repo.repoName}`) ?? err;
    }
  }

  /**
   * Makes `branch` point at `commitSha` on the server (a force push), so SourceBuild, which builds the
   * head of its configured branch, builds exactly that commit. Runs in the history cache: the commit may
   * be any ancestor, and a push of a commit the server has sends no objects.
   */
  async pushBuildBranch(repo: SourceRepo, commitSha: string, branch: string): Promise<void> {
    if (!REF_PATTERN.test(branch) || !/^[0-9a-f]{40}$/.test(commitSha)) {
      throw manifestFailure(
        `Invalid build branch or commit (${branch}, ${commitSha})`,
        `잘못된 빌드 브랜치 또는 커밋입니다 (${branch}, ${commitSha})`,
      );
    }
    const url = this.#url(repo);
    const call = `git push ${repo.repoName} ${branch}`;
    try {
      await this.#cache.withRepo(url, async (dir) => {
        const ref = `refs/heads/${branch}`;
        await git.writeRef({ fs, dir, ref, value: commitSha, force: true });
        const result = await git.push({
          fs,
          http: this.#http,
          dir,
          url,
          ref,
          remoteRef: ref,
          force: true,
          onAuth: this.#auth,
        });
        const refResult = result.refs[ref];
        if (!result.ok || (refResult && !refResult.ok)) {
          const reason = refResult?.error ?? result.error ?? 'rejected';
          throw new KlepaasError({
            code: 'NCP_ERROR',
            status: 502,
            message: {
              en: `Push of ${commitSha.slice(0, 7)} to ${repo.repoName}@${branch} was rejected: ${reason}`,
              ko: `${commitSha.slice(0, 7)}을(를) ${repo.repoName}@${branch}에 push하지 못했습니다: ${reason}`,
            },
            hint: {
              en: `Nothing was built. Let the git user push (force) to ${branch}; no one else should write that branch.`,
              ko: `빌드는 시작되지 않았습니다. git 사용자가 ${branch}에 강제 push할 수 있게 하세요. 이 브랜치는 봇만 써야 합니다.`,
            },
            details: { reason, branch },
          });
        }
      });
    } catch (err) {
      if (err instanceof KlepaasError) throw err;
      throw gitError(err, call) ?? err;
    }
  }

  async #applicationCommit(dir: string, head: string): Promise<CommitInfo> {
    let oid = head;
    for (let i = 0; i < MAX_BOT_COMMITS; i++) {
      const { commit } = await git.readCommit({ fs, dir, oid });
      const parent = commit.parent[0];
      if (!this.#isBot(commit.author.email) || !parent) {
        return { sha: oid, message: commit.message.trim(), headSha: oid === head ? null : head };
      }
      oid = parent;
    }
    const info = await this.#commitInfo(dir, oid);
    return { ...info, headSha: head };
  }

  /**
   * A branch, tag or `HEAD`: that one commit fetched at depth 1 for its message, no history. `undefined`
   * when the server has no ref of that name. Text that could be a prefix is first checked against the
   * server's ref list (one request, no objects), so a prefix does not pay for two failed fetches.
   */
  async #resolveName(
    url: string,
    ref: string,
    defaultBranch: string,
  ): Promise<(CommitInfo & { bot: boolean }) | null | undefined> {
    let names =
      ref === 'HEAD' ? [`refs/heads/${defaultBranch}`, 'HEAD'] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
    if (HEX_PATTERN.test(ref)) {
      const info = await git.getRemoteInfo2({
        http: this.#http,
        url,
        onAuth: this.#auth,
        protocolVersion: 1,
      });
      const listed = new Set((info.refs ?? []).map((r) => r.ref));
      names = names.filter((n) => listed.has(n));
    }
    for (const name of names) {
      const found = await this.#withTempDir(async (dir) => {
        await git.init({ fs, dir });
        await git.addRemote({ fs, dir, remote: 'origin', url });
        let fetchHead: string | null;
        try {
          ({ fetchHead } = await git.fetch({
            fs,
            http: this.#http,
            dir,
            url,
            ref: name,
            singleBranch: true,
            depth: 1,
            tags: false,
            onAuth: this.#auth,
          }));
        } catch (err) {
          if (err instanceof Errors.NotFoundError) return undefined;
          throw err;
        }
        if (!fetchHead) return null;
        const oid = await peel(dir, fetchHead);
        const { commit } = await git.readCommit({ fs, dir, oid });
        return { sha: oid, message: commit.message.trim(), bot: this.#isBot(commit.author.email) };
      });
      if (found !== undefined) return found;
    }
    return undefined;
  }

  async #commitInfo(dir: string, oid: string): Promise<CommitInfo> {
    const { commit } = await git.readCommit({ fs, dir, oid });
    return { sha: oid, message: commit.message.trim() };
  }

  async #expandPrefix(dir: string, ref: string): Promise<string | null> {
    try {
      return await git.expandOid({ fs, dir, oid: ref });
    } catch (err) {
      if (err instanceof Errors.AmbiguousError) {
        const commits: string[] = [];
        for (const oid of err.data.matches) {
          const type = await git.readObject({ fs, dir, oid, format: 'parsed' }).then((o) => o.type);
          if (type === 'commit') commits.push(oid);
        }
        if (commits.length === 1) return commits[0] ?? null;
        throw new KlepaasError({
          code: 'AMBIGUOUS_COMMIT',
          status: 400,
          message: {
            en: `Commit prefix ${ref} matches several commits: ${commits.map((c) => c.slice(0, 12)).join(', ')}`,
            ko: `커밋 접두사 ${ref}에 해당하는 커밋이 여러 개입니다: ${commits.map((c) => c.slice(0, 12)).join(', ')}`,
          },
          hint: { en: 'Type more characters of the SHA.', ko: 'SHA를 더 길게 입력하세요.' },
          details: { matches: commits },
        });
      }
      if (err instanceof Errors.NotFoundError) return null;
      throw err;
    }
  }
}

/** An annotated tag points at a tag object; the commit is behind it. */
async function peel(dir: string, oid: string): Promise<string> {
  return git.readTag({ fs, dir, oid }).then(
    (t) => t.tag.object,
    () => oid,
  );
}
