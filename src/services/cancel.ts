import type { Deployment, Requester } from '../domain/deployment.ts';
import { isInFlight, lacksRunId } from '../domain/deployment.ts';
import { mapBuildStatus, mapDeployStatus } from '../domain/ncp-status.ts';
import type { ServiceDeps } from './deps.ts';
import { asKlepaas, type ReadyIntegration, requireReady } from './guards.ts';
import type { CancelTarget } from './ports.ts';
import { findUnrecordedRun, restoreManifest } from './reconcile.ts';
import { canceledReason, nothingToCancel, releasedReason } from './rules/cancel-messages.ts';

/** Who asks for the cancel, and why (a release of a record with no NCP run is kept with its reason). */
export interface CancelRequest {
  readonly requester: Requester;
  readonly reason?: string | null;
}

export type CancelOutcome =
  | {
      readonly accepted: true;
      readonly deployment: Deployment;
      /** `canceled`: NCP canceled the run; `released`: NCP has no run of it, the record was let go. */
      readonly how: 'canceled' | 'released';
      /** What happened to the manifest, in English; empty when it was not touched. */
      readonly manifestNote: string;
    }
  | {
      readonly accepted: false;
      readonly deployment: Deployment;
      /** `finished`: the run ended before the cancel took (the poller records how). */
      readonly why: 'finished' | 'not_supported';
    };

/**
 * `cancel <owner/repo>` from the CLI, chat or the slash command: the record in flight of the repo, or
 * NOTHING_TO_CANCEL. The caller checks that the requester may deploy the repo.
 */
export async function cancelDeployment(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  req: CancelRequest,
): Promise<CancelOutcome> {
  const d = deps.deployments.inFlight(owner, repo);
  if (!d) throw nothingToCancel(owner, repo);
  return cancelRunning(deps, d, req);
}

/**
 * Cancels the build or deploy of an in-flight record on NCP (CancelBuild / CancelDeploy), puts the
 * manifest back when it names this record's image, and ends the record `canceled` with who did it. A
 * record without a run id is first looked up in NCP's history (a start in doubt is still cancelable);
 * when NCP has no run of it the record is released: ended `canceled` with the reason, in the audit log.
 * A run that NCP reports finished is left to the poller, which records what NCP reached.
 */
export async function cancelRunning(
  deps: ServiceDeps,
  record: Deployment,
  req: CancelRequest = { requester: { via: 'cli', user: null, lang: 'en' } },
): Promise<CancelOutcome> {
  const log = deps.logger.child({ module: 'services', deploymentId: record.id });
  let d = deps.deployments.get(record.id) ?? record;
  if (!isInFlight(d.status)) return { accepted: false, deployment: d, why: 'finished' };
  const ready = requireReady(deps, d.owner, d.repo);
  const by = req.requester.user ?? req.requester.via;

  if (lacksRunId(d)) {
    const since = (d.stageAt ?? d.startedAt ?? d.requestedAt).getTime() - 5_000;
    let found: Awaited<ReturnType<typeof findUnrecordedRun>>;
    try {
      found = await findUnrecordedRun(deps, d, ready, since);
    } catch (err) {
      throw asKlepaas(err, d.status === 'building' ? 'build' : 'deploy');
    }
    if (found === null) return release(deps, d, ready, req, by);
    const adopted = deps.deployments.updateIfInFlight(
      d.id,
      found.kind === 'build'
        ? { buildId: found.id, stage: 'build_wait' }
        : { deployHistoryId: found.id, stage: 'deploy_wait' },
    );
    if (!adopted) return { accepted: false, deployment: deps.deployments.get(d.id) ?? d, why: 'finished' };
    d = adopted;
  }

  const target = cancelTarget(d, ready);
  try {
    await deps.ncp.cancel(target);
  } catch (err) {
    throw asKlepaas(err, target.kind);
  }
  const reached = await runPhase(deps, target);
  if (reached === 'success' || reached === 'failed') {
    log.info({ reached }, 'cancel came too late: the run had ended');
    await track(deps, d.id);
    return { accepted: false, deployment: deps.deployments.get(d.id) ?? d, why: 'finished' };
  }
  const manifestNote = target.kind === 'deploy' ? await restoreManifest(deps, d, ready) : '';
  const ended = endCanceled(deps, d, by, `${canceledReason(by, target.kind)}${manifestNote}`);
  audit(deps, d, req, `canceled ${target.kind} on NCP${manifestNote}`);
  log.info({ by, target: target.kind }, 'deployment canceled');
  await track(deps, d.id);
  return { accepted: true, deployment: ended, how: 'canceled', manifestNote: manifestNote.trim() };
}

