import type { Deployment, Integration } from '../../../src/domain/deployment.ts';

let nextId = 1;

/** A stored deployment with sensible defaults; tests override what they are about. */
export function dep(over: Partial<Deployment> & { commitSha: string }): Deployment {
  const id = over.id ?? nextId++;
  return {
    id,
    owner: 'K-Le-PaaS',
    repo: 'test01',
    commitMessage: null,
    ref: 'main',
    operation: 'deploy',
    rollbackFromId: null,
    status: 'success',
    ncpStatus: 'success',
    buildId: null,
    deployHistoryId: null,
    image: 'reg.example/k-le-paas-test01',
    imageTag: over.commitSha.slice(0, 7),
    requestKey: null,
    requestedBy: 'U1',
    requestedVia: 'cli',
    lang: 'en',
    slackChannel: null,
    slackThreadTs: null,
    slackMessageTs: null,
    requestedAt: new Date(Date.UTC(2025, 9, 19, 0, id)),
    startedAt: null,
    deployedAt: new Date(Date.UTC(2025, 9, 19, 0, id)),
    completedAt: new Date(Date.UTC(2025, 9, 19, 0, id)),
    durationMs: null,
    errorMessage: null,
    errorStage: null,
    stage: null,
    verifyStatus: null,
    verification: null,
    verifyState: null,
    verifyMessageTs: null,
    reason: null,
    ...over,
  };
}

export function integration(over: Partial<Integration> = {}): Integration {
  return {
    id: 1,
    owner: 'K-Le-PaaS',
    repo: 'test01',
    scProjectId: 'sc1',
    scRepoName: 'test01',
    buildProjectId: '12345',
    deployProjectId: '67890',
    deployStageId: '1',
    deployScenarioId: '2',
    registryHost: 'reg.example',
    imageName: 'k-le-paas-test01',
    defaultBranch: 'main',
    buildBranch: null,
    manifestPath: null,
    noticeChannel: null,
    deployers: [],
    healthUrl: null,
    metricsUrl: null,
    verifyWindowMs: null,
    verifyMaxErrorShare: null,
    verifyMaxP95Ms: null,
    autoRollback: false,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...over,
  };
}

/** 40-hex SHA from a short readable stem, e.g. sha('a1') -> 'a1a1a1...'. */
export const sha = (stem: string): string => stem.repeat(40).slice(0, 40);
