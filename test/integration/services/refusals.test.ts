import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewDeployment } from '../../../src/services/ports.ts';
import { type Harness, openHarness, refusal } from './harness.ts';

/** One simulator and database for the whole file: every case here is a refusal that changes nothing. */
let h: Harness;
beforeAll(async () => {
  h = await openHarness();
  const full = {
    buildProjectId: h.demo.buildProjectId,
    deployProjectId: h.demo.deployProjectId,
    deployStageId: h.demo.deployStageId,
    deployScenarioId: h.demo.deployScenarioId,
    registryHost: h.demo.registryHost,
    scRepoName: h.demo.scRepoName,
    scProjectId: h.demo.scProjectId,
  };
  h.stores.integrations.upsert({ owner: 'K-Le-PaaS', repo: 'nobuild', ...full, buildProjectId: null });
  h.stores.integrations.upsert({ owner: 'K-Le-PaaS', repo: 'nodeploy', ...full, deployProjectId: null });
  h.stores.integrations.upsert({ owner: 'K-Le-PaaS', repo: 'nostage', ...full, deployStageId: null });
  h.stores.integrations.upsert({ owner: 'K-Le-PaaS', repo: 'fresh', ...full });
  h.stores.integrations.upsert({ owner: 'K-Le-PaaS', repo: 'twins', ...full });
  h.stores.integrations.upsert({ owner: 'K-Le-PaaS', repo: 'busy', ...full });
  const ok = (repo: string, sha: string, over: Partial<NewDeployment> = {}) =>
    h.stores.deployments.create({
      owner: 'K-Le-PaaS',
      repo,
      commitSha: sha,
      commitMessage: null,
      ref: 'main',
      operation: 'deploy',
      rollbackFromId: null,
      status: 'success',
      image: null,
      imageTag: sha.slice(0, 7),
      requestKey: null,
      requestedBy: 'seed',
      requestedVia: 'cli',
      lang: 'en',
      slackChannel: null,
      slackThreadTs: null,
      ...over,
    });
  ok('twins', `c39eb54a${'1'.repeat(32)}`);
  ok('twins', `c39eb54b${'2'.repeat(32)}`);
  ok('twins', `ffffff0${'3'.repeat(33)}`);
  ok('busy', `aaaaaaa${'1'.repeat(33)}`);
  ok('busy', `bbbbbbb${'1'.repeat(33)}`);
  ok('busy', `ccccccc${'1'.repeat(33)}`, { status: 'building' });
});
afterAll(async () => {
  await h.close();
});

const O = 'K-Le-PaaS';

