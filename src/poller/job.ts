import { z } from 'zod';
import type { Deployment, RepoPin } from '../domain/deployment.ts';
import { awaitsReconciliation, isTerminal, lacksRunId } from '../domain/deployment.ts';
import { isKlepaasError } from '../domain/errors.ts';
import { mapBuildStatus, mapDeployStatus, type StatusMapping } from '../domain/ncp-status.ts';
import type { Logger } from '../log/logger.ts';
import type {
  Clock,
  DeploymentPatch,
  DeploymentStore,
  IntegrationStore,
  NcpPort,
} from '../services/ports.ts';
import type { PollerEvent, PollerEventKind, PollerEvents } from './events.ts';
import type { OnceGuard } from './once.ts';
import {
  decideStep,
  durationFrom,
  type Observation,
  type Phase,
  type PollLimits,
  phaseOf,
  type RunState,
  type StepDecision,
  type TerminalDecision,
} from './step.ts';
import { runVerifyTick, type VerifyDeps, verificationStart } from './verify-job.ts';

/**
 * Continues a deployment whose build has just succeeded (manifest update, scenario run, status
 * `deploying` with the new deploy history id). Implemented by the services; the poller only calls it.
 */
export interface BuildContinuation {
  continueAfterBuild(deploymentId: number): Promise<unknown>;
  /** A record reached success (a rollback pins its repo); idempotent, never a verdict on the record. */
  afterSuccess?(deploymentId: number): Promise<RepoPin | null | undefined>;
}

export interface PollJobDeps {
  readonly store: Pick<DeploymentStore, 'get' | 'update' | 'updateIfInFlight' | 'latest'>;
  readonly integrations: Pick<IntegrationStore, 'find'>;
  readonly ncp: Pick<NcpPort, 'getBuild' | 'getDeployRun'>;
  readonly continuation: BuildContinuation;
  /**
   * Settles a record whose start is in doubt (no NCP id for its phase): adopts NCP's run or ends the
   * record. Absent: such a record is left alone, as before reconciliation existed.
   */
  readonly reconciler?: { reconcile(deploymentId: number): Promise<void> };
  readonly events: PollerEvents;
  readonly once: OnceGuard;
  readonly clock: Clock;
  readonly limits: PollLimits;
  readonly log: Logger;
  /** Verification after success; absent: a success ends the job. */
  readonly verify?: VerifyDeps;
}

/** What a driver keeps between ticks of one deployment (BullMQ stores it in the job's data). */
export const pollStateSchema = z.object({
  deploymentId: z.number().int().positive(),
  /** ISO time the deploy phase began, fixed the first time the poller sees that phase. */
  deployPhaseStartedAt: z.string().nullable().default(null),
  ncpErrors: z.number().int().min(0).default(0),
  /** Raw statuses the mapping did not know, each logged once per deployment. */
  unknownLogged: z.array(z.string()).default([]),
  ticks: z.number().int().min(0).default(0),
});
export type PollState = z.infer<typeof pollStateSchema>;

export const initialPollState = (deploymentId: number): PollState => ({
  deploymentId,
  deployPhaseStartedAt: null,
  ncpErrors: 0,
  unknownLogged: [],
  ticks: 0,
});

export type TickResult =
  | { readonly next: 'again'; readonly delayMs: number; readonly state: PollState }
  | { readonly next: 'done'; readonly state: PollState };

const toRunState = (m: StatusMapping): RunState =>
  !m.known ? 'unknown' : m.phase === 'success' ? 'succeeded' : m.phase;

const terminalKind: Record<TerminalDecision['status'], PollerEventKind> = {
  success: 'succeeded',
  failed: 'failed',
  canceled: 'canceled',
  timed_out: 'timed_out',
};

/**
 * One tick for one deployment: read the record, ask NCP about the record's own build or deploy run,
 * decide, write, publish. Running it twice for the same tick changes nothing more and publishes
 * nothing twice (every event passes the once-guard under a key naming the change).
 */
