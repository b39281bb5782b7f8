import type { Deployment, Requester } from '../domain/deployment.ts';
import { isKlepaasError } from '../domain/errors.ts';
import { shortSha } from '../domain/repo-ref.ts';
import type { DeployPlan } from '../domain/reports.ts';
import type { DeploySelector, ServiceDeps } from './deps.ts';
import { asKlepaas, imageRefFor, type KnownIntegration, requireReady } from './guards.ts';
import { checkPin } from './pins.ts';
import { startBuildOf } from './pipeline.ts';
import { toRunning } from './rules/candidates.ts';
import { deploymentInFlight, refNotFound } from './rules/messages.ts';
import { openRecord, startedBefore, track } from './start.ts';

/**
 * What a deploy would do: the setup checks, no deployment in flight, and the ref (default branch when
 * none) resolved to a commit in the SourceCommit repository. No side effects.
 */
export async function planDeploy(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  sel: DeploySelector,
  known?: KnownIntegration,
): Promise<DeployPlan> {
  const ready = requireReady(deps, owner, repo, known);
  const i = ready.integration;
  const flying = deps.deployments.inFlight(i.owner, i.repo);
  if (flying) throw deploymentInFlight(i.owner, i.repo, flying);
  const ref = ('commitSha' in sel ? sel.commitSha : sel.ref)?.trim() || i.defaultBranch;
  let commit: Awaited<ReturnType<typeof deps.ncp.resolveRef>>;
  try {
    commit = await deps.ncp.resolveRef(ready.source, ref);
  } catch (err) {
    throw asKlepaas(err, 'build');
  }
  if (!commit) throw refNotFound(i.owner, i.repo, ref);
  const forced = await checkPin(deps, ready, commit.sha, sel.force === true).catch((err: unknown) => {
    throw isKlepaasError(err) ? err : asKlepaas(err, 'build');
  });
  const current = deps.deployments.current(i.owner, i.repo);
  const from =
    current?.operation === 'rollback' && current.rollbackFromId !== null
      ? deps.deployments.get(current.rollbackFromId)
      : null;
  return {
    owner: i.owner,
    repo: i.repo,
    ref,
    commitSha: commit.sha,
    commitMessage: commit.message,
    current: current ? toRunning(current) : null,
    imageRef: imageRefFor(ready, commit.sha),
    returnsFrom:
      current && from && from.commitSha === commit.sha
        ? { rollbackId: current.id, rolledBackFromId: from.id }
        : null,
    forcedPastPin: forced
      ? { pinId: forced.id, rollbackId: forced.rollbackId, fromSha: forced.fromSha, reason: forced.reason }
      : null,
  };
}

/**
 * Starts a planned deploy: one record `building` (operation deploy), the build steps of the resolved
 * application commit (src/services/pipeline.ts), and the tracker. The poller calls `continueAfterBuild`
 * when the build succeeds. A failed start leaves the record `failed` at stage `build` with NCP's reason.
 */
export async function executeDeploy(
  deps: ServiceDeps,
  plan: DeployPlan,
  requester: Requester,
  requestKey: string | null,
  known?: KnownIntegration,
): Promise<Deployment> {
  const seen = startedBefore(deps, requestKey);
  if (seen) return seen;
  const ready = requireReady(deps, plan.owner, plan.repo, known);
  const d = openRecord(
    deps,
    ready,
    {
      owner: plan.owner,
      repo: plan.repo,
      commitSha: plan.commitSha,
      commitMessage: plan.commitMessage,
      ref: plan.ref,
      operation: 'deploy',
      rollbackFromId: null,
      status: 'building',
      imageTag: shortSha(plan.commitSha),
    },
    plan.forcedPastPin
      ? {
          ...requester,
          reason: `forced past the pin of rollback #${plan.forcedPastPin.rollbackId} (${plan.forcedPastPin.reason}); brings back ${shortSha(plan.forcedPastPin.fromSha)}`,
        }
      : requester,
    requestKey,
  );
  if (plan.forcedPastPin) {
    deps.audit?.record({
      actor: requester.user,
      via: requester.via,
      text: `[force] ${plan.owner}/${plan.repo} past pin #${plan.forcedPastPin.pinId}`,
      intent: { pin: plan.forcedPastPin },
      outcome: 'forced_past_pin',
      deploymentId: d.id,
    });
  }
  deps.logger.info({ module: 'services', deploymentId: d.id, commit: d.imageTag }, 'deploy started');
  let started: Deployment;
  try {
    started = await startBuildOf(deps, d, ready);
  } catch (err) {
    // A start NCP did not answer stays in flight: the poller is told, and leaves it for reconciliation.
    if (deps.deployments.get(d.id)?.stage?.endsWith('_unknown')) await track(deps, d.id);
    throw err;
  }
  await track(deps, started.id);
  return started;
}
