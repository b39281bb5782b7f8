import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import git, { type TreeEntry } from 'isomorphic-git';
import { REPO_PATTERN } from '../../domain/repo-ref.ts';

export interface CommitAuthor {
  readonly name: string;
  readonly email: string;
  /** Seconds since the epoch. */
  readonly timestamp: number;
}

// Only the three smart-HTTP endpoints of a known repository reach git; nothing else is passed on.
const GIT_PATH = /^\/([A-Za-z0-9._-]{1,100})\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/;
const SERVICES = new Set(['git-upload-pack', 'git-receive-pack']);

const PROJECT_FILE = 'klepaas-sc-project';
const PROJECT_PATH = /^\/([A-Za-z0-9_-]{1,64})(\/[A-Za-z0-9._-]{1,100}\.git\/.*)$/;

/** Bare repositories in a folder, served by `git http-backend` and written to directly for seeding. */
export class GitRepos {
  readonly root: string;
  /** Repository name -> the SourceCommit project it belongs to. */
  readonly #projects = new Map<string, string>();

  constructor(root: string) {
    this.root = root;
  }

  gitdir(name: string): string {
    if (!REPO_PATTERN.test(name)) throw new Error(`invalid repository name ${name}`);
    return join(this.root, `${name}.git`);
  }

  async create(name: string, defaultBranch = 'main', projectId = '1011'): Promise<void> {
    const gitdir = this.gitdir(name);
    this.#projects.set(name, projectId);
    await git.init({ fs, gitdir, bare: true, defaultBranch });
    await git.setConfig({ fs, gitdir, path: 'http.receivepack', value: true });
    await mkdir(join(gitdir, 'hooks'), { recursive: true });
    // Kept with the repository, so a simulator restarted on a persisted folder still knows its project.
    await writeFile(join(gitdir, PROJECT_FILE), `${projectId}\n`);
  }

  /** The SourceCommit project a repository belongs to, or null when it has none on record. */
  projectOf(name: string): string | null {
    const known = this.#projects.get(name);
    if (known) return known;
    try {
      const id = fs.readFileSync(join(this.gitdir(name), PROJECT_FILE), 'utf8').trim();
      this.#projects.set(name, id);
      return id;
    } catch {
      return null;
    }
  }

  exists(name: string): boolean {
    return REPO_PATTERN.test(name) && fs.existsSync(this.gitdir(name));
  }

  /** Writes a commit holding exactly `files` on `branch`, on top of the branch's head. */
  async commit(
    name: string,
    branch: string,
    files: Readonly<Record<string, string>>,
    message: string,
    author: CommitAuthor,
  ): Promise<string> {
    const gitdir = this.gitdir(name);
    const parent = await git.resolveRef({ fs, gitdir, ref: `refs/heads/${branch}` }).catch(() => null);
    const tree = await this.#writeTree(gitdir, files);
    const person = { ...author, timezoneOffset: -540 };
    const oid = await git.writeCommit({
      fs,
      gitdir,
      commit: {
        message: `${message}\n`,
        tree,
        parent: parent ? [parent] : [],
        author: person,
        committer: person,
      },
    });
    await git.writeRef({ fs, gitdir, ref: `refs/heads/${branch}`, value: oid, force: true });
    return oid;
  }

  async #writeTree(gitdir: string, files: Readonly<Record<string, string>>): Promise<string> {
    const blobs: TreeEntry[] = [];
    const dirs = new Map<string, Record<string, string>>();
    for (const [path, content] of Object.entries(files)) {
      const slash = path.indexOf('/');
      if (slash < 0) {
        const oid = await git.writeBlob({ fs, gitdir, blob: Buffer.from(content) });
        blobs.push({ mode: '100644', path, oid, type: 'blob' });
      } else {
        const dir = path.slice(0, slash);
        const sub = dirs.get(dir) ?? {};
        sub[path.slice(slash + 1)] = content;
        dirs.set(dir, sub);
      }
    }
    for (const [dir, sub] of dirs) {
      blobs.push({ mode: '040000', path: dir, oid: await this.#writeTree(gitdir, sub), type: 'tree' });
    }
    return git.writeTree({ fs, gitdir, tree: blobs });
  }

  async head(name: string, branch: string): Promise<string | null> {
    return git.resolveRef({ fs, gitdir: this.gitdir(name), ref: `refs/heads/${branch}` }).catch(() => null);
  }

  async readFile(name: string, oid: string, filepath: string): Promise<string | null> {
    return git
      .readBlob({ fs, gitdir: this.gitdir(name), oid, filepath })
      .then((r) => Buffer.from(r.blob).toString('utf8'))
      .catch(() => null);
  }

  /** Makes the server refuse pushes with a real pre-receive hook, as a protected branch would. */
  async setRejectPushes(name: string, reject: boolean): Promise<void> {
    const hook = join(this.gitdir(name), 'hooks', 'pre-receive');
    if (!reject) {
      await rm(hook, { force: true });
      return;
    }
    await writeFile(hook, '#!/bin/sh\necho "push rejected: branch is protected" >&2\nexit 1\n');
    await chmod(hook, 0o755);
  }

  /**
   * `/{projectId}/{repo}.git/...` -> the `/{repo}.git/...` git http-backend serves, when the repository
   * exists in that project; null for any other path (a URL without the project id included).
   */
  backendPath(path: string): string | null {
    const p = PROJECT_PATH.exec(path);
    const rest = p?.[2];
    if (!p || !rest) return null;
    const m = GIT_PATH.exec(rest);
    const name = m?.[1];
    if (!name || !this.exists(name) || this.projectOf(name) !== p[1]) return null;
    return rest;
  }

  /** Runs `git http-backend` as a CGI: fixed arguments, request data only in its environment and stdin. */
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    pathInfo: string,
    query: string,
    remoteUser: string,
  ): void {
    const service = new URLSearchParams(query).get('service');
    if (service !== null && !SERVICES.has(service)) {
      res.writeHead(403).end();
      return;
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: this.root,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: this.root,
      PATH_INFO: pathInfo,
      QUERY_STRING: service ? `service=${service}` : '',
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: remoteUser,
      REMOTE_ADDR: '127.0.0.1',
    };
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    const protocol = req.headers['git-protocol'];
    if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    req.pipe(child.stdin);
    child.stdin.on('error', () => {});
    let head = Buffer.alloc(0);
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (sent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      const sep = end >= 0 ? end : head.indexOf('\n\n');
      if (sep < 0) return;
      const headerText = head.subarray(0, sep).toString('latin1');
      const rest = head.subarray(sep + (end >= 0 ? 4 : 2));
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of headerText.split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const key = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
        else headers[key] = value;
      }
      sent = true;
      res.writeHead(status, headers);
      if (rest.length > 0) res.write(rest);
    });
    child.on('close', () => {
      if (!sent) res.writeHead(500).end();
      else res.end();
    });
    child.on('error', () => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  }
}
