import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthyApp, metricsText } from '../src/ncp/simulator/apps.ts';

/**
 * The apps the verify benchmark looks at, in their own process so the worker's CPU and memory are the
 * worker's alone: `/apps/<n>/healthz` and `/apps/<n>/metrics`, traffic from the clock since start.
 */
const started = Date.now();
const server = createServer((req, res) => {
  const m = /^\/apps\/(\d+)\/(healthz|metrics)$/.exec(req.url ?? '');
  if (!m) return void res.writeHead(404).end();
  if (m[2] === 'healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  res
    .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
    .end(metricsText(healthyApp, Date.now() - started));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', (m) => {
  if (m === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
