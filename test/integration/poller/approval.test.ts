import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/open.ts';
import { createStores, type Stores } from '../../../src/db/stores.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { NcpClient } from '../../../src/ncp/client.ts';
import { type DemoSeed, type NcpSimulator, startNcpSimulator } from '../../../src/ncp/simulator/index.ts';
import { createPollerEvents, type PollerEvent } from '../../../src/poller/events.ts';
import { initialPollState, type PollJobDeps, type PollState, runTick } from '../../../src/poller/job.ts';
import { memoryOnceGuard } from '../../../src/poller/once.ts';
import { seedDemoData } from '../../../src/runtime/seed-demo.ts';

const MIN = 60_000;
let now = Date.UTC(2026, 0, 5, 9, 0, 0);
let dir: string;
let opened: ReturnType<typeof openDatabase>;
let stores: Stores;
let sim: NcpSimulator;
let demo: DemoSeed;
let ncp: NcpClient;
let events: PollerEvent[];
let deps: PollJobDeps;

beforeEach(async () => {
  now = Date.UTC(2026, 0, 5, 9, 0, 0);
  dir = mkdtempSync(join(tmpdir(), 'klepaas-approval-'));
  opened = openDatabase(join(dir, 'k.db'), { logger: silentLogger() });
  stores = createStores(opened.db);
  // The simulator's runs follow the test's clock; a deploy takes two 2-minute phases once approved.
  sim = await startNcpSimulator({ phaseMs: 2 * MIN, now: () => now });
  demo = await sim.seedDemo();
  seedDemoData(stores, demo);
  sim.addScenario({
    projectId: demo.deployProjectId,
    stageId: demo.deployStageId,
    scenarioId: demo.deployScenarioId,
    name: 'approved',
    repoName: demo.scRepoName,
    branch: demo.defaultBranch,
    manifestPath: demo.manifestPath,
    approval: true,
  });
  ncp = new NcpClient({ ...sim.clientOptions(5_000), retry: { retries: 0 } });
  events = [];
  const bus = createPollerEvents();
  bus.subscribe((e) => void events.push(e));
  deps = {
    store: stores.deployments,
    integrations: stores.integrations,
    ncp,
    continuation: { continueAfterBuild: async () => {} },
    events: bus,
    once: memoryOnceGuard(),
    clock: { now: () => new Date(now) },
    limits: {
      intervalMs: 10_000,
      deployTimeoutMs: 5 * MIN,
      buildTimeoutMs: 15 * MIN,
      approvalTimeoutMs: 60 * MIN,
    },
    log: silentLogger(),
  };
});
afterEach(async () => {
  await ncp.close();
  await sim.stop();
  opened.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startDeploy(): Promise<number> {
  const { historyId } = await ncp.runScenario({
    projectId: demo.deployProjectId,
    stageId: demo.deployStageId,
    scenarioId: demo.deployScenarioId,
  });
  const d = stores.deployments.create({
    owner: demo.owner,
    repo: demo.repo,
    commitSha: demo.commits[1]?.sha ?? null,
    commitMessage: null,
    ref: null,
    operation: 'rollback',
    rollbackFromId: null,
    status: 'deploying',
    image: null,
    imageTag: null,
    requestKey: null,
    requestedBy: 'tester',
    requestedVia: 'cli',
    lang: 'en',
    slackChannel: null,
    slackThreadTs: null,
  });
  stores.deployments.update(d.id, {
    deployHistoryId: historyId,
    startedAt: new Date(now),
    stage: 'deploy_wait',
  });
  return d.id;
}

const tick = (s: PollState) => runTick(deps, s);

describe('a SourceDeploy run waiting for approval', () => {
  it('regression: is not timed out at the deploy limit, says it waits, and the deploy limit starts at the approval', async () => {
    const id = await startDeploy();
    let r = await tick(initialPollState(id));
    expect(r.next).toBe('again');
    expect(stores.deployments.get(id)?.ncpStatus).toBe('pending');
    expect(events.find((e) => e.kind === 'progress')?.ncpStatus).toBe('pending');

    // Twenty minutes waiting for a person: four times the deploy limit, well within the approval limit.
    now += 20 * MIN;
    r = await tick(r.state);
    expect(r.next).toBe('again');
    expect(stores.deployments.get(id)?.status).toBe('deploying');

    await ncp.decideApproval(
      demo.deployProjectId,
      stores.deployments.get(id)?.deployHistoryId ?? '',
      'accept',
    );
    r = await tick(r.state);
    expect(stores.deployments.get(id)?.ncpStatus).toBe('inprogress');
    // Three minutes after the approval: counted from the start, this would be past the 5-minute limit.
    now += 3 * MIN;
    r = await tick(r.state);
    expect(r.next).toBe('again');
    now += 2 * MIN;
    r = await tick(r.state);
    expect(r.next).toBe('done');
    expect(stores.deployments.get(id)).toMatchObject({
      status: 'success',
      ncpStatus: 'success',
      stage: 'done',
    });
  });

  it('times out under its own limit when nobody approves', async () => {
    const id = await startDeploy();
    let r = await tick(initialPollState(id));
    now += 61 * MIN;
    r = await tick(r.state);
    expect(r.next).toBe('done');
    const d = stores.deployments.get(id);
    expect(d).toMatchObject({ status: 'timed_out', ncpStatus: 'pending', errorStage: 'deploy' });
    expect(d?.errorMessage).toMatch(/waited for approval longer than 60m/);
  });

  it('a rejection ends the record failed with what it means', async () => {
    const id = await startDeploy();
    let r = await tick(initialPollState(id));
    await ncp.decideApproval(
      demo.deployProjectId,
      stores.deployments.get(id)?.deployHistoryId ?? '',
      'reject',
    );
    r = await tick(r.state);
    expect(r.next).toBe('done');
    expect(stores.deployments.get(id)).toMatchObject({ status: 'failed', ncpStatus: 'reject' });
    expect(stores.deployments.get(id)?.errorMessage).toMatch(/approver rejected/);
  });
});
