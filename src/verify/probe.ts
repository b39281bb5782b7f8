import { request } from 'undici';
import { judgeHealth } from './evaluate.ts';
import { type MetricNames, sampleFromPrometheusText } from './prometheus.ts';
import type { Look } from './step.ts';

export interface AppEndpoints {
  readonly healthUrl: string;
  readonly metricsUrl: string | null;
  readonly metricNames?: MetricNames;
}

/** An app's answers are capped: a health or metrics page larger than this is not one. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Asks the app's health and metrics endpoints once, in parallel; never throws. */
export async function lookAtApp(app: AppEndpoints, timeoutMs: number): Promise<Look> {
  const [health, metrics] = await Promise.all([
    fetchText(app.healthUrl, timeoutMs).then(
      (r) => ({ status: r.status, problem: judgeHealth(r.status, r.contentType, r.body) }),
      (err: unknown) => ({ status: null, problem: problemOf(err, timeoutMs) }),
    ),
    app.metricsUrl === null
      ? Promise.resolve<Look['metrics']>({ kind: 'not_configured' })
      : readMetrics(app.metricsUrl, timeoutMs, app.metricNames),
  ]);
  return { health, metrics };
}

async function readMetrics(url: string, timeoutMs: number, names?: MetricNames): Promise<Look['metrics']> {
  try {
    const r = await fetchText(url, timeoutMs);
    if (r.status < 200 || r.status > 299) return { kind: 'error', problem: `HTTP ${r.status}` };
    return { kind: 'sample', sample: sampleFromPrometheusText(r.body, names) };
  } catch (err) {
    return { kind: 'error', problem: problemOf(err, timeoutMs) };
  }
}

interface TextAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: string;
}

async function fetchText(url: string, timeoutMs: number): Promise<TextAnswer> {
  const res = await request(url, {
    method: 'GET',
    headers: { accept: 'application/json, text/plain;q=0.9, */*;q=0.5', 'user-agent': 'klepaas-bot' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) {
      res.body.destroy();
      throw new Error(`answer larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(buf);
  }
  const ct = res.headers['content-type'];
  return {
    status: res.statusCode,
    contentType: Array.isArray(ct) ? (ct[0] ?? null) : (ct ?? null),
    body: Buffer.concat(chunks).toString('utf8'),
  };
}

function problemOf(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code === 'ECONNREFUSED' ? 'connection refused' : code;
  return err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200);
}
