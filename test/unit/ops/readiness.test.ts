import { describe, expect, it } from 'vitest';
import { createReadiness } from '../../../src/ops/readiness.ts';

describe('readiness', () => {
  it('is ready only when every dependency answers, and names what failed', async () => {
    let dbUp = true;
    let t = 0;
    const r = createReadiness(
      {
        database: () => {
          if (!dbUp) throw new Error('SQLITE_IOERR: disk I/O error');
        },
        redis: async () => 'PONG',
      },
      { now: () => t, cacheMs: 1000 },
    );
    expect(await r.check()).toEqual({ ready: true, checks: { database: 'ok', redis: 'ok' } });
    dbUp = false;
    // Within the cache window the last answer stands: probes do not hammer the database.
    expect((await r.check()).ready).toBe(true);
    t = 1000;
    expect(await r.check()).toEqual({
      ready: false,
      checks: { database: 'SQLITE_IOERR: disk I/O error', redis: 'ok' },
    });
  });

  it('a dependency that hangs is not ready after the limit', async () => {
    const r = createReadiness({ redis: () => new Promise(() => {}) }, { timeoutMs: 50, cacheMs: 0 });
    expect(await r.check()).toEqual({ ready: false, checks: { redis: 'no answer within 50 ms' } });
  });
});
