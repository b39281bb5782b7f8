import type { Integration } from '../domain/deployment.ts';
import type { DemoSeed } from '../ncp/simulator/index.ts';
import type { DeploymentStore, IntegrationStore } from '../services/ports.ts';

export interface DemoStores {
  readonly integrations: IntegrationStore;
  readonly deployments: DeploymentStore;
}

/** `requestedBy` of the seeded records, so a later start can tell them apart. */
export const DEMO_SEEDER = 'demo-seed';

/** Minutes between a demo commit and its (simulated) successful deploy. */
const DEPLOY_LAG_MS = 10 * 60_000;

/**
 * Puts the simulator's demo project in the database: the integration `K-Le-PaaS/test01` (updated every
 * start, since the simulator's registry host carries a fresh port) and one successful deploy per demo
 * commit, oldest first so the newest is what runs. Safe at every start: each deploy has a fixed request
 * key, so a second run finds it instead of adding another.
 */
export function seedDemoData(
  stores: DemoStores,
  demo: DemoSeed,
): { integration: Integration; inserted: number } {
  const integration = stores.integrations.upsert({
    owner: demo.owner,
    repo: demo.repo,
    scProjectId: demo.scProjectId,
    scRepoName: demo.scRepoName,
    buildProjectId: demo.buildProjectId,
    deployProjectId: demo.deployProjectId,
    deployStageId: demo.deployStageId,
    deployScenarioId: demo.deployScenarioId,
    registryHost: demo.registryHost,
    imageName: demo.imageName,
    defaultBranch: demo.defaultBranch,
    manifestPath: demo.manifestPath,
  });
  let inserted = 0;
  for (const c of [...demo.commits].reverse()) {
    const key = `demo-seed:${demo.owner}/${demo.repo}:${c.sha}`;
    if (stores.deployments.findByRequestKey(key)) continue;
    const deployedAt = new Date(c.time.getTime() + DEPLOY_LAG_MS);
    const created = stores.deployments.create({
      owner: demo.owner,
      repo: demo.repo,
      commitSha: c.sha,
      commitMessage: c.message,
      ref: demo.defaultBranch,
      operation: 'deploy',
      rollbackFromId: null,
      status: 'success',
      image: `${demo.registryHost}/${demo.imageName}`,
      imageTag: c.imageTag,
      requestKey: key,
      requestedBy: DEMO_SEEDER,
      requestedVia: 'cli',
      lang: 'en',
      slackChannel: null,
      slackThreadTs: null,
    });
    stores.deployments.update(created.id, {
      ncpStatus: 'success',
      startedAt: c.time,
      deployedAt,
      completedAt: deployedAt,
      durationMs: DEPLOY_LAG_MS,
    });
    inserted++;
  }
  return { integration, inserted };
}
