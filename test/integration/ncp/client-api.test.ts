import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlepaasError } from '../../../src/domain/errors.ts';
import { NcpClient } from '../../../src/ncp/client.ts';
import type { DemoSeed } from '../../../src/ncp/simulator/index.ts';
import { mapBuildStatus, mapDeployStatus } from '../../../src/ncp/status.ts';
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
  it('moves prepare -> upload -> success and pushes the 7-character tag to NCR', async () => {
    const sha = demo.missingImageSha;
    const { buildId } = await rig.client.startBuild(demo.buildProjectId, { ref: null, commitSha: sha });
    const seen = new Set<string>();
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
  });

  it('ends in fail with failedPhase when the simulator fails it', async () => {
    rig.sim.failNextBuild();
    const { buildId } = await rig.client.startBuild(demo.buildProjectId, { ref: 'main', commitSha: null });
    const run = await waitFor(
      () => rig.client.getBuild(demo.buildProjectId, buildId),
      (r) => r !== null && mapBuildStatus(r.status).phase !== 'running',
    );
    expect(run).toMatchObject({ status: 'fail', failedPhase: 'build' });
    expect(mapBuildStatus(run?.status ?? '').phase).toBe('failed');
  });

  it('refuses an unknown project and a ref that does not exist', async () => {
    expect((await rejection(rig.client.startBuild('999', { ref: 'main', commitSha: null }))).code).toBe(
      'NCP_ERROR',
    );
    const err = await rejection(
      rig.client.startBuild(demo.buildProjectId, { ref: 'no-such-branch', commitSha: null }),
    );
    expect(err.details).toMatchObject({ ncpStatus: 400 });
  });
});

describe('deploy lifecycle', () => {
  const target = () => ({
    projectId: demo.deployProjectId,
    stageId: demo.deployStageId,
    scenarioId: demo.deployScenarioId,
  });

  it('moves pending -> inprogress -> success', async () => {
    const { historyId } = await rig.client.runScenario(target());
    const first = await rig.client.getDeployRun(demo.deployProjectId, historyId);
    expect(['pending', 'inprogress']).toContain(first.status);
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

  it('refuses a scenario that does not exist', async () => {
    const err = await rejection(rig.client.runScenario({ ...target(), scenarioId: '1' }));
    expect(err.details).toMatchObject({ ncpStatus: 404, ncpCode: '32001' });
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
