import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git, { type AuthCallback, Errors, type HttpClient } from 'isomorphic-git';

export interface GitCacheOptions {
  /**
   * Folder holding one clone per repository URL. When absent, each cache makes its own temporary folder
   * and removes it in `dispose()`: no two processes (the bot, a CLI run) or two simulators that happen
   * to reuse a port ever share clones.
   */
  readonly root?: string | undefined;
  readonly http: HttpClient;
  readonly onAuth: AuthCallback;
}

/**
 * One checkout-free clone per repository, kept between calls and brought up to date with an incremental
 * fetch, so naming a commit by its prefix costs the new objects instead of the whole history each time.
 * Calls on one repository run one after another: isomorphic-git writes refs and packs without locks, and
 * two fetches into one folder at once could leave it inconsistent. The guard is per process; processes
 * sharing a cache folder (the bot and a CLI run) should be given different folders.
 */
export class GitCache {
  readonly #root: string;
  readonly #owned: boolean;
  readonly #http: HttpClient;
  readonly #onAuth: AuthCallback;
  readonly #chains = new Map<string, Promise<unknown>>();

  constructor(opts: GitCacheOptions) {
    this.#owned = opts.root === undefined;
    this.#root =
      opts.root ?? join(tmpdir(), `klepaas-git-cache-${process.pid}-${randomBytes(4).toString('hex')}`);
    this.#http = opts.http;
    this.#onAuth = opts.onAuth;
  }

  /** Removes the folder when this cache made it; waits for running calls first. */
  async dispose(): Promise<void> {
    await Promise.allSettled([...this.#chains.values()]);
    if (this.#owned) await rm(this.#root, { recursive: true, force: true });
  }

  /** The folder a URL is cached in: a hash, so nothing of the URL (or a credential in it) lands in a path. */
  dirFor(url: string): string {
    return join(this.#root, createHash('sha256').update(url).digest('hex').slice(0, 32));
  }

  /** Runs `fn` on an up-to-date clone of `url`, after every earlier call on the same URL has finished. */
  async withRepo<T>(url: string, fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = this.dirFor(url);
    const previous = this.#chains.get(dir) ?? Promise.resolve();
    const run = previous.then(
      () => this.#update(url, dir).then(() => fn(dir)),
      () => this.#update(url, dir).then(() => fn(dir)),
    );
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#chains.set(dir, settled);
    try {
      return await run;
    } finally {
      // The last caller in the chain removes it, so the map does not grow with every repository ever seen.
      if (this.#chains.get(dir) === settled) this.#chains.delete(dir);
    }
  }

  async #update(url: string, dir: string): Promise<void> {
    if (fs.existsSync(join(dir, '.git', 'HEAD'))) {
      try {
        // `prune` drops branches deleted on the server, so a prefix no longer resolves through them.
        await git.fetch({ fs, http: this.#http, dir, url, tags: true, prune: true, onAuth: this.#onAuth });
        return;
      } catch (err) {
        // A transport failure leaves the clone as it was; anything else may mean a damaged clone, which is
        // dropped so the next call starts over rather than failing the same way forever.
        if (isTransportError(err)) throw err;
        await rm(dir, { recursive: true, force: true });
      }
    }
    await mkdir(this.#root, { recursive: true });
    // Cloned beside the final folder and renamed into place, so an interrupted clone is never mistaken for a cache.
    const staging = await mkdtemp(join(this.#root, 'staging-'));
    try {
      await git.clone({ fs, http: this.#http, dir: staging, url, noCheckout: true, onAuth: this.#onAuth });
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
  }
}

function isTransportError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    err instanceof Errors.HttpError ||
    err.name === 'TimeoutError' ||
    err.name === 'AbortError' ||
    err.name === 'SmartHttpError' ||
    ('code' in err && typeof err.code === 'string' && /^(ECONN|ETIMEDOUT|ENOTFOUND|UND_ERR)/.test(err.code))
  );
}
