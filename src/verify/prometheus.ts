import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { z } from 'zod';
import type { LatencyBucket, RequestSample } from './sample.ts';

// The text format is parsed by a library that follows the exposition spec; what it returns is still
// untrusted (an app's endpoint can serve anything), so it is checked before a figure is drawn from it.
const labels = z.record(z.string(), z.string()).optional();
const familySchema = z.object({
  name: z.string(),
  type: z.string(),
  metrics: z.array(
    z.object({
      value: z.string().optional(),
      labels,
      buckets: z.record(z.string(), z.string()).optional(),
      count: z.string().optional(),
    }),
  ),
});
const familiesSchema = z.array(familySchema);
type Family = z.infer<typeof familySchema>;

/** Label names apps use for the HTTP status (prometheus client defaults, the runbook's `status_code`). */
const STATUS_LABELS = ['code', 'status', 'status_code', 'statusCode', 'http_status'];
const REQUESTS_NAME = /(^|_)requests_total$|(^|_)requests$/;
const LATENCY_NAME =
  /(^|_)(request_)?duration_(seconds|milliseconds|ms)$|(^|_)latency_(seconds|milliseconds|ms)$/;

export interface MetricNames {
  /** Counter of HTTP requests with a status label; found by name when not given. */
  readonly requests?: string | null;
  /** Histogram of request durations; found by name when not given. */
  readonly latency?: string | null;
}

export class MetricsFormatError extends Error {
  override readonly name = 'MetricsFormatError';
}

/**
 * Reads the request counter and latency histogram out of a Prometheus text exposition. Throws
 * MetricsFormatError when the text is not the format or has no request counter with a status label.
 */
export function sampleFromPrometheusText(text: string, names: MetricNames = {}): RequestSample {
  let raw: unknown;
  try {
    raw = parsePrometheusTextFormat(text);
  } catch (err) {
    throw new MetricsFormatError(`not Prometheus text: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = familiesSchema.safeParse(raw);
  if (!parsed.success) throw new MetricsFormatError('not Prometheus text: unexpected structure');
  const families = parsed.data;
  const counter = pickCounter(families, names.requests ?? null);
  if (!counter) throw new MetricsFormatError('no HTTP request counter with a status label');
  let requests = 0;
  let errors5xx = 0;
  for (const m of counter.metrics) {
    const v = finite(m.value);
    if (v === null) continue;
    requests += v;
    const status = STATUS_LABELS.map((l) => m.labels?.[l]).find((s) => s !== undefined);
    if (status?.startsWith('5')) errors5xx += v;
  }
  const histogram = pickHistogram(families, names.latency ?? null);
  return { requests, errors5xx, latency: histogram ? latencyBuckets(histogram) : null };
}

function pickCounter(families: Family[], name: string | null): Family | undefined {
  const hasStatus = (f: Family) =>
    f.metrics.some((m) => STATUS_LABELS.some((l) => m.labels?.[l] !== undefined));
  if (name) return families.find((f) => f.name === name && hasStatus(f));
  return families.find((f) => f.type === 'COUNTER' && REQUESTS_NAME.test(f.name) && hasStatus(f));
}

function pickHistogram(families: Family[], name: string | null): Family | undefined {
  if (name) return families.find((f) => f.name === name && f.type === 'HISTOGRAM');
  return families.find((f) => f.type === 'HISTOGRAM' && LATENCY_NAME.test(f.name));
}

/** Sums the histogram over its label sets (routes, methods) into one cumulative curve in milliseconds. */
function latencyBuckets(f: Family): LatencyBucket[] | null {
  const scale = /seconds$/.test(f.name) ? 1000 : 1;
  const byLe = new Map<number, number>();
  for (const m of f.metrics) {
    for (const [le, count] of Object.entries(m.buckets ?? {})) {
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      const c = finite(count);
      if (Number.isNaN(bound) || c === null) continue;
      byLe.set(bound, (byLe.get(bound) ?? 0) + c);
    }
  }
  if (byLe.size === 0) return null;
  return [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ leMs: le * scale, count }));
}

function finite(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}
