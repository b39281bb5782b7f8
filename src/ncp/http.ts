import { Pool } from 'undici';
import { isRetryableStatus, NcpError, parseRetryAfter } from './errors.ts';
import { backoffDelayMs, type RetryPolicy } from './retry.ts';

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

export interface SendInput {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE';
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
}

/** One keep-alive pool per origin, so each NCP host (and each registry) reuses its connections. */
export class PoolSet {
  readonly #pools = new Map<string, Pool>();
  readonly #connections: number;

  constructor(connections = 128) {
    this.#connections = Math.max(1, connections);
  }

  get(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: this.#connections, keepAliveTimeout: 30_000 });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }
}

const callName = (method: string, url: URL) => `${method} ${url.pathname}`;

/** Sends one request; a timeout or a dropped connection becomes an NcpError, any HTTP status is returned. */
export async function sendOnce(pools: PoolSet, input: SendInput): Promise<RawResponse> {
  const signal = AbortSignal.timeout(input.timeoutMs);
  const call = callName(input.method, input.url);
  try {
    const res = await pools.get(input.url.origin).request({
      method: input.method,
      path: input.url.pathname + input.url.search,
      headers: input.headers,
      body: input.body,
      signal,
    });
    const body = await res.body.text();
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    return { status: res.statusCode, headers, body };
  } catch (err) {
    if (signal.aborted) {
      throw new NcpError({
        kind: 'timeout',
        status: 0,
        ncpCode: null,
        message: `no answer within ${input.timeoutMs} ms`,
        retryable: true,
        call,
        cause: err,
      });
    }
    throw new NcpError({
      kind: 'network',
      status: 0,
      ncpCode: null,
      message: err instanceof Error ? err.message : String(err),
      retryable: true,
      call,
      cause: err,
    });
  }
}

export interface RetryDeps {
  readonly policy: RetryPolicy;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: NcpError }) => void;
}

/**
 * Runs `attempt` and, for reads and idempotent settings changes, tries again on a retryable NcpError.
 * A POST is never retried: NCP may have started the build or deploy before the answer was lost, and a
 * second POST would start another one. A `Retry-After` is waited out (never less), unless it is longer
 * than the policy allows, when the error is returned as it is.
 */
export async function withRetries<T>(
  method: SendInput['method'],
  deps: RetryDeps,
  attempt: () => Promise<T>,
): Promise<T> {
  const maxRetries = method === 'POST' || method === 'DELETE' ? 0 : deps.policy.retries;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof NcpError) || !err.retryable || n >= maxRetries) throw err;
      if (err.retryAfterMs !== null && err.retryAfterMs > deps.policy.maxRetryAfterMs) throw err;
      const delayMs = Math.max(backoffDelayMs(deps.policy, n + 1, deps.random), err.retryAfterMs ?? 0);
      deps.onRetry?.({ attempt: n + 1, delayMs, error: err });
      await deps.sleep(delayMs);
    }
  }
}

/** Turns a non-2xx answer into an NcpError; `parseCode` reads the product's error body if there is one. */
export function httpError(
  method: string,
  url: URL,
  res: RawResponse,
  parseCode: (body: string) => { code: string | null; message: string | null },
  nowMs: number = Date.now(),
): NcpError {
  const { code, message } = parseCode(res.body);
  return new NcpError({
    kind: 'http',
    status: res.status,
    ncpCode: code,
    message: message ?? `HTTP ${res.status}`,
    retryable: isRetryableStatus(res.status, code),
    call: callName(method, url),
    retryAfterMs: parseRetryAfter(res.headers['retry-after'], nowMs),
  });
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
