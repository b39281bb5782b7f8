import { describe, expect, it } from 'vitest';
import { fixedIntervalPolls, nextPollDelay, planPolls } from '../../../src/poller/schedule.ts';

const I = 10_000;

/** Polls a run of `durationMs` takes under the rule, and how late the poll that sees its end is. */
function simulate(durationMs: number, plan: ReturnType<typeof planPolls>): { polls: number; lateMs: number } {
  let t = 0;
  let polls = 1;
  while (t < durationMs) {
    t += nextPollDelay(t, plan, I);
    polls += 1;
  }
  return { polls, lateMs: t - durationMs };
}

/** Deterministic durations around `centre` ± `spread` (mulberry32). */
function durations(n: number, centre: number, spread: number, seed = 1): number[] {
  let a = seed >>> 0;
  const r = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => Math.round(centre - spread + r() * 2 * spread));
}

describe('poll schedule from the phase history', () => {
  it('keeps the plain interval with too little or too spread a history', () => {
    expect(planPolls([], { intervalMs: I })).toBeNull();
    expect(planPolls([80_000, 81_000, 82_000], { intervalMs: I })).toBeNull();
    expect(planPolls(durations(50, 60_000, 55_000), { intervalMs: I })).toBeNull();
    expect(nextPollDelay(12_345, null, I)).toBe(I);
  });

  it('polls sparsely before the window, lands on its start, densely inside, the interval after', () => {
    const plan = planPolls(durations(40, 85_000, 2_000), { intervalMs: I });
    expect(plan).not.toBeNull();
    if (!plan) return;
    expect(plan.denseFromMs).toBeGreaterThan(80_000);
    expect(plan.denseUntilMs).toBeLessThan(90_000);
    expect(nextPollDelay(0, plan, I)).toBe(plan.sparseEveryMs);
    expect(plan.sparseEveryMs).toBeLessThanOrEqual(2 * I);
    expect(nextPollDelay(plan.denseFromMs - 3_000, plan, I)).toBe(3_000);
    expect(nextPollDelay(plan.denseFromMs, plan, I)).toBe(plan.denseEveryMs);
    expect(plan.denseEveryMs).toBeLessThan(I);
    expect(nextPollDelay(plan.denseUntilMs + 1, plan, I)).toBe(I);
  });

  it('on durations drawn from the history, sees the end sooner with no more polls than the fixed interval', () => {
    const history = durations(60, 85_000, 2_000, 7);
    const plan = planPolls(history, { intervalMs: I });
    const runs = durations(500, 85_000, 2_000, 99);
    let polls = 0;
    let fixedPolls = 0;
    const late: number[] = [];
    for (const d of runs) {
      const s = simulate(d, plan);
      polls += s.polls;
      fixedPolls += fixedIntervalPolls(d, I);
      late.push(s.lateMs);
    }
    late.sort((a, b) => a - b);
    expect(polls).toBeLessThanOrEqual(fixedPolls);
    expect(late[Math.ceil(0.99 * late.length) - 1]).toBeLessThanOrEqual(2_000);
    // The fixed interval is late by up to a whole interval.
    expect(Math.max(...runs.map((d) => simulate(d, null).lateMs))).toBeGreaterThan(5_000);
  });

  it('a run slower than all its history is still seen within one interval, a faster one within two', () => {
    const plan = planPolls(durations(40, 30_000, 1_000), { intervalMs: I });
    expect(simulate(200_000, plan).lateMs).toBeLessThanOrEqual(I);
    expect(simulate(3_000, plan).lateMs).toBeLessThanOrEqual(2 * I);
  });
});
