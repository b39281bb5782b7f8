import { DEFAULT_BUILD_BRANCH, type Integration } from '../domain/deployment.ts';
import { KlepaasError } from '../domain/errors.ts';
import { shortSha } from '../domain/repo-ref.ts';
import type { ServiceDeps } from './deps.ts';
import type { DeployTarget, SourceRepo } from './ports.ts';
import {
  buildProjectNotConfigured,
  deployProjectNotConfigured,
  deployStageNotConfigured,
  integrationNotFound,
  ncpFailed,
  registryNotConfigured,
} from './rules/messages.ts';
import { buildBranchIsDefault, sourceCommitNotConfigured } from './rules/pipeline-messages.ts';

/** An integration with everything a build, a manifest update and a scenario run need. */
export interface ReadyIntegration {
  readonly integration: Integration;
  readonly buildProjectId: string;
  readonly deployTarget: DeployTarget;
  readonly registryHost: string;
  readonly source: SourceRepo;
  /** The branch the SourceBuild project builds; the bot pushes the commit to build there. */
  readonly buildBranch: string;
  readonly manifestPath: string;
}

/** `known` is the integration the caller already looked up in this request; it is not read again. */
export type KnownIntegration = Integration | null | undefined;

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function findIntegration(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  known?: KnownIntegration,
): Integration | null {
  return known && sameName(known.owner, owner) && sameName(known.repo, repo)
    ? known
    : deps.integrations.find(owner, repo);
}

export function requireIntegration(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  known?: KnownIntegration,
): Integration {
  const found = findIntegration(deps, owner, repo, known);
  if (!found) throw integrationNotFound(owner, repo);
  return found;
}

/** The seed's setup checks, in its order: integration (404), build project (400), deploy project (400). */
export function requireReady(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  known?: KnownIntegration,
): ReadyIntegration {
  const i = requireIntegration(deps, owner, repo, known);
  if (!i.buildProjectId) throw buildProjectNotConfigured(i.owner, i.repo);
  if (!i.deployProjectId) throw deployProjectNotConfigured(i.owner, i.repo);
  const missing = [
    ...(i.deployStageId ? [] : (['stage'] as const)),
    ...(i.deployScenarioId ? [] : (['scenario'] as const)),
  ];
  if (!i.deployStageId || !i.deployScenarioId) throw deployStageNotConfigured(i.owner, i.repo, missing);
  if (!i.registryHost) throw registryNotConfigured(i.owner, i.repo);
  if (!i.scProjectId) throw sourceCommitNotConfigured(i.owner, i.repo);
  const buildBranch = i.buildBranch ?? DEFAULT_BUILD_BRANCH;
  if (buildBranch === i.defaultBranch) throw buildBranchIsDefault(i.owner, i.repo, buildBranch);
  return {
    integration: i,
    buildProjectId: i.buildProjectId,
    deployTarget: { projectId: i.deployProjectId, stageId: i.deployStageId, scenarioId: i.deployScenarioId },
    registryHost: i.registryHost,
    source: { projectId: i.scProjectId, repoName: i.scRepoName ?? i.repo, branch: i.defaultBranch },
    buildBranch,
    manifestPath: i.manifestPath ?? deps.manifestPath,
  };
}

export const imageRepository = (r: ReadyIntegration): string =>
  `${r.registryHost}/${r.integration.imageName}`;
export const imageRefFor = (r: ReadyIntegration, commitSha: string): string =>
  `${imageRepository(r)}:${shortSha(commitSha)}`;

/** Port methods throw KlepaasError already; anything else is wrapped so callers see one error type. */
export function asKlepaas(err: unknown, step: 'build' | 'deploy' | 'image'): KlepaasError {
  return err instanceof KlepaasError ? err : ncpFailed(step, err);
}

export const reasonOf = (err: unknown): string =>
  err instanceof KlepaasError ? err.messages.en : err instanceof Error ? err.message : String(err);
