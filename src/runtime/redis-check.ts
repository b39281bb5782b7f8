import { Redis } from 'ioredis';
import { ConfigError } from '../config/load.ts';

/** How long the start waits for Redis before saying REDIS_URL is wrong. */
export const REDIS_CONNECT_WAIT_MS = 3000;

/** The URL as it may be shown: a password in it is replaced, never printed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Connects to REDIS_URL once, with no retries, before anything depends on it: the BullMQ client would
 * retry for ever and log a stack trace per attempt, and the CLI would have started an NCP run by the
 * time it found out. Throws a ConfigError naming REDIS_URL when Redis does not answer PING in time.
 */
export async function checkRedis(url: string, waitMs = REDIS_CONNECT_WAIT_MS): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: waitMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: unknown = null;
  // Reported once below; without a listener ioredis prints every connection error itself.
  client.on('error', (err: unknown) => {
    lastError = err;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${waitMs} ms`)), waitMs);
      }),
    ]);
  } catch (err) {
    const cause = lastError ?? err;
    const reason =
      (cause as { code?: unknown }).code && typeof (cause as { code?: unknown }).code === 'string'
        ? String((cause as { code: string }).code)
        : cause instanceof Error
          ? cause.message
          : String(cause);
    throw new ConfigError([
      `REDIS_URL=${redactUrl(url)}: Redis did not answer (${reason}; waited at most ${Math.round(waitMs / 100) / 10} s); start Redis there, or leave REDIS_URL empty to use the in-process poller`,
    ]);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/**
 * A connection kept for readiness: PING answers or fails at once (no offline queue), and it reconnects by
 * itself, so /healthz turns ready again when Redis is back.
 */
export function openRedisProbe(url: string): { ping(): Promise<unknown>; disconnect(): void } {
  const client = new Redis(url, {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // The readiness answer names the failure; ioredis would print each reconnect error otherwise.
  client.on('error', () => {});
  return { ping: () => client.ping(), disconnect: () => client.disconnect() };
}
