import { type FailedCheck, judgeWindow, type WindowFigures, windowBetween } from './evaluate.ts';
import type { RequestSample } from './sample.ts';
import type { VerifySettings } from './thresholds.ts';

/**
 * Verification as steps, like the status poller: the state is plain data a driver stores between looks
 * (so a restart resumes the same window instead of starting over), and each look is decided without I/O.
 */
export interface VerifyState {
  readonly startedAt: number;
  /** The first metrics read, the zero of the window; null until one succeeds. */
  readonly baseline: RequestSample | null;
  readonly metrics: 'not_configured' | 'ok' | 'unavailable';
  readonly metricsProblem: string | null;
  readonly checks: number;
  readonly healthFailuresInARow: number;
  readonly lastHealthStatus: number | null;
  readonly lastHealthProblem: string | null;
  readonly window: WindowFigures | null;
}

/** One look at the app: the health answer, and the metrics read when the integration has a metrics URL. */
export interface Look {
  readonly health: { readonly status: number | null; readonly problem: string | null };
  readonly metrics:
    | { readonly kind: 'not_configured' }
    | { readonly kind: 'sample'; readonly sample: RequestSample }
    | { readonly kind: 'error'; readonly problem: string };
}

export interface VerifyResult {
  readonly outcome: 'verified' | 'verification_failed';
  readonly failed: FailedCheck | null;
  readonly state: VerifyState;
  readonly elapsedMs: number;
}

export type VerifyStep =
  | { readonly kind: 'again'; readonly state: VerifyState; readonly delayMs: number }
  | { readonly kind: 'done'; readonly result: VerifyResult };

export const initialVerifyState = (now: number, metricsConfigured: boolean): VerifyState => ({
  startedAt: now,
  baseline: null,
  metrics: metricsConfigured ? 'ok' : 'not_configured',
  metricsProblem: null,
  checks: 0,
  healthFailuresInARow: 0,
  lastHealthStatus: null,
  lastHealthProblem: null,
  window: null,
});

export function stepVerification(state: VerifyState, look: Look, now: number, s: VerifySettings): VerifyStep {
  const healthy = look.health.problem === null;
  const inARow = healthy ? 0 : state.healthFailuresInARow + 1;
  let next: VerifyState = {
    ...state,
    checks: state.checks + 1,
    healthFailuresInARow: inARow,
    lastHealthStatus: look.health.status,
    lastHealthProblem: look.health.problem,
  };
  if (look.metrics.kind === 'sample') {
    const baseline = state.baseline ?? look.metrics.sample;
    next = {
      ...next,
      baseline,
      metrics: 'ok',
      metricsProblem: null,
      window: state.baseline ? windowBetween(baseline, look.metrics.sample) : next.window,
    };
  } else if (look.metrics.kind === 'error') {
    // A metrics endpoint that is gone leaves health as the only judge; the card says so.
    next = { ...next, metrics: 'unavailable', metricsProblem: look.metrics.problem };
  }
  const elapsedMs = Math.max(0, now - state.startedAt);
  const done = (failed: FailedCheck | null): VerifyStep => ({
    kind: 'done',
    result: { outcome: failed ? 'verification_failed' : 'verified', failed, state: next, elapsedMs },
  });
  if (inARow >= s.healthFailuresInARow) {
    return done({ check: 'health', detail: look.health.problem ?? 'unhealthy', failures: inARow });
  }
  const broken = next.window ? judgeWindow(next.window, s) : null;
  if (broken) return done(broken);
  if (elapsedMs >= s.windowMs) {
    // The window is over: an unhealthy last look still fails, fewer failures in a row than the limit or not.
    if (!healthy)
      return done({ check: 'health', detail: look.health.problem ?? 'unhealthy', failures: inARow });
    return done(null);
  }
  return { kind: 'again', state: next, delayMs: Math.max(1, Math.min(s.intervalMs, s.windowMs - elapsedMs)) };
}
