import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BotMetrics } from './metrics.ts';
import type { Readiness } from './readiness.ts';

/** The operator endpoints every HTTP server of the bot answers (Bolt's receiver, Socket Mode's health port). */
export interface OpsRoute {
  readonly path: string;
  readonly method: string[];
  handler(req: IncomingMessage, res: ServerResponse): void;
}

export interface OpsEndpoints {
  readonly readiness: Readiness;
  readonly metrics: BotMetrics | null;
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/**
 * /healthz: ready (200) or not (503) with each dependency's state, for readiness probes and load balancers.
 * /livez: the process answers at all; a liveness probe must not restart a replica because its database is.
 * /metrics: Prometheus text.
 */
export function opsRoutes(ops: OpsEndpoints): OpsRoute[] {
  const routes: OpsRoute[] = [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        ops.readiness.check().then(
          (r) => json(res, r.ready ? 200 : 503, { ok: r.ready, checks: r.checks }),
          () => json(res, 503, { ok: false }),
        );
      },
    },
    { path: '/livez', method: ['GET'], handler: (_req, res) => json(res, 200, { ok: true }) },
  ];
  const metrics = ops.metrics;
  if (metrics) {
    routes.push({
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        metrics.render().then(
          (m) => res.writeHead(200, { 'content-type': m.contentType }).end(m.body),
          () => res.writeHead(500).end(),
        );
      },
    });
  }
  return routes;
}

/** Answers `req` when it is one of `routes`; false when the caller should handle it. */
export function serveOps(routes: readonly OpsRoute[], req: IncomingMessage, res: ServerResponse): boolean {
  const path = req.url?.split('?')[0];
  const route = routes.find((r) => r.path === path && r.method.includes(req.method ?? ''));
  if (!route) return false;
  route.handler(req, res);
  return true;
}
