import type { Deployment, PipelineStage } from '../domain/deployment.ts';
import { lacksRunId } from '../domain/deployment.ts';
import { shortSha } from '../domain/repo-ref.ts';
import type { Logger } from '../log/logger.ts';
import type { ServiceDeps } from './deps.ts';
import { type ReadyIntegration, reasonOf, requireReady } from './guards.ts';
import { DEPLOY_HISTORY_PAGE_MAX } from './ports.ts';
import { neverStarted, startAdopted } from './rules/reconcile-messages.ts';

/**
 * The one owner of "this record ended" for every record whose outcome is in doubt: a start that timed
 * out, a process killed between writing the record and storing NCP's id, a poller job lost with Redis.
 * It asks NCP (SourceBuild GetBuildHistory, SourceDeploy GetHistories) whether the run exists, adopts it
 * when it does, and only when NCP provably never started it ends the record failed, with the reason.
 *
 * "Provably": a start step is in doubt once it is older than the longest call it makes (graceMs) -- the
 * process that wrote it would have moved on by then -- or at once when NCP did not answer the call
 * (`*_unknown`, after a short margin for a request still in transit). A run of the record's build project,
 * or of its stage and scenario, that began at or after the step was written is the record's run: one
 * repo has at most one record in flight, so nothing else of ours started there since.
 */
export interface ReconcileOptions {
  /** How long a start step may stay unanswered before the process that wrote it is presumed gone. */
  readonly graceMs: number;
  /** Margin after a `*_unknown` stage was written before NCP's history is believed. */
  readonly unknownGraceMs?: number;
  /** Clock difference tolerated between NCP's run times and ours. */
  readonly skewMs?: number;
  /** reconcileAll: hand adopted and ended records to the poller (default true). */
  readonly follow?: boolean;
}

export type ReconcileResult =
  | { readonly kind: 'followed'; readonly deployment: Deployment }
  | { readonly kind: 'waiting'; readonly deployment: Deployment }
  | { readonly kind: 'adopted'; readonly deployment: Deployment; readonly runId: string }
  | { readonly kind: 'ended'; readonly deployment: Deployment }
  | { readonly kind: 'error'; readonly deployment: Deployment; readonly reason: string };

/** Stages before StartBuild was called: NCP cannot have a build of this record. */
const beforeBuildStart: readonly PipelineStage[] = ['resolve', 'build_branch', 'build_tag'];
/** Stages before Deploy was called. */
const beforeDeployStart: readonly PipelineStage[] = ['resolve', 'image_check', 'manifest'];
const DEFAULT_SKEW_MS = 5_000;

/** One record: followed as it is, left while its start may still be in progress, adopted, or ended. */
export async function reconcileRecord(
  deps: ServiceDeps,
  id: number,
  opts: ReconcileOptions,
): Promise<ReconcileResult> {
  const d = deps.deployments.get(id);
  if (!d) throw new Error(`Deployment #${id} does not exist.`);
  if (!lacksRunId(d)) return { kind: 'followed', deployment: d };
  const log: Logger = deps.logger.child({ module: 'reconcile', deploymentId: d.id });
  const now = deps.clock.now().getTime();
  const stageAt = (d.stageAt ?? d.startedAt ?? d.requestedAt).getTime();
  const unknown = d.stage?.endsWith('_unknown') === true;
  const grace = unknown ? Math.min(opts.graceMs, opts.unknownGraceMs ?? 2_000) : opts.graceMs;
  if (now - stageAt < grace) return { kind: 'waiting', deployment: d };

  let ready: ReadyIntegration;
  try {
    ready = requireReady(deps, d.owner, d.repo);
  } catch (err) {
    return end(deps, d, 'poll', `the integration cannot be read (${reasonOf(err)})`);
  }
  const since = stageAt - (opts.skewMs ?? DEFAULT_SKEW_MS);
  const building = d.status === 'building' || d.status === 'queued';
  try {
    if (building) {
      if (d.stage === null || beforeBuildStart.includes(d.stage))
        return end(deps, d, 'build', neverStarted('build', d.stage));
      const runId = await findBuild(deps, d, ready, since);
      if (runId === null) return end(deps, d, 'build', neverStarted('build', d.stage, true));
      return adopt(deps, d, { buildId: runId, stage: 'build_wait', ncpStatus: null }, runId, log);
    }
    if (d.stage === null || beforeDeployStart.includes(d.stage)) {
      const note = d.stage === 'manifest' ? await restoreManifest(deps, d, ready) : '';
      return end(deps, d, 'deploy', `${neverStarted('deploy', d.stage)}${note}`);
    }
    const runId = await findDeploy(deps, d, ready, since);
    if (runId === null) {
      const note = await restoreManifest(deps, d, ready);
      return end(deps, d, 'deploy', `${neverStarted('deploy', d.stage, true)}${note}`);
    }
    return adopt(
      deps,
      d,
      { deployHistoryId: runId, stage: 'deploy_wait', status: 'deploying', ncpStatus: null },
      runId,
      log,
    );
  } catch (err) {
    // NCP did not answer the question: nothing is decided, the next pass asks again.
    log.warn({ err }, 'reconciliation could not reach NCP; will ask again');
    return { kind: 'error', deployment: d, reason: reasonOf(err) };
  }
}

/** Every record in flight, oldest first; a record's failure never stops the others. */
export async function reconcileAll(deps: ServiceDeps, opts: ReconcileOptions): Promise<ReconcileResult[]> {
  const out: ReconcileResult[] = [];
  for (const d of deps.deployments.allInFlight()) {
    try {
      const r = await reconcileRecord(deps, d.id, opts);
      out.push(r);
      if (r.kind !== 'waiting' && r.kind !== 'error' && opts.follow !== false) await follow(deps, d.id);
    } catch (err) {
      deps.logger.error({ module: 'reconcile', deploymentId: d.id, err }, 'reconciling a record failed');
    }
  }
  return out;
}

