import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { createBotMetrics } from '../../src/ops/metrics.ts';
import { type Runtime, startRuntime } from '../../src/runtime/app.ts';
import { type SlackFrontEnd, startSlackFrontEnd } from '../../src/slack/main.ts';
import { type SlackApiServer, startSlackApi } from '../servers/slack-api.ts';
import { waitUntil } from '../support/slack-harness.ts';

/**
 * What an operator sees of one replica: /metrics in Prometheus text fed by real deployments, NCP calls
 * and Slack calls; /healthz ready while the database and Redis answer and 503 naming Redis when it is gone;
 * /livez alive throughout.
 */
let dir: string;
let api: SlackApiServer;
let runtime: Runtime;
let front: SlackFrontEnd;
let base: string;
let redis: ChildProcess | null = null;
let redisPort = 0;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

async function startRedis(port: number): Promise<ChildProcess> {
  const p = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const { Redis } = await import('ioredis');
  const probe = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return p;
    } catch {
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'klepaas-ops-'));
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  api = await startSlackApi();
  const config = loadConfig({
    DATABASE_PATH: join(dir, 'bot.db'),
    SIM_PHASE_MS: '100',
    POLL_INTERVAL_MS: '100',
    SIM_VERIFY_WINDOW_MS: '1000',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    SLACK_BOT_TOKEN: 'xoxb-ops-token',
    SLACK_SIGNING_SECRET: 'ops-secret',
    SLACK_API_URL: api.apiUrl,
    PORT: '0',
    LOG_LEVEL: 'silent',
  });
  runtime = await startRuntime(config, {
    logger: silentLogger(),
    metrics: createBotMetrics(),
    queuePrefix: `klepaas-ops-${process.pid}`,
  });
  front = await startSlackFrontEnd(config, runtime, silentLogger());
  base = `http://127.0.0.1:${front.port}`;
}, 30_000);

afterAll(async () => {
  await front?.stop();
  await runtime?.close();
  await api?.stop();
  redis?.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const metricValue = (text: string, line: RegExp): number => {
  const m = text.split('\n').find((l) => line.test(l));
  return m ? Number(m.split(' ').at(-1)) : Number.NaN;
};

describe('operator endpoints of one replica', () => {
  it('/metrics counts a real rollback from start to success, its NCP calls and the process', async () => {
    const requester = { user: 'ops-test', via: 'cli' as const, lang: 'en' as const };
    const plan = await runtime.services.planRollback('K-Le-PaaS', 'test01', { stepsBack: 1 });
    const d = await runtime.services.executeRollback(plan, requester, 'ops-metrics-1');
    await waitUntil(
      () => runtime.stores.deployments.get(d.id)?.status === 'success',
      20_000,
      'rollback success',
    );
    // The terminal notice is published right after the record is written.
    let text = '';
    await waitUntil(
      () => {
        void fetch(`${base}/metrics`).then(async (r) => {
          text = await r.text();
        });
        return (
          /klepaas_deployments_ended_total\{operation="rollback",outcome="succeeded"\} 1/.test(text) &&
          /klepaas_verifications_total\{outcome="verified"\} 1/.test(text)
        );
      },
      10_000,
      'the ended and verified counters',
    );
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    text = await res.text();
    expect(metricValue(text, /^klepaas_deployments_started_total\{operation="rollback"\}/)).toBe(1);
    expect(
      metricValue(
        text,
        /^klepaas_deployment_duration_seconds_count\{operation="rollback",outcome="succeeded"\}/,
      ),
    ).toBe(1);
    expect(
      metricValue(text, /^klepaas_ncp_request_duration_seconds_count\{service="sourcedeploy",result="200"\}/),
    ).toBeGreaterThan(0);
    expect(metricValue(text, /^klepaas_deployments_in_flight /)).toBe(0);
    expect(metricValue(text, /^klepaas_poller_queue_depth /)).toBeGreaterThanOrEqual(0);
    expect(metricValue(text, /^klepaas_process_resident_memory_bytes /)).toBeGreaterThan(0);
  }, 40_000);

  it('/healthz is ready with its database and Redis, 503 naming Redis once it is gone; /livez stays 200', async () => {
    const ready = await fetch(`${base}/healthz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, checks: { database: 'ok', redis: 'ok' } });

    redis?.kill('SIGKILL');
    redis = null;
    let last: { status: number; body: { ok: boolean; checks: Record<string, string> } } | null = null;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const r = await fetch(`${base}/healthz`);
      last = { status: r.status, body: (await r.json()) as never };
      if (r.status === 503) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(last?.status).toBe(503);
    expect(last?.body.checks.database).toBe('ok');
    expect(last?.body.checks.redis).not.toBe('ok');
    expect((await fetch(`${base}/livez`)).status).toBe(200);

    // Back on the same port: ready again without a restart of the bot.
    redis = await startRedis(redisPort);
    let status = 0;
    const until = Date.now() + 10_000;
    while (Date.now() < until && status !== 200) {
      status = (await fetch(`${base}/healthz`)).status;
      if (status !== 200) await new Promise((res) => setTimeout(res, 100));
    }
    expect(status).toBe(200);
  }, 40_000);
});