describe('every refusal carries its code, status and the guide wording', () => {
  it.each([
    [
      'integration missing',
      () => h.services.planRollback(O, 'new-project', { stepsBack: 1 }),
      'INTEGRATION_NOT_FOUND',
      '404: No project integration found for K-Le-PaaS/new-project. Please set up the project first using the deployment API.',
    ],
    [
      'build project id missing',
      () => h.services.planRollback(O, 'nobuild', { stepsBack: 1 }),
      'BUILD_PROJECT_NOT_CONFIGURED',
      '400: Build project ID not configured for K-Le-PaaS/nobuild. Please complete project setup.',
    ],
    [
      'deploy project id missing',
      () => h.services.planRollback(O, 'nodeploy', { stepsBack: 1 }),
      'DEPLOY_PROJECT_NOT_CONFIGURED',
      '400: Deploy project ID not configured for K-Le-PaaS/nodeploy. Please complete project setup.',
    ],
    [
      'deploy stage missing',
      () => h.services.planDeploy(O, 'nostage', { ref: null }),
      'DEPLOY_PROJECT_NOT_CONFIGURED',
      '400: Deploy stage ID not configured for K-Le-PaaS/nostage. Please complete project setup.',
    ],
    [
      'no deployment history',
      () => h.services.planRollback(O, 'fresh', { stepsBack: 1 }),
      'NO_DEPLOYMENT_HISTORY',
      '404: No deployment history found for K-Le-PaaS/fresh. Deploy the application first before attempting rollback.',
    ],
    [
      'commit never deployed',
      () => h.services.planRollback(O, 'test01', { commitSha: 'c39eb54' }),
      'COMMIT_NOT_DEPLOYED',
      '404: No successful deployment found for commit c39eb54. Cannot rollback to undeployed commit.',
    ],
    [
      'ambiguous prefix',
      () => h.services.planRollback(O, 'twins', { commitSha: 'C39EB54' }),
      'AMBIGUOUS_COMMIT',
      '409: Commit prefix c39eb54 matches 2 deployed commits of K-Le-PaaS/twins: c39eb54, c39eb54.',
    ],
    [
      'not enough history',
      () => h.services.planRollback(O, 'test01', { stepsBack: 9 }),
      'NOT_ENOUGH_HISTORY',
      '404: Cannot roll back 9 deployment(s) for K-Le-PaaS/test01: only 4 rollback candidate(s) exist.',
    ],
    [
      'target already running',
      () => h.services.planRollback(O, 'test01', { commitSha: h.demo.commits[0]?.sha ?? '' }),
      'ALREADY_RUNNING',
      null,
    ],
    [
      'deployment in flight',
      () => h.services.planRollback(O, 'busy', { stepsBack: 1 }),
      'DEPLOYMENT_IN_FLIGHT',
      null,
    ],
    [
      'deploy while in flight',
      () => h.services.planDeploy(O, 'busy', { ref: 'main' }),
      'DEPLOYMENT_IN_FLIGHT',
      null,
    ],
    [
      'ref not found',
      () => h.services.planDeploy(O, 'test01', { ref: 'no-such-branch' }),
      'REF_NOT_FOUND',
      '404: Ref no-such-branch not found in the SourceCommit repository of K-Le-PaaS/test01.',
    ],
    ['invalid steps', () => h.services.planRollback(O, 'test01', { stepsBack: 0 }), 'INVALID_STEPS', null],
    ['not a sha', () => h.services.planRollback(O, 'test01', { commitSha: 'main' }), 'INVALID_INPUT', null],
  ] as const)('%s', async (_name, run, code, message) => {
    const err = await refusal(run());
    expect(err.code).toBe(code);
    if (message) expect(err.message).toBe(message);
    expect(err.messages.ko.length).toBeGreaterThan(0);
    expect(err.hint?.en).toBeTruthy();
    expect(err.hint?.ko).toBeTruthy();
  });

  it('names the running commit when asked to roll back to it', async () => {
    const running = h.demo.commits[0];
    const err = await refusal(h.services.planRollback(O, 'test01', { commitSha: running?.sha ?? '' }));
    expect(err.message).toBe(
      `409: Commit ${running?.imageTag} is already running on K-Le-PaaS/test01. Nothing to roll back.`,
    );
  });

  it('the deployment in flight is named in the refusal', async () => {
    const err = await refusal(h.services.planRollback(O, 'busy', { stepsBack: 1 }));
    expect(err.messages.en).toMatch(/#\d+, building/);
    expect(err.status).toBe(409);
  });

  it('hints name our own commands', async () => {
    const err = await refusal(h.services.planRollback(O, 'new-project', { stepsBack: 1 }));
    expect(err.hint?.en).toContain('klepaas-bot integration add K-Le-PaaS/new-project');
    const nd = await refusal(h.services.planRollback(O, 'test01', { commitSha: 'c39eb54' }));
    expect(nd.hint?.en).toContain('/rollback candidates K-Le-PaaS/test01');
  });

  it('refuses a build branch that is the default branch (the bot force-pushes the build branch)', async () => {
    h.stores.integrations.upsert({ owner: O, repo: 'fresh', buildBranch: 'main' });
    const err = await refusal(h.services.planDeploy(O, 'fresh', { ref: 'main' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.messages.en).toMatch(/would overwrite main/);
    h.stores.integrations.upsert({ owner: O, repo: 'fresh', buildBranch: null });
  });

  it('refuses an integration without a SourceCommit project id: the repository URL needs it', async () => {
    h.stores.integrations.upsert({ owner: O, repo: 'fresh', scProjectId: null });
    const err = await refusal(h.services.planDeploy(O, 'fresh', { ref: 'main' }));
    expect(err.messages.en).toMatch(/SourceCommit project id not configured/);
    h.stores.integrations.upsert({ owner: O, repo: 'fresh', scProjectId: h.demo.scProjectId });
  });

  it('refusals leave no record behind', () => {
    expect(h.stores.deployments.history(O, 'test01', 100)).toHaveLength(h.demo.commits.length);
    expect(h.stores.deployments.history(O, 'fresh', 100)).toHaveLength(0);
  });
});
