import { afterEach, describe, expect, it } from 'vitest';
import { KlepaasError } from '../../../src/domain/errors.ts';
import { NcpClient } from '../../../src/ncp/client.ts';
import type { DemoSeed } from '../../../src/ncp/simulator/index.ts';
import { type Rig, startRig } from './helpers.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

async function setup(clientRetries = 3): Promise<{ rig: Rig; demo: DemoSeed; sleeps: number[] }> {
  const sleeps: number[] = [];
  rig = await startRig(
    {},
    {
      retry: { retries: clientRetries, baseDelayMs: 100, maxDelayMs: 1_000 },
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    },
  );
  return { rig, demo: await rig.sim.seedDemo(), sleeps };
}

const historyCalls = (r: Rig, method: string) =>
  r.sim.calls.filter((c) => c.method === method && c.path.includes('/history')).map((c) => c.status);

describe('retries', () => {
  it('retries 429 and 500 on a read with backoff and then succeeds', async () => {
    const { rig, demo, sleeps } = await setup();
    rig.sim.failNextCalls(429, 500);
    await expect(rig.client.getBuild(demo.buildProjectId, 'none')).resolves.toBeNull();
    expect(historyCalls(rig, 'GET')).toEqual([429, 500, 200]);
    // Full jitter at random 0.5: half of 100 ms, then half of 200 ms.
    expect(sleeps).toEqual([50, 100]);
  });

  it('surfaces the error once retries are exhausted', async () => {
    const { rig, demo } = await setup(2);
    rig.sim.failNextCalls(500, 500, 500, 500);
    const err = (await rig.client
      .getBuild(demo.buildProjectId, 'none')
      .catch((e: unknown) => e)) as KlepaasError;
    expect(err).toBeInstanceOf(KlepaasError);
    expect(err.code).toBe('NCP_ERROR');
    expect(err.details).toMatchObject({ ncpStatus: 500, ncpCode: '900', retryable: true });
    expect(historyCalls(rig, 'GET')).toEqual([500, 500, 500]);
  });

  it('never retries a POST: one 500 means one attempt, so no second build can start', async () => {
    const { rig, demo } = await setup();
    rig.sim.failNextCalls(500);
    const err = (await rig.client.startBuild(demo.buildProjectId).catch((e: unknown) => e)) as KlepaasError;
    expect(err.code).toBe('NCP_ERROR');
    const posts = rig.sim.calls.filter((c) => c.method === 'POST');
    expect(posts.map((c) => c.status)).toEqual([500]);
    rig.sim.failNextCalls(429);
    await expect(
      rig.client.runScenario({
        projectId: demo.deployProjectId,
        stageId: demo.deployStageId,
        scenarioId: demo.deployScenarioId,
      }),
    ).rejects.toMatchObject({ code: 'NCP_ERROR' });
    expect(rig.sim.calls.filter((c) => c.method === 'POST').length).toBe(2);
  });

  it('waits out Retry-After (never less than NCP asked) on a rate limit', async () => {
    const { rig, demo, sleeps } = await setup();
    rig.sim.failNextCalls({ status: 429, errorCode: '410', retryAfterS: 2 });
    await expect(rig.client.getBuild(demo.buildProjectId, 'none')).resolves.toBeNull();
    expect(historyCalls(rig, 'GET')).toEqual([429, 200]);
    // The backoff alone would have slept 50 ms.
    expect(sleeps).toEqual([2_000]);
  });

  it('returns a Retry-After longer than the policy allows instead of sleeping through it', async () => {
    const { rig, demo, sleeps } = await setup();
    rig.sim.failNextCalls({ status: 429, errorCode: '420', retryAfterS: 3_600 });
    await expect(rig.client.getBuild(demo.buildProjectId, 'none')).rejects.toMatchObject({
      code: 'NCP_ERROR',
    });
    expect(sleeps).toEqual([]);
  });

  it('regression: never retries a quota refusal (429 with errorCode 400)', async () => {
    const { rig, demo, sleeps } = await setup();
    rig.sim.failNextCalls({ status: 429, errorCode: '400' });
    const err = (await rig.client
      .getBuild(demo.buildProjectId, 'none')
      .catch((e: unknown) => e)) as KlepaasError;
    expect(err.details).toMatchObject({ ncpStatus: 429, ncpCode: '400', retryable: false });
    expect(historyCalls(rig, 'GET')).toEqual([429]);
    expect(sleeps).toEqual([]);
  });

  it('retries registry reads too', async () => {
    const { rig, demo } = await setup();
    const tag = demo.commits[0]?.imageTag ?? '';
    rig.sim.failNextCalls(503);
    await expect(rig.client.imageExists(demo.registryHost, demo.imageName, tag)).resolves.toEqual({
      exists: true,
      httpStatus: 200,
    });
  });
});

describe('timeouts', () => {
  it('surfaces a slow NCP as NCP_TIMEOUT after the retries', async () => {
    const { rig, demo } = await setup(1);
    rig.sim.setLatency(400);
    const slow = new NcpClient({
      ...rig.sim.clientOptions(100),
      retry: { retries: 1 },
      sleep: async () => {},
    });
    const started = Date.now();
    const err = (await slow.getBuild(demo.buildProjectId, 'x').catch((e: unknown) => e)) as KlepaasError;
    expect(err).toBeInstanceOf(KlepaasError);
    expect(err.code).toBe('NCP_TIMEOUT');
    expect(err.details).toMatchObject({ ncpStatus: 0 });
    // Two tries of 100 ms, well short of the 400 ms the server takes for even one.
    expect(Date.now() - started).toBeLessThan(400 * 2);
    await slow.close();
  });
});
