import { describe, expect, it } from 'vitest';
import { judgeHealth, judgeWindow, quantile, windowBetween } from '../../../src/verify/evaluate.ts';
import { MetricsFormatError, sampleFromPrometheusText } from '../../../src/verify/prometheus.ts';
import { defaultVerifySettings } from '../../../src/verify/thresholds.ts';

const exposition = (
  ok: number,
  err: number,
  buckets: [string, number][],
) => `# HELP http_requests_total Requests
# TYPE http_requests_total counter
http_requests_total{method="get",code="200"} ${ok}
http_requests_total{method="post",code="503"} ${err}
http_requests_total{method="get",code="404"} 7
# TYPE http_request_duration_seconds histogram
${buckets.map(([le, n]) => `http_request_duration_seconds_bucket{le="${le}"} ${n}`).join('\n')}
http_request_duration_seconds_sum 12.5
http_request_duration_seconds_count ${buckets.at(-1)?.[1] ?? 0}
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 1.2e8
`;

describe('Prometheus text to a request sample', () => {
  it('sums the request counter by status class and reads the histogram in ms', () => {
    const s = sampleFromPrometheusText(
      exposition(90, 3, [
        ['0.1', 50],
        ['0.5', 90],
        ['+Inf', 100],
      ]),
    );
    expect(s.requests).toBe(100);
    expect(s.errors5xx).toBe(3);
    expect(s.latency).toEqual([
      { leMs: 100, count: 50 },
      { leMs: 500, count: 90 },
      { leMs: Number.POSITIVE_INFINITY, count: 100 },
    ]);
  });

  it('takes the runbook label status_code and a named counter', () => {
    const text = `# TYPE sparklio_http_requests_total counter
sparklio_http_requests_total{status_code="500"} 5
sparklio_http_requests_total{status_code="200"} 45
`;
    const s = sampleFromPrometheusText(text, { requests: 'sparklio_http_requests_total' });
    expect(s).toMatchObject({ requests: 50, errors5xx: 5, latency: null });
  });

  it('refuses text with no request counter', () => {
    expect(() => sampleFromPrometheusText('# TYPE up gauge\nup 1\n')).toThrow(MetricsFormatError);
    expect(() => sampleFromPrometheusText('<html>not metrics</html>')).toThrow(MetricsFormatError);
  });
});

describe('window figures', () => {
  const at = (requests: number, errors5xx: number, b: number[]) => ({
    requests,
    errors5xx,
    latency: [
      { leMs: 100, count: b[0] ?? 0 },
      { leMs: 1000, count: b[1] ?? 0 },
      { leMs: Number.POSITIVE_INFINITY, count: b[2] ?? 0 },
    ],
  });

  it('counts only what happened between the two samples', () => {
    const w = windowBetween(at(1000, 100, [900, 990, 1000]), at(1100, 102, [950, 1090, 1100]));
    expect(w.requests).toBe(100);
    expect(w.errors5xx).toBe(2);
    expect(w.errorShare).toBeCloseTo(0.02);
    // 100 new requests: 50 under 100 ms, 50 in (100, 1000]: rank 95 sits 45/50 into the second bucket.
    expect(w.p95Ms).toBeCloseTo(100 + 900 * (45 / 50));
  });

  it('treats a counter that went down as a restarted process', () => {
    const w = windowBetween(at(5000, 10, [0, 0, 5000]), at(40, 4, [40, 40, 40]));
    expect(w).toMatchObject({ requests: 40, errors5xx: 4, errorShare: 0.1 });
  });

  it('quantile in the +Inf bucket answers the highest finite bound', () => {
    expect(quantile(0.99, at(10, 0, [1, 2, 10]).latency)).toBe(1000);
    expect(quantile(0.5, at(0, 0, [0, 0, 0]).latency)).toBeNull();
  });

  it('judges a window only with enough requests, 5xx first, then p95', () => {
    const t = defaultVerifySettings;
    expect(judgeWindow({ requests: 5, errors5xx: 5, errorShare: 1, p95Ms: 1 }, t)).toBeNull();
    expect(judgeWindow({ requests: 100, errors5xx: 6, errorShare: 0.06, p95Ms: 40_000 }, t)).toMatchObject({
      check: 'error_share',
      threshold: 0.05,
    });
    expect(judgeWindow({ requests: 100, errors5xx: 5, errorShare: 0.05, p95Ms: 40_000 }, t)).toMatchObject({
      check: 'p95',
      value: 40_000,
    });
    expect(judgeWindow({ requests: 100, errors5xx: 0, errorShare: 0, p95Ms: 30_000 }, t)).toBeNull();
  });
});

describe('health answers', () => {
  it('wants 2xx and, for JSON with a status, an ok word', () => {
    expect(judgeHealth(200, 'text/plain', 'fine')).toBeNull();
    expect(judgeHealth(200, 'application/json', '{"status":"healthy"}')).toBeNull();
    expect(judgeHealth(200, 'application/json', '{"uptime":3}')).toBeNull();
    expect(judgeHealth(200, 'application/json', '{"status":"degraded"}')).toBe('status "degraded"');
    expect(judgeHealth(200, 'application/json', '{oops')).toBe('answered invalid JSON');
    expect(judgeHealth(503, 'application/json', '{"status":"ok"}')).toBe('HTTP 503');
  });
});
