import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedHeaders } from '../../../src/ncp/sign.ts';
import type { DemoSeed } from '../../../src/ncp/simulator/index.ts';
import { type Rig, startRig } from './helpers.ts';

// SourceDeploy GetHistories as the SDK defines it (GET /project/{p}/history, pageNo/pageSize, pageSize at
// most 100; historyList of {project, stage, scenario, id, startTime, status}), the reconciler's question.
let rig: Rig;
let demo: DemoSeed;
beforeAll(async () => {
  rig = await startRig();
  demo = await rig.sim.seedDemo();
});
afterAll(() => rig.stop());

const signedGet = async (pathWithQuery: string) => {
  const headers = signedHeaders({
    method: 'GET',
    pathWithQuery,
    timestampMs: Date.now(),
    accessKey: rig.sim.accessKey,
    secretKey: rig.sim.secretKey,
  });
  const res = await request(`${rig.sim.baseUrl}${pathWithQuery}`, { headers });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
};

describe('GetHistories', () => {
  it('lists the runs newest first with stage, scenario and a start time in seconds; the client reads them', async () => {
    const target = {
      projectId: demo.deployProjectId,
      stageId: demo.deployStageId,
      scenarioId: demo.deployScenarioId,
    };
    const a = await rig.client.runScenario(target);
    const b = await rig.client.runScenario(target);
    const items = await rig.client.listDeployHistories(demo.deployProjectId, { pageSize: 100 });
    expect(items.slice(0, 2).map((h) => h.historyId)).toEqual([b.historyId, a.historyId]);
    expect(items[0]).toMatchObject({ stageId: demo.deployStageId, scenarioId: demo.deployScenarioId });
    expect(Math.abs((items[0]?.startedAt?.getTime() ?? 0) - Date.now())).toBeLessThan(5_000);
    const raw = await signedGet(
      `/sourcedeploy/api/v1/project/${demo.deployProjectId}/history?pageNo=1&pageSize=1`,
    );
    const list = (raw.body.result as { historyList: { startTime: number; id: number }[] }).historyList;
    expect(list).toHaveLength(1);
    expect(list[0]?.startTime).toBeLessThan(1e12);
    expect(String(list[0]?.id)).toBe(b.historyId);
  });

  it('refuses a pageSize over 100 as NCP does, and the client never asks for one', async () => {
    const raw = await signedGet(`/sourcedeploy/api/v1/project/${demo.deployProjectId}/history?pageSize=101`);
    expect(raw.status).toBe(400);
    await expect(
      rig.client.listDeployHistories(demo.deployProjectId, { pageSize: 500 }),
    ).resolves.toBeInstanceOf(Array);
    const asked = rig.sim.calls
      .filter((c) => c.path.endsWith(`/project/${demo.deployProjectId}/history`))
      .at(-1);
    expect(asked?.status).toBe(200);
  });

  it('an unknown project is NCP_ERROR 404, not an empty list', async () => {
    await expect(rig.client.listDeployHistories('999999')).rejects.toMatchObject({ code: 'NCP_ERROR' });
  });
});
