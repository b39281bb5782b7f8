import type { Deployment, FailedStage, Requester } from '../domain/deployment.ts';
import { shortSha } from '../domain/repo-ref.ts';
import type { ServiceDeps } from './deps.ts';
import { asKlepaas, imageRepository, type ReadyIntegration, reasonOf, requireReady } from './guards.ts';
import type { NewDeployment } from './ports.ts';
import { invalidInput, manifestUpdateFailed } from './rules/messages.ts';

/** The record an earlier request with the same key started (a retried Slack event), if any. */
export const startedBefore = (deps: ServiceDeps, requestKey: string | null): Deployment | null =>
  requestKey ? deps.deployments.findByRequestKey(requestKey) : null;

/** What differs between a deploy's record and a rollback's; the rest comes from the integration and requester. */
export type RecordFields = Pick<
  NewDeployment,
  | 'owner'
  | 'repo'
  | 'commitSha'
  | 'commitMessage'
  | 'ref'
  | 'operation'
  | 'rollbackFromId'
  | 'status'
  | 'imageTag'
>;

/**
 * Creates the record of a start, stamped started now. The store's partial unique index refuses a second
 * in-flight record of the repo (DEPLOYMENT_IN_FLIGHT).
 */
export function openRecord(
  deps: ServiceDeps,
  ready: ReadyIntegration,
  fields: RecordFields,
  requester: Requester,
  requestKey: string | null,
): Deployment {
  const now = deps.clock.now();
  const created = deps.deployments.create({
    ...fields,
    image: imageRepository(ready),
    requestKey,
    requestedBy: requester.user,
    requestedVia: requester.via,
    lang: requester.lang,
    slackChannel: requester.slackChannel ?? null,
    slackThreadTs: requester.slackThreadTs ?? null,
  });
  return deps.deployments.update(created.id, { startedAt: now });
}

/**
 * Ends a started record as failed with its reason, so nothing half-done stays in flight. Never throws:
 * the error that caused it is the one the caller must see.
 */
export function failDeployment(deps: ServiceDeps, id: number, stage: FailedStage, err: unknown): void {
  const now = deps.clock.now();
  try {
    const d = deps.deployments.get(id);
    const started = d?.startedAt ?? d?.requestedAt ?? now;
    deps.deployments.update(id, {
      status: 'failed',
      errorStage: stage,
      errorMessage: reasonOf(err),
      completedAt: now,
      durationMs: Math.max(0, now.getTime() - started.getTime()),
    });
  } catch (updateErr) {
    deps.logger.error(
      { module: 'services', deploymentId: id, err: updateErr },
      'could not mark deployment failed',
    );
  }
}

/** Hands the record to the poller; a tracker hiccup must not undo a start that NCP accepted. */
export async function track(deps: ServiceDeps, id: number): Promise<void> {
  try {
    await deps.tracker.track(id);
  } catch (err) {
    deps.logger.error({ module: 'services', deploymentId: id, err }, 'tracker refused the deployment');
  }
}

/**
 * The SourceBuild run of a deploy, or of a rollback whose image is gone; the record stays `building` until
 * the poller moves it on.
 */
export async function startBuild(
  deps: ServiceDeps,
  d: Deployment,
  ready: ReadyIntegration,
): Promise<Deployment> {
  try {
    const { buildId } = await deps.ncp.startBuild(ready.buildProjectId, {
      ref: d.ref,
      commitSha: d.commitSha,
    });
    return deps.deployments.update(d.id, { buildId });
  } catch (cause) {
    const err = asKlepaas(cause, 'build');
    failDeployment(deps, d.id, 'build', err);
    throw err;
  }
}

/**
 * The second half of every start: point the deploy manifest at the record's image, then run the
 * SourceDeploy scenario. A manifest failure ends the record failed at stage `manifest` and nothing runs.
 */
export async function rollOut(
  deps: ServiceDeps,
  d: Deployment,
  ready: ReadyIntegration,
): Promise<Deployment> {
  const log = deps.logger.child({ module: 'services', deploymentId: d.id });
  if (!d.image || !d.imageTag || !d.commitSha) {
    const err = invalidInput(
      `Deployment #${d.id} has no image to deploy.`,
      `배포 #${d.id}에 배포할 이미지가 없습니다.`,
    );
    failDeployment(deps, d.id, 'manifest', err);
    throw err;
  }
  const imageRef = `${d.image}:${d.imageTag}`;
  const verb = d.operation === 'rollback' ? 'Roll back' : 'Deploy';
  const message = `${verb} ${d.owner}/${d.repo} to ${shortSha(d.commitSha)} (klepaas-bot #${d.id})`;
  try {
    const res = await deps.ncp.setManifestImage(ready.source, ready.manifestPath, imageRef, message);
    log.info({ imageRef, manifestCommit: res.commitSha, changed: res.changed }, 'manifest updated');
  } catch (cause) {
    const err = manifestUpdateFailed(d.owner, d.repo, cause);
    failDeployment(deps, d.id, 'manifest', err);
    throw err;
  }
  let historyId: string;
  try {
    ({ historyId } = await deps.ncp.runScenario(ready.deployTarget));
  } catch (cause) {
    const err = asKlepaas(cause, 'deploy');
    failDeployment(deps, d.id, 'deploy', err);
    throw err;
  }
  log.info({ historyId }, 'scenario started');
  return deps.deployments.update(d.id, { status: 'deploying', deployHistoryId: historyId });
}

/**
 * Called by the poller when the SourceBuild run of a `building` record succeeded: moves the record to
 * `deploying`, updates the manifest and runs the scenario (same path as a start whose image exists).
 * Returns the record as it now stands. A record no longer `building` is returned untouched, so a repeated
 * call does nothing twice. Throws (after marking the record failed) when the manifest or scenario fails.
 */
export async function continueAfterBuild(deps: ServiceDeps, deploymentId: number): Promise<Deployment> {
  const d = deps.deployments.get(deploymentId);
  if (!d) {
    throw invalidInput(
      `Deployment #${deploymentId} does not exist.`,
      `배포 #${deploymentId}이(가) 없습니다.`,
    );
  }
  if (d.status !== 'building') return d;
  // Claimed synchronously, before any await, so a second call in this process sees `deploying`.
  const claimed = deps.deployments.update(d.id, { status: 'deploying', ncpStatus: null });
  let ready: ReadyIntegration;
  try {
    ready = requireReady(deps, d.owner, d.repo);
  } catch (err) {
    failDeployment(deps, d.id, 'manifest', err);
    throw err;
  }
  return rollOut(deps, claimed, ready);
}
