import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlepaasError } from '../../../src/domain/errors.ts';
import { mapDeployStatus } from '../../../src/domain/ncp-status.ts';
import { NcpClient } from '../../../src/ncp/client.ts';
import { SourceCommitGit } from '../../../src/ncp/git.ts';
import { PoolSet } from '../../../src/ncp/http.ts';
import { readManifestImage } from '../../../src/ncp/manifest.ts';
import type { DemoSeed } from '../../../src/ncp/simulator/index.ts';
import { type Rig, startRig, waitFor } from './helpers.ts';

let rig: Rig;
let demo: DemoSeed;
const repo = () => ({ projectId: demo.scProjectId, repoName: demo.scRepoName, branch: demo.defaultBranch });
/** The commit the branch points at, the bot's manifest commits included. */
const tip = async (c: { resolveRef: NcpClient['resolveRef'] } = rig.client) => {
  const r = await c.resolveRef(repo(), 'main');
  return r?.headSha ?? r?.sha;
};

beforeAll(async () => {
  rig = await startRig({ phaseMs: 40 });
  demo = await rig.sim.seedDemo();
});
afterAll(() => rig.stop());

describe('SourceCommit manifest update', () => {
  it('sets the image, pushes one commit, and the next deploy run makes it what runs', async () => {
    const previous = demo.commits[1];
    if (!previous) throw new Error('seed too short');
    const imageRef = `${demo.registryHost}/${demo.imageName}:${previous.imageTag}`;
    expect(rig.sim.runningTag(demo.deployProjectId)).toBe(demo.commits[0]?.imageTag);

    const result = await rig.client.setManifestImage(
      repo(),
      demo.manifestPath,
      imageRef,
      `Rollback to ${previous.imageTag}`,
    );
    expect(result.changed).toBe(true);
    expect(result.commitSha).toMatch(/^[0-9a-f]{40}$/);
    const text = await rig.sim.readRepoFile(demo.scRepoName, demo.defaultBranch, demo.manifestPath);
    expect(readManifestImage(text ?? '')).toBe(imageRef);
    // The comments the owner wrote survive the edit.
    expect(text).toContain('# The image tag is the 7-character commit SHA');
    // The branch now ends in the bot's commit; the code on it is still the newest application commit.
    const head = await rig.client.resolveRef(repo(), 'main');
    expect(head).toEqual({
      sha: demo.commits[0]?.sha,
      message: demo.commits[0]?.message,
      headSha: result.commitSha,
    });

    const { historyId } = await rig.client.runScenario({
      projectId: demo.deployProjectId,
      stageId: demo.deployStageId,
      scenarioId: demo.deployScenarioId,
    });
    await waitFor(
      () => rig.client.getDeployRun(demo.deployProjectId, historyId),
      (r) => mapDeployStatus(r.status).phase !== 'running',
    );
    expect(rig.sim.runningImage(demo.deployProjectId)).toBe(imageRef);
  });

  it('makes no commit when the manifest already points at the image', async () => {
    const before = await tip();
    const current = readManifestImage(
      (await rig.sim.readRepoFile(demo.scRepoName, demo.defaultBranch, demo.manifestPath)) ?? '',
    );
    const result = await rig.client.setManifestImage(repo(), demo.manifestPath, current ?? '', 'noop');
    expect(result).toEqual({ commitSha: before, changed: false, previousImage: current });
    expect(await tip()).toBe(before);
  });

  it('throws MANIFEST_UPDATE_FAILED when the push is rejected, and the branch is unchanged', async () => {
    const before = await tip();
    await rig.sim.rejectPushes(demo.scRepoName, true);
    try {
      const err = await rig.client
        .setManifestImage(repo(), demo.manifestPath, `${demo.registryHost}/${demo.imageName}:fffffff`, 'x')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KlepaasError);
      expect((err as KlepaasError).code).toBe('MANIFEST_UPDATE_FAILED');
      expect((err as KlepaasError).messages.en).toMatch(/pre-receive hook declined/);
    } finally {
      await rig.sim.rejectPushes(demo.scRepoName, false);
    }
    expect(await tip()).toBe(before);
  });

  it('throws when the manifest path does not exist or the credentials are wrong', async () => {
    await expect(rig.client.setManifestImage(repo(), 'k8s/missing.yaml', 'a/b:c', 'x')).rejects.toMatchObject(
      {
        code: 'MANIFEST_UPDATE_FAILED',
      },
    );
    await expect(rig.client.setManifestImage(repo(), '../etc/passwd', 'a/b:c', 'x')).rejects.toMatchObject({
      code: 'MANIFEST_UPDATE_FAILED',
    });
    const bad = new NcpClient({ ...rig.sim.clientOptions(2_000), gitPassword: 'wrong' });
    await expect(bad.setManifestImage(repo(), demo.manifestPath, 'a/b:c', 'x')).rejects.toMatchObject({
      code: 'NCP_UNAUTHORIZED',
    });
    await bad.close();
  });
});

