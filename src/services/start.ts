import type { Deployment, FailedStage, Requester } from '../domain/deployment.ts';
import type { ServiceDeps } from './deps.ts';
import { imageRepository, type ReadyIntegration, reasonOf } from './guards.ts';
import type { NewDeployment } from './ports.ts';

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
  return deps.deployments.update(created.id, {
    startedAt: now,
    ...(requester.reason ? { reason: requester.reason } : {}),
  });
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
