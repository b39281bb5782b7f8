import { cpus, loadavg } from 'node:os';

// One way to report a figure in every benchmark: percentiles pooled over all trials (a best trial hides
// the preemptions a user also meets), the machine's load and size beside it, and the goal met or missed.

/** Nearest-rank percentile of an ascending list. */
export const pct = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;

export interface Pooled {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Every sample of every trial in one list. */
export function pooled(trials: readonly (readonly number[])[]): Pooled {
  const all = trials.flat().sort((a, b) => a - b);
  return { n: all.length, p50: pct(all, 50), p99: pct(all, 99), max: all.at(-1) ?? Number.NaN };
}

/** "load 0.52 0.61 0.70, 2 cores": printed on every result line, since a busy machine moves every figure. */
export const machine = (): string =>
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, ${cpus().length} cores`;

/** "met" or "MISSED" against an upper bound. */
export const verdict = (value: number, atMost: number): string => (value <= atMost ? 'met' : 'MISSED');

/** One goal line: what, the figure, the bound, met/missed, and the machine. */
export function goal(label: string, value: number, atMost: number, unit: string, digits = 2): string {
  return `goal  ${label}: ${value.toFixed(digits)} ${unit} (aim <= ${atMost} ${unit}) ${verdict(value, atMost)}  [${machine()}]`;
}
