import type { Deployment, Integration } from '../domain/deployment.ts';
import type { VerificationFigures, VerifyFailure } from '../domain/verification.ts';
import type { Logger } from '../log/logger.ts';
import type { DeploymentStore, IntegrationStore } from '../services/ports.ts';
import type { AppEndpoints } from '../verify/probe.ts';
import { endpointsOf, settingsFor } from '../verify/settings.ts';
import { type StoredVerify, storedVerifySchema } from '../verify/state-schema.ts';
import { initialVerifyState, type Look, stepVerification, type VerifyState } from '../verify/step.ts';
import type { VerifySettings } from '../verify/thresholds.ts';

/** What the services do once a verification has a verdict; both idempotent per deployment. */
export interface VerificationFollowUp {
  /**
   * After a failed verification: the commit a person's rollback button would go back to, and the
   * rollback the bot started when the integration asks for one (the same one however often called).
   */
  afterFailure(
    deploymentId: number,
    failed: VerifyFailure,
  ): Promise<{ rollbackTargetSha: string | null; autoRollbackId: number | null }>;
  /** After a passed verification. */
  afterSuccess(deploymentId: number): Promise<void>;
}

export interface VerifyDeps {
  readonly look: (app: AppEndpoints, timeoutMs: number) => Promise<Look>;
  /** The defaults an integration overrides. */
  readonly defaults: VerifySettings;
  readonly followUp?: VerificationFollowUp;
}

export interface VerifyJobContext {
  readonly store: Pick<DeploymentStore, 'get' | 'update' | 'latest'>;
  readonly integrations: Pick<IntegrationStore, 'find'>;
  readonly verify: VerifyDeps;
  readonly log: Logger;
}

export type VerifyTick =
  | { readonly kind: 'again'; readonly delayMs: number; readonly record: Deployment; readonly first: boolean }
  | {
      readonly kind: 'done';
      readonly record: Deployment;
      readonly outcome: 'verified' | 'verification_failed';
    }
  | { readonly kind: 'dropped'; readonly record: Deployment };

/** The patch that starts verification on a record that just reached success; null: none configured. */
export function verificationStart(
  i: Integration | null,
  defaults: VerifySettings | null,
  now: Date,
): Pick<Deployment, 'verifyStatus' | 'verifyState' | 'verification'> | null {
  if (!i || !defaults) return null;
  const app = endpointsOf(i);
  if (!app) return null;
  const s = settingsFor(i, defaults);
  const look = initialVerifyState(now.getTime(), app.metricsUrl !== null);
  const stored: StoredVerify = { look, verdict: null };
  return {
    verifyStatus: 'verifying',
    verifyState: stored,
    verification: figuresOf(look, s, 'verifying', null, now, null),
  };
}

function figuresOf(
  look: VerifyState,
  s: VerifySettings,
  status: VerificationFigures['status'],
  failed: VerifyFailure | null,
  now: Date,
  prior: VerificationFigures | null,
  endedAt: Date | null = null,
): VerificationFigures {
  return {
    status,
    startedAt: new Date(look.startedAt).toISOString(),
    endedAt: endedAt ? endedAt.toISOString() : null,
    windowMs: s.windowMs,
    elapsedMs: Math.max(0, now.getTime() - look.startedAt),
    checks: look.checks,
    healthStatus: look.lastHealthStatus,
    healthProblem: look.lastHealthProblem,
    metrics: look.metrics,
    metricsProblem: look.metricsProblem,
    requests: look.window?.requests ?? null,
    errorShare: look.window?.errorShare ?? null,
    p95Ms: look.window?.p95Ms ?? null,
    maxErrorShare: s.maxErrorShare,
    maxP95Ms: s.maxP95Ms,
    failed,
    autoRollbackId: prior?.autoRollbackId ?? null,
    rollbackTargetSha: prior?.rollbackTargetSha ?? null,
  };
}

/**
 * One look at a deployment that succeeded, as a step of its poll job: read the stored window, ask the
 * app, decide, store. A verdict is written before its follow-up runs and the record is marked final only
 * after, so a process that dies between the two finishes the follow-up on resume (idempotent) instead of
 * losing it.
 */
export async function runVerifyTick(ctx: VerifyJobContext, d: Deployment, now: Date): Promise<VerifyTick> {
  const log = ctx.log.child({ module: 'verify', deploymentId: d.id });
  const i = ctx.integrations.find(d.owner, d.repo);
  const app = i ? endpointsOf(i) : null;
  const parsed = storedVerifySchema.safeParse(d.verifyState);
  const s = settingsFor(
    i ?? { verifyWindowMs: null, verifyMaxErrorShare: null, verifyMaxP95Ms: null },
    ctx.verify.defaults,
  );
  let stored: StoredVerify = parsed.success
    ? parsed.data
    : { look: initialVerifyState(now.getTime(), app?.metricsUrl != null), verdict: null };
  if (!parsed.success) log.warn('stored verification state unreadable; the window starts again');

  if (stored.verdict === null) {
    const latest = ctx.store.latest(d.owner, d.repo);
    if (!app || (latest && latest.id !== d.id)) {
      // Verification was turned off, or a newer deployment replaced this one: its figures no longer
      // describe what runs.
      const record = ctx.store.update(d.id, {
        verifyStatus: 'superseded',
        verifyState: null,
        verification: d.verification ? { ...d.verification, status: 'superseded' } : null,
      });
      return { kind: 'dropped', record };
    }
    const look = await ctx.verify.look(app, s.probeTimeoutMs);
    const step = stepVerification(stored.look, look, now.getTime(), s);
    if (step.kind === 'again') {
      stored = { look: step.state, verdict: null };
      const record = ctx.store.update(d.id, {
        verifyState: stored,
        verification: figuresOf(step.state, s, 'verifying', null, now, d.verification),
      });
      return { kind: 'again', delayMs: step.delayMs, record, first: step.state.checks === 1 };
    }
    const r = step.result;
    stored = { look: r.state, verdict: { outcome: r.outcome, failed: r.failed, elapsedMs: r.elapsedMs } };
    d = ctx.store.update(d.id, {
      verifyState: stored,
      verification: figuresOf(r.state, s, 'verifying', r.failed, now, d.verification),
    });
  }

  const verdict = stored.verdict;
  if (verdict === null) throw new Error('unreachable: verdict missing');
  let prior = d.verification;
  try {
    if (verdict.outcome === 'verification_failed' && verdict.failed && ctx.verify.followUp) {
      const next = await ctx.verify.followUp.afterFailure(d.id, verdict.failed);
      prior = prior ? { ...prior, ...next } : prior;
    } else if (verdict.outcome === 'verified' && ctx.verify.followUp) {
      await ctx.verify.followUp.afterSuccess(d.id);
    }
  } catch (err) {
    // The verdict stands whatever its follow-up did; the thread still hears it.
    log.error({ err }, 'follow-up after verification failed');
  }
  const ended = new Date(stored.look.startedAt + verdict.elapsedMs);
  const record = ctx.store.update(d.id, {
    verifyStatus: verdict.outcome,
    verifyState: null,
    verification: figuresOf(stored.look, s, verdict.outcome, verdict.failed, now, prior, ended),
  });
  log.info({ outcome: verdict.outcome, failed: verdict.failed }, 'verification finished');
  return { kind: 'done', record, outcome: verdict.outcome };
}
