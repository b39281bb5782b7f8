import type { ServerResponse } from 'node:http';
import { splitImageRef } from '../manifest.ts';
import type { SimState } from './state.ts';

/**
 * The apps the simulated SourceDeploy runs, so verification after a deploy has something real to ask:
 * `/apps/{deployProjectId}/healthz` and `/apps/{deployProjectId}/metrics` (Prometheus text). Traffic is
 * a pure function of the simulator clock since the running image started, so no timer runs per app; a
 * new image is a new process and its counters start again from zero, as a restarted pod's do.
 */
export interface AppBehaviour {
  /** Requests per second of simulator time. */
  readonly rps: number;
  /** Share of requests answered 5xx, 0..1. */
  readonly errorShare: number;
  /** The 95th percentile of response times, ms. */
  readonly p95Ms: number;
  /** Status the health endpoint answers. */
  readonly health: number;
}

export const healthyApp: AppBehaviour = Object.freeze({
  rps: 40,
  errorShare: 0.004,
  p95Ms: 180,
  health: 200,
});

/** Bucket bounds in seconds, those of the Prometheus clients' defaults plus the runbook's 30 s. */
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class SimApps {
  /** `tag` -> behaviour of the image with that tag (any repository); the rest behave as `healthyApp`. */
  readonly byTag = new Map<string, AppBehaviour>();
  /** Tags that misbehave only once a SourceDeploy run put them in place (not when seeded as running). */
  readonly afterDeploy = new Map<string, AppBehaviour>();

  readonly #state: SimState;
  constructor(state: SimState) {
    this.#state = state;
  }

  behaviourOf(image: string, deployed: boolean): AppBehaviour {
    const tag = splitImageRef(image).tag ?? '';
    return this.byTag.get(tag) ?? (deployed ? this.afterDeploy.get(tag) : undefined) ?? healthyApp;
  }

  /** Answers an `/apps/...` request; false when the path is not one. */
  serve(path: string, now: number, res: ServerResponse): boolean {
    const m = /^\/apps\/([^/]+)\/(healthz|metrics)$/.exec(path);
    if (!m?.[1]) return false;
    const project = decodeURIComponent(m[1]);
    const image = this.#state.running.get(project);
    if (!image) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('no application running\n');
      return true;
    }
    // What runs after a restart (restored from the saved state) counts its uptime from the first look.
    let since = this.#state.runningSince.get(project);
    if (since === undefined) {
      since = now;
      this.#state.runningSince.set(project, now);
    }
    const b = this.behaviourOf(image, this.#state.deployedByRun.has(project));
    if (m[2] === 'healthz') {
      const ok = b.health >= 200 && b.health < 300;
      res
        .writeHead(b.health, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ok ? 'ok' : 'error', image }));
      return true;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metricsText(b, now - since));
    return true;
  }
}

/** Counters after `uptimeMs` of traffic; histogram_quantile(0.95) over the buckets gives back the p95. */
export function metricsText(b: AppBehaviour, uptimeMs: number): string {
  const total = Math.floor((b.rps * Math.max(0, uptimeMs)) / 1000);
  const errors = Math.floor(total * b.errorShare);
  const p95 = b.p95Ms / 1000;
  const share = (le: number): number =>
    le <= p95 ? (0.95 * le) / p95 : Math.min(1, 0.95 + (0.05 * (le - p95)) / p95);
  const lines = [
    '# HELP http_requests_total Requests answered, by status code.',
    '# TYPE http_requests_total counter',
    `http_requests_total{code="200"} ${total - errors}`,
    `http_requests_total{code="500"} ${errors}`,
    '# HELP http_request_duration_seconds Time to answer a request.',
    '# TYPE http_request_duration_seconds histogram',
  ];
  for (const le of BOUNDS)
    lines.push(`http_request_duration_seconds_bucket{le="${le}"} ${Math.floor(total * share(le))}`);
  lines.push(`http_request_duration_seconds_bucket{le="+Inf"} ${total}`);
  lines.push(`http_request_duration_seconds_sum ${((total * p95) / 0.95 / 2).toFixed(3)}`);
  lines.push(`http_request_duration_seconds_count ${total}`);
  return `${lines.join('\n')}\n`;
}
