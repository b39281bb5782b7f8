import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NcpError, toKlepaasError } from '../../../src/ncp/errors.ts';
import { backoffDelayMs, defaultRetryPolicy } from '../../../src/ncp/retry.ts';
import {
  buildHistorySchema,
  deployHistoryDetailSchema,
  ncpErrorBodySchema,
  registryTokenSchema,
  runScenarioResponseSchema,
  startBuildResponseSchema,
  tagsListSchema,
} from '../../../src/ncp/schemas.ts';

describe('backoff', () => {
  it('stays within [0, min(max, base * 2^(n-1)))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 0.9999999, noNaN: true }),
        (n, r) => {
          const d = backoffDelayMs(defaultRetryPolicy, n, () => r);
          const cap = Math.min(defaultRetryPolicy.maxDelayMs, defaultRetryPolicy.baseDelayMs * 2 ** (n - 1));
          return d >= 0 && d < cap;
        },
      ),
    );
  });
  it('grows exponentially at the top of the jitter', () => {
    const top = () => 0.999999;
    const p = { retries: 5, baseDelayMs: 100, maxDelayMs: 10_000, maxRetryAfterMs: 30_000 };
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(p, n, top))).toEqual([99, 199, 399, 799]);
    expect(backoffDelayMs(p, 20, top)).toBe(9_999);
  });
});

describe('NCP response schemas', () => {
  it('regression: reads a build history item with the documented status null', () => {
    const parsed = buildHistorySchema.parse({
      result: { total: 1, history: [{ buildId: 'b-1', status: null, begin: 1_767_000_000_000, end: null }] },
    });
    expect(parsed.history[0]).toMatchObject({ buildId: 'b-1', status: null, end: null });
  });

  it('regression: reads a SourceDeploy time in seconds (its unit is not documented) as the same instant', () => {
    const ms = deployHistoryDetailSchema.parse({
      result: { id: 1, status: 'success', startTime: 1_767_000_000_000 },
    });
    const s = deployHistoryDetailSchema.parse({
      result: { id: 1, status: 'success', startTime: 1_767_000_000 },
    });
    expect(s.startTime?.getTime()).toBe(ms.startTime?.getTime());
    expect(ms.startTime?.toISOString()).toBe('2025-12-29T09:20:00.000Z');
  });

  it('reads wrapped and unwrapped payloads and keeps ids as strings', () => {
    expect(startBuildResponseSchema.parse({ result: { projectId: 2001, buildId: 'b-1' } })).toMatchObject({
      buildId: 'b-1',
      projectId: '2001',
    });
    expect(runScenarioResponseSchema.parse({ result: { historyId: 8001 } }).historyId).toBe('8001');
    expect(runScenarioResponseSchema.parse({ historyId: '8002' }).historyId).toBe('8002');
  });

  it('reads build history with nulls, extra fields and epoch times', () => {
    const h = buildHistorySchema.parse({
      total: 1,
      history: [
        {
          projectId: 1,
          buildId: 7,
          begin: 1_700_000_000_000,
          end: null,
          status: 'upload',
          failedPhase: null,
          extra: 1,
        },
      ],
    });
    expect(h.history[0]).toMatchObject({ buildId: '7', status: 'upload', end: null, extra: 1 });
    expect(h.history[0]?.begin?.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(buildHistorySchema.parse({ result: { history: null } }).history).toEqual([]);
  });

  it('reads a deploy history detail', () => {
    const d = deployHistoryDetailSchema.parse({
      result: { id: 80, status: 'inprogress', startTime: 1_700_000_000_000, project: { id: 1 } },
    });
    expect(d).toMatchObject({ id: '80', status: 'inprogress', endTime: null });
  });

  it('rejects a body missing what the bot needs', () => {
    expect(startBuildResponseSchema.safeParse({ result: {} }).success).toBe(false);
    expect(deployHistoryDetailSchema.safeParse({ result: { id: 1 } }).success).toBe(false);
    expect(registryTokenSchema.safeParse({ expires_in: 60 }).success).toBe(false);
  });

  it('reads error, tag list and token bodies', () => {
    expect(
      ncpErrorBodySchema.parse({ error: { errorCode: 200, message: 'Authentication Failed' } }).error
        .errorCode,
    ).toBe('200');
    expect(tagsListSchema.parse({ name: 'x', tags: null }).tags).toEqual([]);
    expect(registryTokenSchema.parse({ access_token: 't' })).toEqual({ token: 't', expiresInS: 60 });
  });
});

describe('error mapping at the port boundary', () => {
  const base = { ncpCode: null, message: 'm', call: 'GET /x', retryable: false };
  it('maps auth, timeout and the rest to stable codes', () => {
    expect(toKlepaasError(new NcpError({ ...base, kind: 'http', status: 401 })).code).toBe(
      'NCP_UNAUTHORIZED',
    );
    expect(toKlepaasError(new NcpError({ ...base, kind: 'timeout', status: 0 })).code).toBe('NCP_TIMEOUT');
    const e = toKlepaasError(new NcpError({ ...base, kind: 'http', status: 500, retryable: true }));
    expect(e.code).toBe('NCP_ERROR');
    expect(e.details).toMatchObject({ ncpStatus: 500, retryable: true });
    expect(e.cause).toBeInstanceOf(NcpError);
  });
});