async function release(
  deps: ServiceDeps,
  d: Deployment,
  ready: ReadyIntegration,
  req: CancelRequest,
  by: string,
): Promise<CancelOutcome> {
  // Only a deploy stage can have changed the manifest; a build touches the build branch alone.
  const touched = d.status === 'deploying' && d.stage !== 'image_check' && d.stage !== 'resolve';
  const manifestNote = touched ? await restoreManifest(deps, d, ready) : '';
  const reason = req.reason?.trim() || null;
  const ended = endCanceled(deps, d, by, `${releasedReason(by, d.stage, reason)}${manifestNote}`);
  audit(deps, d, req, `released (no NCP run at ${d.stage ?? 'resolve'}): ${reason ?? 'no reason given'}`);
  deps.logger.warn(
    { module: 'services', deploymentId: d.id, by, reason, stage: d.stage },
    'record released: NCP has no run of it',
  );
  await track(deps, d.id);
  return { accepted: true, deployment: ended, how: 'released', manifestNote: manifestNote.trim() };
}

function cancelTarget(d: Deployment, ready: ReadyIntegration): CancelTarget {
  if (d.deployHistoryId !== null && d.status === 'deploying')
    return { kind: 'deploy', projectId: ready.deployTarget.projectId, historyId: d.deployHistoryId };
  if (d.buildId === null) throw new Error(`Deployment #${d.id} has no NCP run to cancel.`);
  return { kind: 'build', projectId: ready.buildProjectId, buildId: d.buildId };
}

/** NCP's word on the run right after the cancel: ended on its own, or canceled (or on its way). */
async function runPhase(deps: ServiceDeps, t: CancelTarget): Promise<string> {
  try {
    if (t.kind === 'build') {
      const run = await deps.ncp.getBuild(t.projectId, t.buildId);
      return run ? mapBuildStatus(run.status).phase : 'running';
    }
    return mapDeployStatus((await deps.ncp.getDeployRun(t.projectId, t.historyId)).status).phase;
  } catch {
    // NCP took the cancel; not hearing back now does not undo it.
    return 'canceled';
  }
}

function endCanceled(deps: ServiceDeps, d: Deployment, by: string, reason: string): Deployment {
  const now = deps.clock.now();
  const ended = deps.deployments.updateIfInFlight(d.id, {
    status: 'canceled',
    endedBy: by,
    errorMessage: reason,
    completedAt: now,
    durationMs: Math.max(0, now.getTime() - (d.startedAt ?? d.requestedAt).getTime()),
  });
  return ended ?? deps.deployments.get(d.id) ?? d;
}

function audit(deps: ServiceDeps, d: Deployment, req: CancelRequest, outcome: string): void {
  try {
    deps.audit?.record({
      actor: req.requester.user,
      via: req.requester.via,
      text: `cancel ${d.owner}/${d.repo}${req.reason ? ` (${req.reason})` : ''}`,
      intent: null,
      outcome,
      deploymentId: d.id,
    });
  } catch (err) {
    deps.logger.error({ module: 'services', deploymentId: d.id, err }, 'audit of a cancel failed');
  }
}

async function track(deps: ServiceDeps, id: number): Promise<void> {
  try {
    await deps.tracker.track(id);
  } catch (err) {
    deps.logger.error({ module: 'services', deploymentId: id, err }, 'tracker refused the deployment');
  }
}
