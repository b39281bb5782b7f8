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
  // The first step of the start protocol: the record, its request key and its stage exist before any
  // NCP call, so a crash from here on leaves something the reconciler can settle.
  return deps.deployments.update(created.id, {
    startedAt: now,
    stage: 'resolve',
    ...(requester.reason ? { reason: requester.reason } : {}),
  });
}

/** A fault-test halt point; nothing unless HALT_AT names it. */
export const haltAt = async (deps: ServiceDeps, point: string): Promise<void> => {
  if (deps.halt) await deps.halt(point);
};

/**
 * Stores NCP's run id in the same write that moves the record on, and only while it is still in flight:
 * if the reconciler ended it meanwhile (this process was presumed dead), the write is refused loudly
 * rather than reopening an ended record.
 */
export function storeRunId(
  deps: ServiceDeps,
  id: number,
  patch: Parameters<ServiceDeps['deployments']['update']>[1],
): Deployment {
  const stored = deps.deployments.updateIfInFlight(id, patch);
  if (stored) return stored;
  deps.logger.error(
    { module: 'services', deploymentId: id, patch },
    'the record ended while its NCP start was in progress; the run id is not stored',
  );
  throw new Error(`Deployment #${id} ended while NCP was starting it; check the NCP console.`);
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
    deps.deployments.updateIfInFlight(id, {
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
