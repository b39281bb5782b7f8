import type { Deployment, Requester } from '../domain/deployment.ts';
import type { RollbackPlan } from '../domain/reports.ts';
import type { RollbackSelector, ServiceDeps } from './deps.ts';
import { asKlepaas, findIntegration, imageRefFor, type KnownIntegration, requireReady } from './guards.ts';
import { rollOutImage, startBuildOf } from './pipeline.ts';
import { deploymentInFlight, noDeploymentHistory, targetChanged } from './rules/messages.ts';
import { openRecord, startedBefore, track } from './start.ts';
import { pickTarget } from './targets.ts';

export { candidateList } from './targets.ts';

/**
 * What a rollback would do, with the guide's checks in its order: integration (404), build project (400),
 * deploy project (400), history (404), the target (404/409), then ours (a deployment in flight, 409),
 * and the target's image in NCR (missing: rebuild). No side effects.
 */
export async function planRollback(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  sel: RollbackSelector,
  known?: KnownIntegration,
): Promise<RollbackPlan> {
  const ready = requireReady(deps, owner, repo, known);
  const i = ready.integration;
  const { list, pick } = pickTarget(deps, i.owner, i.repo, sel);
  if (list.current === null && list.candidates.length === 0) throw noDeploymentHistory(i.owner, i.repo);
  const { faulty, ...target } = pick(list);
  const flying = deps.deployments.inFlight(i.owner, i.repo);
  if (flying) throw deploymentInFlight(i.owner, i.repo, flying);
  const imageRef = imageRefFor(ready, target.commitSha);
  let probe: { exists: boolean; httpStatus: number };
  try {
    probe = await deps.ncp.imageExists(ready.registryHost, i.imageName, target.imageTag);
  } catch (err) {
    throw asKlepaas(err, 'image');
  }
  deps.logger.info(
    { module: 'services', owner: i.owner, repo: i.repo, target: target.imageTag, image: probe },
    'rollback planned',
  );
  return {
    owner: i.owner,
    repo: i.repo,
    current: list.current,
    target,
    stepsBack: target.n,
    imageRef,
    imageExists: probe.exists,
    rebuild: !probe.exists,
    faulty: faulty ?? null,
  };
}

/**
 * Starts a planned rollback: re-checks the plan (TARGET_CHANGED when the running commit or the target
 * moved), creates one record (`rollback`, `rollback_from_id` = the running deployment), then either
 * updates the manifest and runs the scenario (`deploying`), or, when the image is missing, starts a
 * SourceBuild of that commit (`building`; the poller calls `continueAfterBuild` once it succeeds).
 * A second request with the same `requestKey` returns the first record.
 */
export async function executeRollback(
  deps: ServiceDeps,
  plan: RollbackPlan,
  requester: Requester,
  requestKey: string | null,
  known?: KnownIntegration,
): Promise<Deployment> {
  const seen = startedBefore(deps, requestKey);
  if (seen) return seen;
  // Read once here: the re-check and the start below use the same integration.
  const integration = findIntegration(deps, plan.owner, plan.repo, known);
  const fresh = await recheck(deps, plan, integration);
  const ready = requireReady(deps, plan.owner, plan.repo, integration);
  const d = openRecord(
    deps,
    ready,
    {
      owner: fresh.owner,
      repo: fresh.repo,
      commitSha: fresh.target.commitSha,
      commitMessage: fresh.target.commitMessage,
      ref: null,
      operation: 'rollback',
      rollbackFromId: fresh.current?.deploymentId ?? null,
      status: fresh.rebuild ? 'building' : 'deploying',
      imageTag: fresh.target.imageTag,
    },
    requester,
    requestKey,
  );
  deps.logger.info(
    { module: 'services', deploymentId: d.id, target: d.imageTag, rebuild: fresh.rebuild },
    'rollback started',
  );
  let started: Deployment;
  try {
    // An image still in NCR is deployed as it is: no build.
    started = fresh.rebuild ? await startBuildOf(deps, d, ready) : await rollOutImage(deps, d, ready);
  } catch (err) {
    // A start NCP did not answer stays in flight: the poller is told, and leaves it for reconciliation.
    if (deps.deployments.get(d.id)?.stage?.endsWith('_unknown')) await track(deps, d.id);
    throw err;
  }
  await track(deps, started.id);
  return started;
}

async function recheck(
  deps: ServiceDeps,
  plan: RollbackPlan,
  known: KnownIntegration,
): Promise<RollbackPlan> {
  let fresh: RollbackPlan;
  try {
    // A faulty target stays allowed only if the plan chose it on purpose ("undo that").
    const sel = { commitSha: plan.target.commitSha, faultyOk: !!plan.faulty };
    fresh = await planRollback(deps, plan.owner, plan.repo, sel, known);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ALREADY_RUNNING')
      throw targetChanged(plan.owner, plan.repo, {
        en: 'the target is now running',
        ko: '대상이 이미 실행 중',
      });
    if (code === 'COMMIT_NOT_DEPLOYED') {
      throw targetChanged(plan.owner, plan.repo, {
        en: 'the target is no longer a rollback candidate',
        ko: '대상이 더 이상 롤백 후보가 아님',
      });
    }
    throw err;
  }
  if ((fresh.current?.deploymentId ?? null) !== (plan.current?.deploymentId ?? null)) {
    throw targetChanged(plan.owner, plan.repo, {
      en: 'another deployment finished since the plan was made',
      ko: '그 사이 다른 배포가 끝남',
    });
  }
  return fresh;
}
