/**
 * When to poll next, from what the repo's own history says a phase takes. A fixed interval lands the
 * poll that sees the end anywhere up to one interval after it; a repo whose builds take 80-90 s is
 * better served by polling sparsely until 80 s and densely until 90 s, spending no more polls than the
 * fixed interval would on a run of typical length (the sparse polls may then be further apart than the
 * interval, two intervals at most). Pure: the caller brings the durations and the clock.
 */

export interface PollPlan {
  /** Spacing of the polls before the window (at most twice the interval), ending on its start. */
  readonly sparseEveryMs: number;
  /** Elapsed time in the phase where dense polling begins (just before the shortest likely end). */
  readonly denseFromMs: number;
  /** Where it ends (just after the longest likely end); past it the plain interval again. */
  readonly denseUntilMs: number;
  /** Spacing of the polls in the dense window. */
  readonly denseEveryMs: number;
}

export interface PlanOptions {
  /** The configured poll interval: no wait outside the dense window is longer. */
  readonly intervalMs: number;
  /** The closest two polls may be (NCP's rate limits, our CPU); 1 s by default. */
  readonly minDenseMs?: number;
  /** Fewer past runs than this say too little: keep the plain interval. */
  readonly minSamples?: number;
}

/** Nearest-rank percentile of an ascending list. */
const pct = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

/** Polls a fixed interval spends on a run of `durationMs`: one at the start, then every interval until one lands after the end. */
export const fixedIntervalPolls = (durationMs: number, intervalMs: number): number =>
  Math.ceil(Math.max(0, durationMs) / intervalMs) + 1;

/**
 * The plan for one phase from the durations of the repo's past runs of it (any order), or null when the
 * history is too short or too spread to beat the plain interval.
 */
export function planPolls(pastDurationsMs: readonly number[], opts: PlanOptions): PollPlan | null {
  const { intervalMs } = opts;
  const minDense = opts.minDenseMs ?? 1000;
  const samples = pastDurationsMs.filter((d) => Number.isFinite(d) && d >= 0).sort((a, b) => a - b);
  if (samples.length < (opts.minSamples ?? 5) || intervalMs <= minDense) return null;
  // The 5th to 95th percentile, widened by one dense step each side for the clock skew between NCP's
  // timestamps and ours.
  const from = Math.max(0, pct(samples, 5) - minDense);
  const until = pct(samples, 95) + minDense;
  // The budget is what the fixed interval spends on a median run: one poll at the window's start, the
  // fewest sparse ones before it (spaced at most two intervals), and as many in the window as make its
  // spacing the minimum; polls left over go back to the sparse part.
  const budget = fixedIntervalPolls(pct(samples, 50), intervalMs);
  const fewestSparse = Math.ceil(from / (2 * intervalMs));
  const dense = Math.min(budget - 1 - fewestSparse, Math.ceil((until - from) / minDense));
  if (dense < 1) return null;
  const every = Math.max(minDense, Math.ceil((until - from) / dense));
  // A window so wide that its spacing is the interval anyway gains nothing.
  if (every >= intervalMs) return null;
  const sparse = budget - 1 - dense;
  const sparseEvery = sparse === 0 ? intervalMs : Math.min(intervalMs * 2, Math.ceil(from / sparse));
  return { sparseEveryMs: sparseEvery, denseFromMs: from, denseUntilMs: until, denseEveryMs: every };
}

/**
 * How long to wait before the next poll, `elapsedMs` into the phase. Without a plan, the interval. Before
 * the window, the sparse spacing, shortened so a poll lands on the window's start; in it, the dense
 * spacing; after it (a run slower than its history), the interval again. A change the history did not
 * foresee is seen within two intervals before the window and one after it.
 */
export function nextPollDelay(elapsedMs: number, plan: PollPlan | null, intervalMs: number): number {
  if (plan === null) return intervalMs;
  const t = Math.max(0, elapsedMs);
  if (t < plan.denseFromMs) return Math.max(1, Math.min(plan.sparseEveryMs, plan.denseFromMs - t));
  if (t < plan.denseUntilMs) return Math.max(1, Math.min(plan.denseEveryMs, intervalMs));
  return intervalMs;
}
