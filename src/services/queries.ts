import type { Deployment } from '../domain/deployment.ts';
import type { CandidateList, DiagnoseReport } from '../domain/reports.ts';
import type { ServiceDeps } from './deps.ts';
import { findIntegration, type KnownIntegration, reasonOf, requireIntegration } from './guards.ts';
import { activeLock } from './locks.ts';
import { assessReadiness, type ImageProbe } from './rules/readiness.ts';

const failedLast = (d: Deployment | null): Deployment | null =>
  d && (d.status === 'failed' || d.status === 'timed_out') ? d : null;

import { candidateList } from './targets.ts';

/** As many candidates as the candidates answer shows by default, so the two counts agree. */
const DIAGNOSE_LIST = 10;

/** Rollback candidates numbered exactly as `rollback --steps N` counts. */
export async function candidates(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  limit = 10,
  known?: KnownIntegration,
): Promise<CandidateList> {
  const i = requireIntegration(deps, owner, repo, known);
  return candidateList(deps, i.owner, i.repo, limit);
}

/** Every deployment, newest first, whatever its outcome. */
export async function history(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  limit = 20,
  known?: KnownIntegration,
): Promise<Deployment[]> {
  const i = requireIntegration(deps, owner, repo, known);
  return deps.deployments.history(i.owner, i.repo, limit);
}

/** The deployment in flight, else the latest one of any outcome; null when there has never been one. */
export async function status(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  known?: KnownIntegration,
): Promise<Deployment | null> {
  const i = requireIntegration(deps, owner, repo, known);
  return deps.deployments.inFlight(i.owner, i.repo) ?? deps.deployments.latest(i.owner, i.repo);
}

/**
 * The readiness report. Never refuses: a missing integration is one of its findings. The image checked
 * is the one a rollback would use (candidate 1's tag), not `latest`.
 */
export async function diagnose(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  known?: KnownIntegration,
): Promise<DiagnoseReport> {
  const integration = findIntegration(deps, owner, repo, known);
  const o = integration?.owner ?? owner;
  const r = integration?.repo ?? repo;
  // The same list (and so the same count) the candidates answer and the rollback use.
  const list = candidateList(deps, o, r, DIAGNOSE_LIST);
  const first = list.candidates[0];
  let image: ImageProbe | null = null;
  if (integration?.registryHost && first) {
    const ref = `${integration.registryHost}/${integration.imageName}:${first.imageTag}`;
    try {
      const res = await deps.ncp.imageExists(integration.registryHost, integration.imageName, first.imageTag);
      image = { ref, exists: res.exists, httpStatus: res.httpStatus };
    } catch (err) {
      image = { ref, error: reasonOf(err) };
    }
  }
  return assessReadiness({
    owner: o,
    repo: r,
    integration,
    successfulCount: deps.deployments.countSuccessful(o, r),
    list,
    image,
    inFlight: deps.deployments.inFlight(o, r),
    mode: deps.ncp.mode,
    lock: activeLock(deps, o, r),
    lastFailure: failedLast(deps.deployments.latest(o, r)),
  });
}
