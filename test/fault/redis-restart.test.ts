import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSeed, type NcpSimulator, startNcpSimulator } from '../../src/ncp/simulator/index.ts';
import {
  freePort,
  latestRecord,
  ncpEnv,
  notices,
  seedDatabase,
  sigkill,
  spawnProc,
  until,
} from './processes.ts';

// Issue 9, case 4: Redis restarting empty loses the BullMQ job of a deployment in flight. A second
// redis-server on a free port is started and killed here (never the shared one on 6379).

let sim: NcpSimulator;
let demo: DemoSeed;
let dir: string;
let port: number;
let redis: ChildProcess | null = null;

function startRedis(): Promise<void> {
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  return waitRedis();
}

async function waitRedis(): Promise<void> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await client.connect();
        if ((await client.ping()) === 'PONG') return;
      } catch {
        if (Date.now() > deadline) throw new Error('redis-server did not start');
        client.disconnect();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    client.disconnect();
  }
}

async function killRedis(): Promise<void> {
  const r = redis;
  if (!r || r.exitCode !== null) return;
  const gone = new Promise((resolve) => r.once('exit', resolve));
  r.kill('SIGKILL');
  await gone;
}

beforeAll(async () => {
  // A deploy takes about 3 s: long enough to lose Redis in the middle of it.
  sim = await startNcpSimulator({ phaseMs: 1_500 });
  demo = await sim.seedDemo();
  dir = mkdtempSync(join(tmpdir(), 'klepaas-redis-fault-'));
  port = await freePort();
  await startRedis();
});
afterAll(async () => {
  await killRedis();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Redis killed and restarted empty mid-deploy', { timeout: 90_000 }, () => {
  it('the lost job is found, the record ends success as NCP reached it, and each notice goes out once', async () => {
    const dbPath = join(dir, 'k.db');
    seedDatabase(dbPath, demo);
    const env = {
      ...ncpEnv(sim),
      DATABASE_PATH: dbPath,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      POLL_INTERVAL_MS: '150',
      RECONCILE_INTERVAL_MS: '300',
    };
    const bot = spawnProc('console', [], env);
    try {
      bot.child.stdin.write('K-Le-PaaS/test01 롤백 해줘\ny\n');
      const started = await until('the deploy to be followed', () => {
        const r = latestRecord(dbPath);
        return r?.deploy_history_id && notices(bot.out.stdout).started === 1 ? r : undefined;
      });
      expect(started.status).toBe('deploying');

      await killRedis();
      await startRedis();

      const row = await until(
        'the record to end',
        () => {
          const r = latestRecord(dbPath);
          return r?.status !== 'deploying' ? r : undefined;
        },
        30_000,
      );
      expect(row).toMatchObject({ status: 'success', deploy_history_id: started.deploy_history_id });
      expect(sim.runningTag(demo.deployProjectId)).toBe(sim.deployRuns().at(-1)?.image?.split(':').at(-1));
      await until('the final notice', () => notices(bot.out.stdout).ended > 0, 10_000);
      bot.child.stdin.end();
      await bot.done;
      expect(bot.out.code).toBe(0);
      expect(notices(bot.out.stdout)).toMatchObject({ started: 1, ended: 1 });
      expect(bot.out.stderr).toContain('in-flight record has no poller job');
    } finally {
      await sigkill(bot);
    }
  });
});