/**
 * The NCP run of a record that has no id stored yet, looked up as the reconciler does (any stage): the
 * build of its project since `sinceMs`, or the run of its stage and scenario. Null: NCP lists none.
 */
export async function findUnrecordedRun(
  deps: ServiceDeps,
  d: Deployment,
  ready: ReadyIntegration,
  sinceMs: number,
): Promise<{ readonly kind: 'build' | 'deploy'; readonly id: string } | null> {
  if (d.status === 'building' || d.status === 'queued') {
    const id = await findBuild(deps, d, ready, sinceMs);
    return id === null ? null : { kind: 'build', id };
  }
  const id = await findDeploy(deps, d, ready, sinceMs);
  return id === null ? null : { kind: 'deploy', id };
}

/** Hands the record to the poller: it follows an adopted run and sends an ended record's notice once. */
async function follow(deps: ServiceDeps, id: number): Promise<void> {
  try {
    await deps.tracker.track(id);
  } catch (err) {
    deps.logger.error({ module: 'reconcile', deploymentId: id, err }, 'tracker refused the deployment');
  }
}

async function findBuild(
  deps: ServiceDeps,
  d: Deployment,
  ready: ReadyIntegration,
  since: number,
): Promise<string | null> {
  // The build project's tag is the record's image tag from build_tag on: a run under another tag is not ours.
  const project = await deps.ncp.getBuildProject(ready.buildProjectId);
  const tag = d.imageTag ?? (d.commitSha ? shortSha(d.commitSha) : null);
  if (tag !== null && project.dockerbuild?.tag !== undefined && project.dockerbuild.tag !== tag) return null;
  const runs = await deps.ncp.listBuilds(ready.buildProjectId);
  const ours = runs
    .filter((r) => r.startedAt !== null && r.startedAt.getTime() >= since)
    .filter((r) => !claimed(deps, d, 'build', r.buildId))
    .sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0));
  return ours[0]?.buildId ?? null;
}

/** A run another record already stored is that record's, whatever the time window says. */
const claimed = (deps: ServiceDeps, d: Deployment, kind: 'build' | 'deploy', runId: string): boolean => {
  const owner = deps.deployments.findByRunId(kind, runId);
  return owner !== null && owner.id !== d.id;
};

async function findDeploy(
  deps: ServiceDeps,
  d: Deployment,
  ready: ReadyIntegration,
  since: number,
): Promise<string | null> {
  const t = ready.deployTarget;
  // Newest first: the first page reaches back far enough unless a hundred runs started since the step.
  const items = await deps.ncp.listDeployHistories(t.projectId, { pageSize: DEPLOY_HISTORY_PAGE_MAX });
  const ours = items
    .filter((h) => (h.stageId === null || h.stageId === t.stageId) && h.scenarioId === t.scenarioId)
    // Seconds from GetHistories: compare at that resolution.
    .filter((h) => h.startedAt !== null && h.startedAt.getTime() >= Math.floor(since / 1000) * 1000)
    .filter((h) => !claimed(deps, d, 'deploy', h.historyId))
    .sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0));
  return ours[0]?.historyId ?? null;
}

async function adopt(
  deps: ServiceDeps,
  d: Deployment,
  patch: Parameters<ServiceDeps['deployments']['update']>[1],
  runId: string,
  log: Logger,
): Promise<ReconcileResult> {
  const after = deps.deployments.updateIfInFlight(d.id, patch);
  if (!after) return { kind: 'ended', deployment: deps.deployments.get(d.id) ?? d };
  log.info({ runId, stage: d.stage }, 'start in doubt: NCP has the run, adopted');
  deps.audit?.record({
    actor: null,
    via: d.requestedVia,
    text: `reconcile #${d.id}`,
    intent: null,
    outcome: startAdopted(d.stage, runId),
    deploymentId: d.id,
  });
  return { kind: 'adopted', deployment: after, runId };
}

function end(
  deps: ServiceDeps,
  d: Deployment,
  stage: 'build' | 'deploy' | 'poll',
  reason: string,
): ReconcileResult {
  const now = deps.clock.now();
  const after = deps.deployments.updateIfInFlight(d.id, {
    status: 'failed',
    errorStage: stage,
    errorMessage: reason,
    completedAt: now,
    durationMs: Math.max(0, now.getTime() - (d.startedAt ?? d.requestedAt).getTime()),
  });
  deps.logger.warn({ module: 'reconcile', deploymentId: d.id, stage: d.stage, reason }, 'record ended');
  return { kind: 'ended', deployment: after ?? deps.deployments.get(d.id) ?? d };
}

/**
 * The manifest may name this record's image while no deploy of it ran: put back the image of what runs
 * (the newest successful record), so SourceCommit keeps describing the cluster.
 */
export async function restoreManifest(
  deps: ServiceDeps,
  d: Deployment,
  ready: ReadyIntegration,
): Promise<string> {
  const running = deps.deployments.current(d.owner, d.repo);
  if (!running?.image || !running.imageTag) return '';
  const ref = `${running.image}:${running.imageTag}`;
  try {
    const edit = await deps.ncp.setManifestImage(
      ready.source,
      ready.manifestPath,
      ref,
      `Restore ${d.owner}/${d.repo} manifest: #${d.id} did not deploy (klepaas-bot)`,
    );
    return edit.changed ? ` The manifest was put back to ${ref}.` : '';
  } catch (err) {
    return ` Putting the manifest back to ${ref} failed (${reasonOf(err)}).`;
  }
}
