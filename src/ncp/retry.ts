/** Backoff policy for NCP reads: exponential with full jitter (a random delay in [0, cap]). */
export interface RetryPolicy {
  /** Retries after the first try; 0 disables retrying. */
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** The longest `Retry-After` waited out; a longer one ends the call with NCP's answer. */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  retries: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
};

/**
 * Delay before retry number `attempt` (1 for the first retry). Full jitter spreads clients that failed
 * together so they do not come back together. `random` returns [0, 1), injected so tests are exact.
 */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}
