import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlepaasError } from '../../../src/domain/errors.ts';
import { mapBuildStatus, mapDeployStatus } from '../../../src/domain/ncp-status.ts';
import { NcpClient } from '../../../src/ncp/client.ts';
import type { DemoSeed } from '../../../src/ncp/simulator/index.ts';
import { type Rig, startRig, waitFor } from './helpers.ts';

let rig: Rig;
let demo: DemoSeed;

beforeAll(async () => {
  rig = await startRig({ phaseMs: 60 });
  demo = await rig.sim.seedDemo();
});
afterAll(() => rig.stop());

const rejection = async (p: Promise<unknown>): Promise<KlepaasError> => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KlepaasError);
  return err as KlepaasError;
};

describe('signature', () => {
  it('accepts the client signature (query included) and refuses a wrong secret with NCP 401', async () => {
    await expect(rig.client.getBuild(demo.buildProjectId, 'none')).resolves.toBeNull();
    const bad = new NcpClient({ ...rig.sim.clientOptions(2_000), secretKey: 'wrong', sleep: async () => {} });
    const err = await rejection(bad.getBuild(demo.buildProjectId, 'none'));
    expect(err.code).toBe('NCP_UNAUTHORIZED');
    expect(err.details).toMatchObject({ ncpStatus: 401, ncpCode: '200' });
    await bad.close();
  });

  it('answers 401 with the NCP error body when headers are missing or the timestamp is stale', async () => {
    const url = `${rig.sim.sourceBuildUrl}/api/v1/project/${demo.buildProjectId}/history`;
    const missing = await request(url);
    expect(missing.statusCode).toBe(401);
    expect(await missing.body.json()).toMatchObject({
      error: { errorCode: '200', message: 'Authentication Failed' },
    });

    const stale = new NcpClient({ ...rig.sim.clientOptions(2_000), now: () => Date.now() - 10 * 60_000 });
    expect((await rejection(stale.getBuild(demo.buildProjectId, 'x'))).code).toBe('NCP_UNAUTHORIZED');
    await stale.close();
  });

  it('signs the query string: a request whose query was left out of the signature is refused', async () => {
    const { signedHeaders } = await import('../../../src/ncp/sign.ts');
    const path = `/sourcebuild/api/v1/project/${demo.buildProjectId}/history`;
    const headers = signedHeaders({
      method: 'GET',
      pathWithQuery: path,
      timestampMs: Date.now(),
      accessKey: rig.sim.accessKey,
      secretKey: rig.sim.secretKey,
    });
    const withQuery = await request(`${rig.sim.baseUrl}${path}?pageNo=1`, { headers });
    expect(withQuery.statusCode).toBe(401);
    await withQuery.body.dump();
    const plain = await request(`${rig.sim.baseUrl}${path}`, { headers });
    expect(plain.statusCode).toBe(200);
    await plain.body.dump();
  });
});