export async function runTick(deps: PollJobDeps, input: PollState): Promise<TickResult> {
  const id = input.deploymentId;
  const log = deps.log.child({ module: 'poller', deploymentId: id });
  const state: PollState = { ...input, ticks: input.ticks + 1, unknownLogged: [...input.unknownLogged] };
  const now = deps.clock.now();

  const d = deps.store.get(id);
  if (d === null) {
    log.warn('deployment record not found; nothing to follow');
    return { next: 'done', state };
  }
  if (isTerminal(d.status)) {
    // Written by an earlier run that stopped before publishing, or by the services: tell people once.
    await publishTerminal(deps, d, d.status, null, null, now);
    if (d.verifyStatus === 'verifying' && deps.verify) return verifyStep(deps, d, state, now);
    return { next: 'done', state };
  }
  if (lacksRunId(d) && (deps.reconciler || awaitsReconciliation(d))) {
    // No run id to follow, and guessing an outcome would be wrong either way: the reconciler asks NCP.
    if (!deps.reconciler) {
      log.warn({ stage: d.stage }, 'start not confirmed by NCP; left for reconciliation');
      return { next: 'done', state };
    }
    await deps.reconciler.reconcile(id);
    const settled = deps.store.get(id) ?? d;
    if (isTerminal(settled.status)) {
      await publishTerminal(deps, settled, d.status, null, null, now);
      return { next: 'done', state };
    }
    // Still starting in this or another process, or NCP unreachable: look again next interval.
    if (lacksRunId(settled)) return { next: 'again', delayMs: deps.limits.intervalMs, state };
    return runTick(deps, { ...state, ticks: input.ticks });
  }
  await emit(deps, 'started', `deployment:${id}:started`, d, d, null, null, now);

  const phase = phaseOf(d);
  const observation = await observe(deps, d, phase, state, log);
  if (
    phase === 'deploy' &&
    observation.kind === 'deploy' &&
    d.ncpStatus === 'pending' &&
    observation.run.status !== 'pending'
  ) {
    // The approver decided: the deploy limit counts from now, not from when the run began waiting.
    state.deployPhaseStartedAt = now.toISOString();
  }
  const phaseStartedAt = phaseStart(d, phase, observation, state, now);
  const decision = decideStep({ deployment: d, observation, now, phaseStartedAt, limits: deps.limits });
  return apply(deps, d, decision, state, now, log);
}

async function observe(
  deps: PollJobDeps,
  d: Deployment,
  phase: Phase,
  state: PollState,
  log: Logger,
): Promise<Observation & { startedAt?: Date | null }> {
  const id = phase === 'build' ? d.buildId : d.deployHistoryId;
  if (id === null) return { kind: 'nothing' };
  try {
    const integration = deps.integrations.find(d.owner, d.repo);
    const projectId = phase === 'build' ? integration?.buildProjectId : integration?.deployProjectId;
    if (!projectId) throw new Error(`no ${phase} project id configured for ${d.owner}/${d.repo}`);
    if (phase === 'build') {
      const run = await deps.ncp.getBuild(projectId, id);
      if (run === null) return { kind: 'build', state: 'running', run: null };
      const runState = toRunState(mapBuildStatus(run.status));
      if (run.status !== null) noteUnknown(runState, run.status, state, log);
      return { kind: 'build', state: runState, run, startedAt: run.startedAt };
    }
    const run = await deps.ncp.getDeployRun(projectId, id);
    const runState = toRunState(mapDeployStatus(run.status));
    noteUnknown(runState, run.status, state, log);
    return { kind: 'deploy', state: runState, run, startedAt: run.startedAt };
  } catch (err) {
    // A failed poll says nothing about the deployment: count it, log it, and ask again next tick.
    state.ncpErrors += 1;
    const message = err instanceof Error ? err.message : String(err);
    log.warn({ err, phase, ncpErrors: state.ncpErrors }, 'NCP status poll failed; will retry next tick');
    return { kind: 'error', message };
  }
}

