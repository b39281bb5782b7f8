import type { Deployment, Requester } from '../domain/deployment.ts';
import type { DeployPlan } from '../domain/reports.ts';
import type { DeploySelector, ServiceDeps } from './deps.ts';
import { asKlepaas, imageRefFor, imageRepository, requireReady } from './guards.ts';
import { startBuild } from './rollback.ts';
import { toRunning } from './rules/candidates.ts';
import { deploymentInFlight, refNotFound } from './rules/messages.ts';
import { track } from './start.ts';

/**
 * What a deploy would do: the setup checks, no deployment in flight, and the ref (default branch when
 * none) resolved to a commit in the SourceCommit repository. No side effects.
 */
export async function planDeploy(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  sel: DeploySelector,
): Promise<DeployPlan> {
  const ready = requireReady(deps, owner, repo);
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
  const current = deps.deployments.current(i.owner, i.repo);
  return {
    owner: i.owner,
    repo: i.repo,
    ref,
    commitSha: commit.sha,
    commitMessage: commit.message,
    current: current ? toRunning(current) : null,
    imageRef: imageRefFor(ready, commit.sha),
  };
}

/**
 * Starts a planned deploy: one record `building` (operation deploy), a SourceBuild run of the resolved
 * commit, and the tracker. The poller calls `continueAfterBuild` when the build succeeds. A failed start
 * leaves the record `failed` at stage `build` with NCP's reason.
 */
export async function executeDeploy(
  deps: ServiceDeps,
  plan: DeployPlan,
  requester: Requester,
  requestKey: string | null,
): Promise<Deployment> {
  if (requestKey) {
    const seen = deps.deployments.findByRequestKey(requestKey);
    if (seen) return seen;
  }
  const ready = requireReady(deps, plan.owner, plan.repo);
  const created = deps.deployments.create({
    owner: plan.owner,
    repo: plan.repo,
    commitSha: plan.commitSha,
    commitMessage: plan.commitMessage,
    ref: plan.ref,
    operation: 'deploy',
    rollbackFromId: null,
    status: 'building',
    image: imageRepository(ready),
    imageTag: plan.commitSha.slice(0, 7),
    requestKey,
    requestedBy: requester.user,
    requestedVia: requester.via,
    lang: requester.lang,
    slackChannel: requester.slackChannel ?? null,
    slackThreadTs: requester.slackThreadTs ?? null,
  });
  const d = deps.deployments.update(created.id, { startedAt: deps.clock.now() });
  deps.logger.info({ module: 'services', deploymentId: d.id, commit: d.imageTag }, 'deploy started');
  const started = await startBuild(deps, d, ready);
  await track(deps, started.id);
  return started;
}
