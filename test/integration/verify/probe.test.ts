import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookAtApp } from '../../../src/verify/probe.ts';

let server: Server;
let base: string;
const pending = new Set<import('node:http').ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    switch (req.url) {
      case '/healthz':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        return;
      case '/degraded':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"degraded"}');
        return;
      case '/metrics':
        res
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
          .end(
            '# TYPE http_requests_total counter\nhttp_requests_total{code="200"} 40\nhttp_requests_total{code="500"} 2\n',
          );
        return;
      case '/slow':
        pending.add(res); // never answered: the probe's own limit must end it
        return;
      default:
        res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of pending) res.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('looking at an app over HTTP', () => {
  it('reads health and metrics together', async () => {
    const l = await lookAtApp({ healthUrl: `${base}/healthz`, metricsUrl: `${base}/metrics` }, 2000);
    expect(l.health).toEqual({ status: 200, problem: null });
    expect(l.metrics).toEqual({ kind: 'sample', sample: { requests: 42, errors5xx: 2, latency: null } });
  });

  it('names what is wrong: a bad status word, a missing metrics page, a timeout, a closed port', async () => {
    const degraded = await lookAtApp({ healthUrl: `${base}/degraded`, metricsUrl: `${base}/nope` }, 2000);
    expect(degraded.health.problem).toBe('status "degraded"');
    expect(degraded.metrics).toEqual({ kind: 'error', problem: 'HTTP 404' });

    const slow = await lookAtApp({ healthUrl: `${base}/slow`, metricsUrl: null }, 200);
    expect(slow.health).toEqual({ status: null, problem: 'no answer within 200 ms' });
    expect(slow.metrics).toEqual({ kind: 'not_configured' });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await lookAtApp(
      { healthUrl: `http://127.0.0.1:${port}/healthz`, metricsUrl: null },
      2000,
    );
    expect(refused.health).toEqual({ status: null, problem: 'connection refused' });
  });
});
