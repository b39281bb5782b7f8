import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/log/logger.ts';
import type { PollerEvent } from '../../src/poller/events.ts';
import { type Runtime, startRuntime } from '../../src/runtime/app.ts';
import { waitFor } from '../integration/cli/spawn-cli.ts';

// The bot restarts mid-deploy, and Redis restarted empty in between: the "started" notice was already
// sent and must not be sent again; the end is still announced once.
const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const dir = mkdtempSync(join(tmpdir(), 'klepaas-started-once-'));
const prefix = `t9-${randomUUID()}`;
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
afterAll(async () => {
  await flushPrefix();
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

/** Forgets everything under this test's prefix, as a Redis restarted without persistence would. */
async function flushPrefix(): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

const config = loadConfig({
  DATABASE_PATH: join(dir, 'k.db'),
  REDIS_URL,
  SIM_PHASE_MS: '1500',
  POLL_INTERVAL_MS: '100',
});
const logger = createLogger({ level: 'silent', format: 'json' });

async function bot(): Promise<{ runtime: Runtime; events: PollerEvent[] }> {
  const runtime = await startRuntime(config, { logger, queuePrefix: prefix });
  const events: PollerEvent[] = [];
  runtime.events.subscribe((e) => {
    events.push(e);
  });
  return { runtime, events };
}

describe('a bot restart mid-deploy, with Redis restarted empty', () => {
  it('sends the started notice once and the end once', async () => {
    const first = await bot();
    const plan = await first.runtime.services.planRollback('K-Le-PaaS', 'test01', { stepsBack: 1 });
    const d = await first.runtime.services.executeRollback(
      plan,
      { via: 'cli', user: 'tester', lang: 'en' },
      null,
    );
    await waitFor('the started notice', () => first.events.some((e) => e.kind === 'started'), 15_000);
    await first.runtime.close();
    await flushPrefix();

    const second = await bot();
    try {
      await waitFor(
        'the rollback to end',
        () => second.runtime.stores.deployments.get(d.id)?.status === 'success',
        20_000,
      );
      await waitFor('the end notice', () => second.events.some((e) => e.kind === 'succeeded'), 5_000);
    } finally {
      await second.runtime.close();
    }
    const kinds = [...first.events, ...second.events]
      .filter((e) => e.deployment.id === d.id)
      .map((e) => e.kind);
    expect(kinds.filter((k) => k === 'started')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'succeeded')).toHaveLength(1);
    expect(second.events.filter((e) => e.kind === 'started')).toHaveLength(0);
  }, 60_000);
});