describe('SourceCommit URL and credentials, as NCP serves them', () => {
  it('regression: a repository URL without the project id is not served', async () => {
    const opts = rig.sim.clientOptions(2_000);
    const auth = `Basic ${Buffer.from(`${opts.gitUsername}:${opts.gitPassword}`).toString('base64')}`;
    const path = `${demo.scRepoName}.git/info/refs?service=git-upload-pack`;
    const old = await request(`${opts.sourceCommitGitUrl}/${path}`, { headers: { authorization: auth } });
    expect(old.statusCode).toBe(404);
    await old.body.dump();
    const good = await request(`${opts.sourceCommitGitUrl}/${demo.scProjectId}/${path}`, {
      headers: { authorization: auth },
    });
    expect(good.statusCode).toBe(200);
    await good.body.dump();
    const otherProject = await request(`${opts.sourceCommitGitUrl}/9999/${path}`, {
      headers: { authorization: auth },
    });
    expect(otherProject.statusCode).toBe(404);
    await otherProject.body.dump();
  });

  it('regression: the API keys are not git credentials', async () => {
    const opts = rig.sim.clientOptions(2_000);
    expect(opts.gitPassword).not.toBe(opts.secretKey);
    const keys = new NcpClient({ ...opts, gitUsername: opts.accessKey, gitPassword: opts.secretKey });
    await expect(keys.resolveRef(repo(), 'main')).rejects.toMatchObject({ code: 'NCP_UNAUTHORIZED' });
    await keys.close();
  });

  it('force-pushes a commit to the build branch, also one older than the branch tip', async () => {
    const [newest, older] = demo.commits;
    if (!newest || !older) throw new Error('seed too short');
    await rig.client.pushBuildBranch(repo(), newest.sha, 'klepaas-build');
    expect((await rig.client.resolveRef(repo(), 'klepaas-build'))?.sha).toBe(newest.sha);
    await rig.client.pushBuildBranch(repo(), older.sha, 'klepaas-build');
    expect((await rig.client.resolveRef(repo(), 'klepaas-build'))?.sha).toBe(older.sha);
    // The team's branch is never moved.
    expect((await rig.client.resolveRef(repo(), 'main'))?.sha).toBe(newest.sha);
  });
});