function noteUnknown(runState: RunState, raw: string, state: PollState, log: Logger): void {
  if (runState !== 'unknown' || state.unknownLogged.includes(raw)) return;
  state.unknownLogged.push(raw);
  log.warn({ ncpStatus: raw }, 'unknown NCP status; treated as still running');
}

function phaseStart(
  d: Deployment,
  phase: Phase,
  o: Observation & { startedAt?: Date | null },
  state: PollState,
  now: Date,
): Date {
  const workStart = d.startedAt ?? d.requestedAt;
  if (phase === 'build') return workStart;
  if (state.deployPhaseStartedAt === null) {
    // Without a build, the deploy phase is the whole deployment. After a build, the run's own start is
    // the best record; failing that, now, so a resumed poller never times a deploy out early.
    const start = d.buildId === null ? workStart : (o.startedAt ?? now);
    state.deployPhaseStartedAt = start.toISOString();
  }
  return new Date(state.deployPhaseStartedAt);
}

async function apply(
  deps: PollJobDeps,
  d: Deployment,
  decision: StepDecision,
  state: PollState,
  now: Date,
  log: Logger,
): Promise<TickResult> {
  if (decision.kind === 'poll') {
    if (decision.ncpStatus !== d.ncpStatus) {
      const after = deps.store.update(d.id, { ncpStatus: decision.ncpStatus });
      await emitProgress(deps, d, after, decision.phase, now);
    }
    return { next: 'again', delayMs: decision.delayMs, state };
  }

  if (decision.kind === 'build_succeeded') {
    const built =
      d.ncpStatus === decision.ncpStatus ? d : deps.store.update(d.id, { ncpStatus: decision.ncpStatus });
    log.info({ ncpStatus: decision.ncpStatus }, 'build succeeded; continuing to deploy');
    try {
      await deps.continuation.continueAfterBuild(d.id);
    } catch (err) {
      log.error({ err }, 'continuing after the build failed');
      const current = deps.store.get(d.id) ?? built;
      if (!isTerminal(current.status)) {
        const message = isKlepaasError(err)
          ? err.messages.en
          : err instanceof Error
            ? err.message
            : String(err);
        const stage = isKlepaasError(err) && err.code === 'MANIFEST_UPDATE_FAILED' ? 'manifest' : 'deploy';
        deps.store.update(d.id, {
          status: 'failed',
          errorStage: stage,
          errorMessage: message,
          completedAt: now,
          durationMs: durationFrom(d, now),
        });
      }
    }
    const after = deps.store.get(d.id) ?? built;
    if (isTerminal(after.status)) {
      await publishTerminal(deps, after, d.status, null, null, now);
      return { next: 'done', state };
    }
    state.deployPhaseStartedAt = deps.clock.now().toISOString();
    await emitProgress(deps, built, after, phaseOf(after), now);
    return { next: 'again', delayMs: deps.limits.intervalMs, state };
  }

  const verifying =
    decision.status === 'success'
      ? verificationStart(deps.integrations.find(d.owner, d.repo), deps.verify?.defaults ?? null, now)
      : null;
  const patch: DeploymentPatch =
    decision.status === 'success'
      ? {
          ...verifying,
          status: 'success',
          stage: 'done',
          ncpStatus: decision.ncpStatus,
          deployedAt: decision.deployedAt,
          completedAt: decision.completedAt,
          durationMs: decision.durationMs,
          errorMessage: null,
          errorStage: null,
        }
      : {
          status: decision.status,
          ncpStatus: decision.ncpStatus,
          completedAt: decision.completedAt,
          durationMs: decision.durationMs,
          errorMessage: decision.message,
          errorStage: decision.stage,
        };
  // Conditional: a cancel or the reconciler may have ended the record since it was read; then theirs stands.
  const ended = deps.store.updateIfInFlight(d.id, patch);
  const after = ended ?? deps.store.get(d.id) ?? d;
  let pin: RepoPin | null = null;
  // Only the tick that ended the record runs its follow-ups (verification, pin), so they run once.
  if (ended && after.status === 'success' && deps.continuation.afterSuccess) {
    pin =
      (await deps.continuation.afterSuccess(d.id).catch((err: unknown) => {
        log.error({ err }, 'follow-up after success failed');
        return null;
      })) ?? null;
  }
  log.info(
    {
      status: after.status,
      ncpStatus: after.ncpStatus,
      durationMs: after.durationMs,
      ncpErrors: state.ncpErrors,
    },
    'deployment finished',
  );
  await publishTerminal(
    deps,
    after,
    d.status,
    decision.status === 'failed' || decision.status === 'canceled' ? decision.failedPhase : null,
    decision.status === 'timed_out' ? decision.limitMs : null,
    now,
    pin,
  );
  // The first look right away: it is the zero of the metrics window.
  if (after.verifyStatus === 'verifying') return { next: 'again', delayMs: 1, state };
  return { next: 'done', state };
}

