import { describe, expect, it } from 'vitest';
import type { RequestSample } from '../../../src/verify/sample.ts';
import {
  initialVerifyState,
  type Look,
  stepVerification,
  type VerifyStep,
} from '../../../src/verify/step.ts';
import { defaultVerifySettings, type VerifySettings } from '../../../src/verify/thresholds.ts';

const s: VerifySettings = { ...defaultVerifySettings, windowMs: 60_000, intervalMs: 10_000 };
const healthy = { status: 200, problem: null };
const sample = (requests: number, errors5xx: number): RequestSample => ({
  requests,
  errors5xx,
  latency: null,
});
const look = (health: Look['health'], metrics: Look['metrics'] = { kind: 'not_configured' }): Look => ({
  health,
  metrics,
});

/** Feeds looks 10 s apart and returns every step. */
function run(metricsConfigured: boolean, looks: Look[]): VerifyStep[] {
  let state = initialVerifyState(0, metricsConfigured);
  const steps: VerifyStep[] = [];
  for (const [i, l] of looks.entries()) {
    const step = stepVerification(state, l, i * 10_000, s);
    steps.push(step);
    if (step.kind === 'done') break;
    state = step.state;
  }
  return steps;
}

describe('verification steps', () => {
  it('passes a healthy app with clean traffic once the window is over, not before', () => {
    const looks = Array.from({ length: 8 }, (_, i) =>
      look(healthy, { kind: 'sample', sample: sample(i * 100, i) }),
    );
    const steps = run(true, looks);
    expect(steps.slice(0, -1).every((x) => x.kind === 'again')).toBe(true);
    const last = steps.at(-1);
    expect(last?.kind).toBe('done');
    if (last?.kind !== 'done') return;
    expect(last.result.outcome).toBe('verified');
    expect(last.result.elapsedMs).toBe(60_000);
    expect(last.result.state.window).toMatchObject({ requests: 600, errors5xx: 6 });
  });

  it('fails as soon as the 5xx share passes the threshold with enough requests', () => {
    const steps = run(true, [
      look(healthy, { kind: 'sample', sample: sample(0, 0) }),
      look(healthy, { kind: 'sample', sample: sample(10, 10) }), // too few to judge
      look(healthy, { kind: 'sample', sample: sample(100, 20) }),
    ]);
    const last = steps.at(-1);
    expect(steps).toHaveLength(3);
    expect(last?.kind === 'done' && last.result.failed).toMatchObject({ check: 'error_share', value: 0.2 });
  });

  it('fails after health fails three times in a row; one blip is forgiven', () => {
    const down = { status: 503, problem: 'HTTP 503' };
    const steps = run(false, [look(healthy), look(down), look(healthy), look(down), look(down), look(down)]);
    const last = steps.at(-1);
    expect(steps).toHaveLength(6);
    expect(last?.kind === 'done' && last.result).toMatchObject({
      outcome: 'verification_failed',
      failed: { check: 'health', detail: 'HTTP 503', failures: 3 },
    });
  });

  it('a metrics endpoint that disappears leaves health as the judge, and says so', () => {
    const steps = run(
      true,
      Array.from({ length: 7 }, () => look(healthy, { kind: 'error', problem: 'HTTP 404' })),
    );
    const last = steps.at(-1);
    expect(last?.kind === 'done' && last.result.outcome).toBe('verified');
    expect(last?.kind === 'done' && last.result.state).toMatchObject({
      metrics: 'unavailable',
      metricsProblem: 'HTTP 404',
    });
  });

  it('never waits past the window', () => {
    const first = stepVerification(initialVerifyState(0, false), look(healthy), 55_000, s);
    expect(first).toMatchObject({ kind: 'again', delayMs: 5_000 });
  });
});