describe('resolveRef', () => {
  it('resolves a branch, a 7-character prefix and a full SHA to the commit and its message', async () => {
    const oldest = demo.commits[demo.commits.length - 1];
    if (!oldest) throw new Error('seed too short');
    expect(await rig.client.resolveRef(repo(), oldest.sha.slice(0, 7))).toEqual({
      sha: oldest.sha,
      message: oldest.message,
      headSha: null,
    });
    expect((await rig.client.resolveRef(repo(), oldest.sha))?.sha).toBe(oldest.sha);
    const main = await rig.client.resolveRef(repo(), 'main');
    expect(main?.sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('names the application commit below a bot manifest commit given by its SHA, as for a branch', async () => {
    const viaBranch = await rig.client.resolveRef(repo(), 'main');
    const botSha = viaBranch?.headSha;
    if (!botSha) throw new Error('main should end in a bot commit here');
    expect(await rig.client.resolveRef(repo(), botSha.slice(0, 7))).toEqual(viaBranch);
  });

  it('returns null for names and prefixes that match nothing, and for text that is not a ref', async () => {
    expect(await rig.client.resolveRef(repo(), 'no-such-branch')).toBeNull();
    expect(await rig.client.resolveRef(repo(), '0000000')).toBeNull();
    expect(await rig.client.resolveRef(repo(), 'main; rm -rf /')).toBeNull();
  });
});

interface Exchange {
  readonly path: string;
  /** The pkt-line text of an upload-pack request: its `want`, `have` and `deepen` lines. */
  readonly body: string;
}

/** A pass-through HTTP server in front of the simulator's git endpoints that records every request. */
async function recordingProxy(
  target: string,
): Promise<{ url: string; log: Exchange[]; close(): Promise<void> }> {
  const origin = new URL(target);
  const log: Exchange[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      log.push({ path: req.url ?? '', body: body.toString('latin1') });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
      request(`${origin.origin}${req.url ?? ''}`, {
        method: (req.method ?? 'GET') as 'GET' | 'POST',
        headers,
        body: body.length > 0 ? body : undefined,
      })
        .then(async (up) => {
          const data = Buffer.from(await up.body.arrayBuffer());
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(up.headers))
            if (typeof v === 'string' && !['transfer-encoding', 'connection', 'content-length'].includes(k))
              out[k] = v;
          res.writeHead(up.statusCode, { ...out, 'content-length': String(data.length) }).end(data);
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${origin.pathname}`,
    log,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('resolveRef without a full clone per question', () => {
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let cacheDir: string;
  let pools: PoolSet;
  let client: SourceCommitGit;
  const uploads = () => proxy.log.filter((e) => e.path.endsWith('/git-upload-pack'));

  beforeAll(async () => {
    const opts = rig.sim.clientOptions(5_000);
    proxy = await recordingProxy(opts.sourceCommitGitUrl);
    cacheDir = await mkdtemp(join(tmpdir(), 'klepaas-git-cache-test-'));
    pools = new PoolSet();
    client = new SourceCommitGit(pools, {
      baseUrl: proxy.url,
      username: opts.gitUsername,
      password: opts.gitPassword,
      timeoutMs: 5_000,
      author: { name: 'test', email: 'test@example.invalid' },
      cacheDir,
    });
  });
  afterAll(async () => {
    await pools.close();
    await proxy.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('resolves a branch name from the ref list and one depth-1 fetch of that commit', async () => {
    proxy.log.length = 0;
    // This client's author is not the bot's, so the tip is the answer as it is: one depth-1 fetch.
    const main = await client.resolveRef(repo(), 'main');
    expect(main?.sha).toBe(await tip());
    const posts = uploads();
    expect(posts).toHaveLength(1);
    const body = posts[0]?.body ?? '';
    // One commit asked for, cut at depth 1: no history crosses the wire.
    expect(body.match(/want [0-9a-f]{40}/g)).toHaveLength(1);
    expect(body).toContain(`want ${main?.sha}`);
    expect(body).toMatch(/deepen 1\b/);
    // No prefix cache is built for a name.
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('reuses the cached clone across prefix look-ups and finds a commit pushed after the first', async () => {
    const oldest = demo.commits[demo.commits.length - 1];
    if (!oldest) throw new Error('seed too short');
    proxy.log.length = 0;
    expect(await client.resolveRef(repo(), oldest.sha.slice(0, 7))).toEqual({
      sha: oldest.sha,
      message: oldest.message,
      headSha: null,
    });
    const first = uploads().at(-1)?.body ?? '';
    expect(first).not.toContain('have ');
    expect(first).not.toMatch(/deepen/);

    proxy.log.length = 0;
    expect((await client.resolveRef(repo(), oldest.sha.slice(0, 8)))?.sha).toBe(oldest.sha);
    // The second look-up fetches into the clone it already has: it tells the server what it holds.
    const second = uploads().at(-1)?.body ?? '';
    expect(second).toContain('have ');

    const manifest = await rig.sim.readRepoFile(demo.scRepoName, demo.defaultBranch, demo.manifestPath);
    const pushed = await rig.sim.commit(
      demo.scRepoName,
      demo.defaultBranch,
      { [demo.manifestPath]: manifest ?? '', 'README.md': 'pushed after the first look-up\n' },
      'Pushed after the first look-up',
    );
    expect(await client.resolveRef(repo(), pushed.slice(0, 7))).toEqual({
      sha: pushed,
      message: 'Pushed after the first look-up',
      headSha: null,
    });
    expect(await client.resolveRef(repo(), '0000000')).toBeNull();
  });

  it('runs concurrent prefix look-ups on one repository one after another without damaging the clone', async () => {
    const shas = demo.commits.map((c) => c.sha);
    const found = await Promise.all(shas.map((sha) => client.resolveRef(repo(), sha.slice(0, 7))));
    expect(found.map((f) => f?.sha)).toEqual(shas);
  });
});
