import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlepaasError } from '../../../src/domain/errors.ts';
import { NcpClient } from '../../../src/ncp/client.ts';
import { readManifestImage } from '../../../src/ncp/manifest.ts';
import type { DemoSeed } from '../../../src/ncp/simulator/index.ts';
import { mapDeployStatus } from '../../../src/ncp/status.ts';
import { type Rig, startRig, waitFor } from './helpers.ts';

let rig: Rig;
let demo: DemoSeed;
const repo = () => ({ repoName: demo.scRepoName, branch: demo.defaultBranch });

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
    const head = await rig.client.resolveRef(repo(), 'main');
    expect(head).toEqual({ sha: result.commitSha, message: `Rollback to ${previous.imageTag}` });

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
    const before = await rig.client.resolveRef(repo(), 'main');
    const current = readManifestImage(
      (await rig.sim.readRepoFile(demo.scRepoName, demo.defaultBranch, demo.manifestPath)) ?? '',
    );
    const result = await rig.client.setManifestImage(repo(), demo.manifestPath, current ?? '', 'noop');
    expect(result).toEqual({ commitSha: before?.sha, changed: false });
    expect((await rig.client.resolveRef(repo(), 'main'))?.sha).toBe(before?.sha);
  });

  it('throws MANIFEST_UPDATE_FAILED when the push is rejected, and the branch is unchanged', async () => {
    const before = await rig.client.resolveRef(repo(), 'main');
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
    expect((await rig.client.resolveRef(repo(), 'main'))?.sha).toBe(before?.sha);
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

describe('resolveRef', () => {
  it('resolves a branch, a 7-character prefix and a full SHA to the commit and its message', async () => {
    const oldest = demo.commits[demo.commits.length - 1];
    if (!oldest) throw new Error('seed too short');
    expect(await rig.client.resolveRef(repo(), oldest.sha.slice(0, 7))).toEqual({
      sha: oldest.sha,
      message: oldest.message,
    });
    expect((await rig.client.resolveRef(repo(), oldest.sha))?.sha).toBe(oldest.sha);
    const main = await rig.client.resolveRef(repo(), 'main');
    expect(main?.sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('returns null for names and prefixes that match nothing, and for text that is not a ref', async () => {
    expect(await rig.client.resolveRef(repo(), 'no-such-branch')).toBeNull();
    expect(await rig.client.resolveRef(repo(), '0000000')).toBeNull();
    expect(await rig.client.resolveRef(repo(), 'main; rm -rf /')).toBeNull();
  });
});