describe('build lifecycle', () => {
  it('GetProject shows the branch and cmd.dockerbuild; ChangeProject sets them', async () => {
    const before = await rig.client.getBuildProject(demo.buildProjectId);
    expect(before).toMatchObject({ sourceType: 'SourceCommit', repository: demo.scRepoName, branch: 'main' });
    expect(before.dockerbuild).toMatchObject({ image: demo.imageName, tag: 'latest' });
    await rig.client.changeBuildProject(demo.buildProjectId, {
      dockerbuild: { ...before.dockerbuild, tag: 'abc1234' },
    });
    const after = await rig.client.getBuildProject(demo.buildProjectId);
    expect(after.dockerbuild?.tag).toBe('abc1234');
    expect(after.branch).toBe('main');
    const patch = rig.sim.calls.filter((c) => c.method === 'PATCH').at(-1);
    // Only the block asked for is sent: no source block when the branch is not changed.
    expect(patch?.body).toEqual({ cmd: { dockerbuild: { ...before.dockerbuild, tag: 'abc1234' } } });
  });

  it('moves null -> prepare -> upload -> success, building the branch head under the configured tag', async () => {
    const sha = demo.missingImageSha;
    await rig.sim.commit(demo.scRepoName, 'klepaas-build', { 'x.txt': 'x' }, 'seed build branch');
    // What the pipeline does: the commit on the build branch, the branch and tag on the project.
    await rig.client.pushBuildBranch(
      { projectId: demo.scProjectId, repoName: demo.scRepoName, branch: 'main' },
      sha,
      'klepaas-build',
    );
    const project = await rig.client.getBuildProject(demo.buildProjectId);
    await rig.client.changeBuildProject(demo.buildProjectId, {
      source: { type: 'SourceCommit', repository: demo.scRepoName, branch: 'klepaas-build' },
      dockerbuild: { ...project.dockerbuild, tag: sha.slice(0, 7) },
    });
    const { buildId } = await rig.client.startBuild(demo.buildProjectId);
    const start = rig.sim.calls.filter((c) => c.method === 'POST').at(-1);
    expect(start?.body).toBeUndefined();
    const seen = new Set<string | null>();
    const run = await waitFor(
      () => rig.client.getBuild(demo.buildProjectId, buildId),
      (r) => {
        if (r) seen.add(r.status);
        return r !== null && mapBuildStatus(r.status).phase !== 'running';
      },
    );
    expect(run).toMatchObject({ buildId, status: 'success', failedPhase: null });
    expect(run?.endedAt).toBeInstanceOf(Date);
    expect(seen.has('prepare') || seen.has('upload')).toBe(true);
    expect(await rig.client.imageExists(demo.registryHost, demo.imageName, sha.slice(0, 7))).toEqual({
      exists: true,
      httpStatus: 200,
    });
    expect(rig.sim.imageBuiltFrom(demo.imageName, sha.slice(0, 7))).toBe(sha);
  });

  it('regression: a source block in the StartBuild body is ignored, as real SourceBuild does', async () => {
    // The old client asked for a commit with `source.config.commitId`; NCP builds the branch head anyway.
    const head = await rig.sim.readRepoFile(demo.scRepoName, 'klepaas-build', 'x.txt');
    expect(head).toBeNull();
    const { signedHeaders } = await import('../../../src/ncp/sign.ts');
    const path = `/sourcebuild/api/v1/project/${demo.buildProjectId}/build`;
    const res = await request(`${rig.sim.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signedHeaders({
          method: 'POST',
          pathWithQuery: path,
          timestampMs: Date.now(),
          accessKey: rig.sim.accessKey,
          secretKey: rig.sim.secretKey,
        }),
      },
      body: JSON.stringify({ source: { config: { commitId: demo.commits[3]?.sha, branch: 'main' } } }),
    });
    const { result } = (await res.body.json()) as { result: { buildId: string } };
    await waitFor(
      () => rig.client.getBuild(demo.buildProjectId, result.buildId),
      (r) => r !== null && mapBuildStatus(r.status).phase !== 'running',
    );
    const tag = (await rig.client.getBuildProject(demo.buildProjectId)).dockerbuild?.tag ?? '';
    expect(rig.sim.imageBuiltFrom(demo.imageName, tag)).toBe(demo.missingImageSha);
    expect(rig.sim.imageBuiltFrom(demo.imageName, demo.commits[3]?.imageTag ?? '')).toBeNull();
  });

  it('ends in fail with failedPhase when the simulator fails it', async () => {
    rig.sim.failNextBuild();
    const { buildId } = await rig.client.startBuild(demo.buildProjectId);
    const run = await waitFor(
      () => rig.client.getBuild(demo.buildProjectId, buildId),
      (r) => r !== null && mapBuildStatus(r.status).phase !== 'running',
    );
    expect(run).toMatchObject({ status: 'fail', failedPhase: 'build' });
    expect(mapBuildStatus(run?.status ?? '').phase).toBe('failed');
  });

  it('cancels a build with DELETE /project/{id}/build and its buildId', async () => {
    const { buildId } = await rig.client.startBuild(demo.buildProjectId);
    await rig.client.cancel({ kind: 'build', projectId: demo.buildProjectId, buildId });
    expect(rig.sim.calls.at(-1)).toMatchObject({
      method: 'DELETE',
      path: `/sourcebuild/api/v1/project/${demo.buildProjectId}/build`,
      status: 200,
      body: { buildId },
    });
    expect((await rig.client.getBuild(demo.buildProjectId, buildId))?.status).toBe('canceled');
  });

  it('refuses an unknown project with the documented 404/300', async () => {
    const err = await rejection(rig.client.startBuild('999'));
    expect(err.code).toBe('NCP_ERROR');
    expect(err.details).toMatchObject({ ncpStatus: 404, ncpCode: '300' });
  });
});

describe('deploy lifecycle', () => {
  const target = () => ({
    projectId: demo.deployProjectId,
    stageId: demo.deployStageId,
    scenarioId: demo.deployScenarioId,
  });

  it('moves inprogress -> success with no approval configured, and the detail has no message', async () => {
    const { historyId } = await rig.client.runScenario(target());
    const first = await rig.client.getDeployRun(demo.deployProjectId, historyId);
    expect(first.status).toBe('inprogress');
    expect(first.message).toBeNull();
    const run = await waitFor(
      () => rig.client.getDeployRun(demo.deployProjectId, historyId),
      (r) => mapDeployStatus(r.status).phase !== 'running',
    );
    expect(run).toMatchObject({ historyId, status: 'success' });
    expect(run.startedAt).toBeInstanceOf(Date);
  });

  it('ends in fail when forced, and reports a forced unknown status as is', async () => {
    rig.sim.failNextDeploy();
    const { historyId } = await rig.client.runScenario(target());
    const run = await waitFor(
      () => rig.client.getDeployRun(demo.deployProjectId, historyId),
      (r) => mapDeployStatus(r.status).phase !== 'running',
    );
    expect(run.status).toBe('fail');

    const second = await rig.client.runScenario(target());
    rig.sim.forceStatus('deploy', second.historyId, 'canary_promoting');
    const odd = await rig.client.getDeployRun(demo.deployProjectId, second.historyId);
    expect(mapDeployStatus(odd.status)).toEqual({ phase: 'running', known: false });
    rig.sim.cancel('deploy', second.historyId);
    rig.sim.forceStatus('deploy', second.historyId, 'canceled');
    expect((await rig.client.getDeployRun(demo.deployProjectId, second.historyId)).status).toBe('canceled');
  });

  it('refuses a scenario that does not exist with the documented 404/300', async () => {
    const err = await rejection(rig.client.runScenario({ ...target(), scenarioId: '1' }));
    expect(err.details).toMatchObject({ ncpStatus: 404, ncpCode: '300' });
  });

  it('waits in pending for an approver on a stage that asks for one; accept deploys, reject ends it', async () => {
    rig.sim.addScenario({
      projectId: demo.deployProjectId,
      stageId: '4099',
      scenarioId: '5099',
      name: 'approved',
      repoName: demo.scRepoName,
      branch: demo.defaultBranch,
      manifestPath: demo.manifestPath,
      approval: true,
    });
    const approved = { ...target(), stageId: '4099', scenarioId: '5099' };
    const a = await rig.client.runScenario(approved);
    const b = await rig.client.runScenario(approved);
    expect((await rig.client.getDeployRun(demo.deployProjectId, a.historyId)).status).toBe('pending');
    await rig.client.decideApproval(demo.deployProjectId, a.historyId, 'accept');
    await rig.client.decideApproval(demo.deployProjectId, b.historyId, 'reject');
    const done = await waitFor(
      () => rig.client.getDeployRun(demo.deployProjectId, a.historyId),
      (r) => mapDeployStatus(r.status).phase !== 'running',
    );
    expect(done.status).toBe('success');
    expect((await rig.client.getDeployRun(demo.deployProjectId, b.historyId)).status).toBe('reject');
    // Deciding twice is refused: the run no longer waits.
    expect(
      (await rejection(rig.client.decideApproval(demo.deployProjectId, a.historyId, 'accept'))).details,
    ).toMatchObject({ ncpStatus: 400 });
  });

  it('cancels a deploy with POST /project/{p}/history/{h}/cancel', async () => {
    const { historyId } = await rig.client.runScenario(target());
    await rig.client.cancel({ kind: 'deploy', projectId: demo.deployProjectId, historyId });
    expect(rig.sim.calls.at(-1)).toMatchObject({
      method: 'POST',
      path: `/sourcedeploy/api/v1/project/${demo.deployProjectId}/history/${historyId}/cancel`,
      status: 200,
    });
    expect((await rig.client.getDeployRun(demo.deployProjectId, historyId)).status).toBe('canceled');
  });
});

describe('NCR', () => {
  it('follows the Bearer challenge, finds existing tags and answers 404 for a missing one', async () => {
    const newest = demo.commits[0];
    if (!newest) throw new Error('no commits');
    expect(await rig.client.imageExists(demo.registryHost, demo.imageName, newest.imageTag)).toEqual({
      exists: true,
      httpStatus: 200,
    });
    expect(await rig.client.imageExists(demo.registryHost, demo.imageName, 'deadbee')).toEqual({
      exists: false,
      httpStatus: 404,
    });
    const tags = await rig.client.listTags(demo.registryHost, demo.imageName);
    expect(tags).toContain(newest.imageTag);
    expect(await rig.client.listTags(demo.registryHost, 'no-such-image')).toEqual([]);
  });

  it('refuses wrong registry credentials', async () => {
    const bad = new NcpClient({ ...rig.sim.clientOptions(2_000), secretKey: 'wrong' });
    const err = await rejection(bad.imageExists(demo.registryHost, demo.imageName, 'abcdef0'));
    expect(err.code).toBe('NCP_UNAUTHORIZED');
    await bad.close();
  });

  it('refuses a malformed image name before any request', async () => {
    const err = await rejection(rig.client.imageExists(demo.registryHost, 'Bad Name', 'x'));
    expect(err.code).toBe('INVALID_INPUT');
  });
});