async function verifyStep(
  deps: PollJobDeps,
  d: Deployment,
  state: PollState,
  now: Date,
): Promise<TickResult> {
  const verify = deps.verify;
  if (!verify) return { next: 'done', state };
  const tick = await runVerifyTick(
    { store: deps.store, integrations: deps.integrations, verify, log: deps.log },
    d,
    now,
  );
  const r = tick.record;
  if (tick.kind === 'dropped') return { next: 'done', state };
  if (tick.kind === 'again') {
    await emit(
      deps,
      'verifying',
      `deployment:${r.id}:verify:${r.verification?.checks ?? 0}`,
      d,
      r,
      null,
      null,
      now,
    );
    return { next: 'again', delayMs: tick.delayMs, state };
  }
  await emit(deps, tick.outcome, `deployment:${r.id}:verification`, d, r, null, null, now);
  return { next: 'done', state };
}

async function emitProgress(
  deps: PollJobDeps,
  before: Deployment,
  after: Deployment,
  phase: Phase,
  now: Date,
): Promise<void> {
  const key = `deployment:${after.id}:progress:${after.status}:${after.ncpStatus ?? '-'}`;
  await emit(deps, 'progress', key, before, after, null, null, now, phase);
}

async function publishTerminal(
  deps: PollJobDeps,
  after: Deployment,
  previous: Deployment['status'],
  failedPhase: string | null,
  limitMs: number | null,
  now: Date,
  pin: RepoPin | null = null,
): Promise<void> {
  const kind = terminalKind[after.status as TerminalDecision['status']];
  if (kind === undefined) return;
  const built = buildEvent(
    kind,
    `deployment:${after.id}:terminal`,
    previous,
    after,
    failedPhase,
    limitMs,
    now,
  );
  // A rollback's success notice says what it pinned.
  const event = pin ? { ...built, pin } : built;
  if (await deps.once.first(event.key)) await deps.events.publish(event);
}

async function emit(
  deps: PollJobDeps,
  kind: PollerEventKind,
  key: string,
  before: Deployment,
  after: Deployment,
  failedPhase: string | null,
  limitMs: number | null,
  now: Date,
  phase?: Phase,
): Promise<void> {
  const event = buildEvent(kind, key, before.status, after, failedPhase, limitMs, now, phase);
  if (await deps.once.first(key)) await deps.events.publish(event);
}

function buildEvent(
  kind: PollerEventKind,
  key: string,
  previousStatus: Deployment['status'],
  d: Deployment,
  failedPhase: string | null,
  limitMs: number | null,
  now: Date,
  phase: Phase = phaseOf(d),
): PollerEvent {
  const end = d.completedAt ?? now;
  return {
    kind,
    key,
    deployment: d,
    previousStatus,
    status: d.status,
    ncpStatus: d.ncpStatus,
    phase,
    failedPhase,
    elapsedMs: d.durationMs ?? durationFrom(d, end),
    limitMs,
    at: now,
  };
}
