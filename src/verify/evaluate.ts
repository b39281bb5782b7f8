import type { LatencyBucket, RequestSample } from './sample.ts';
import type { VerifyThresholds } from './thresholds.ts';

/** The traffic of a window: what changed between two samples of the same process. */
export interface WindowFigures {
  readonly requests: number;
  readonly errors5xx: number;
  /** 5xx share of the window's requests, 0..1; null with no requests. */
  readonly errorShare: number | null;
  /** 95th percentile in ms from the histogram's deltas; null without a histogram or requests. */
  readonly p95Ms: number | null;
}

/**
 * Deltas between a baseline and a later sample. A counter that went down means the process restarted
 * (a new pod): then the later sample is the whole window, as Prometheus' rate() treats a reset.
 */
export function windowBetween(first: RequestSample, last: RequestSample): WindowFigures {
  const reset = last.requests < first.requests;
  const requests = reset ? last.requests : last.requests - first.requests;
  const errors5xx = Math.max(0, reset ? last.errors5xx : last.errors5xx - first.errors5xx);
  const latency = last.latency
    ? reset || !first.latency
      ? last.latency
      : subtract(last.latency, first.latency)
    : null;
  return {
    requests,
    errors5xx,
    errorShare: requests > 0 ? errors5xx / requests : null,
    p95Ms: latency ? quantile(0.95, latency) : null,
  };
}

function subtract(later: readonly LatencyBucket[], earlier: readonly LatencyBucket[]): LatencyBucket[] {
  const before = new Map(earlier.map((b) => [b.leMs, b.count]));
  return later.map((b) => ({ leMs: b.leMs, count: Math.max(0, b.count - (before.get(b.leMs) ?? 0)) }));
}

/**
 * Prometheus' histogram_quantile: find the bucket holding the rank and interpolate linearly inside it.
 * A rank in the +Inf bucket answers the highest finite bound, as Prometheus does.
 */
export function quantile(q: number, buckets: readonly LatencyBucket[]): number | null {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.leMs)) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket <= 0 ? b.leMs : prevLe + (b.leMs - prevLe) * ((rank - prevCount) / inBucket);
    }
    prevLe = Number.isFinite(b.leMs) ? b.leMs : prevLe;
    prevCount = b.count;
  }
  return prevLe;
}

export type FailedCheck =
  | { readonly check: 'health'; readonly detail: string; readonly failures: number }
  | { readonly check: 'error_share'; readonly value: number; readonly threshold: number }
  | { readonly check: 'p95'; readonly value: number; readonly threshold: number };

/** The first threshold the window breaks, or null; a window with too few requests judges nothing. */
export function judgeWindow(w: WindowFigures, t: VerifyThresholds): FailedCheck | null {
  if (w.requests < t.minRequests) return null;
  if (w.errorShare !== null && w.errorShare > t.maxErrorShare) {
    return { check: 'error_share', value: w.errorShare, threshold: t.maxErrorShare };
  }
  if (w.p95Ms !== null && w.p95Ms > t.maxP95Ms)
    return { check: 'p95', value: w.p95Ms, threshold: t.maxP95Ms };
  return null;
}

/** What a health endpoint's answer means: 2xx, and `status` ok/healthy/up/pass when the body is JSON with one. */
export function judgeHealth(status: number, contentType: string | null, body: string): string | null {
  if (status < 200 || status > 299) return `HTTP ${status}`;
  if (!contentType?.includes('json')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'answered invalid JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || !('status' in parsed)) return null;
  const s = String((parsed as { status: unknown }).status).toLowerCase();
  return ['ok', 'healthy', 'up', 'pass', 'passing', 'green'].includes(s)
    ? null
    : `status "${s.slice(0, 40)}"`;
}
