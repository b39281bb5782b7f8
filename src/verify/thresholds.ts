/**
 * When a deploy counts as working. The defaults are the triggers of the rollback runbook (source document
 * 002): a 5xx share over 5 % or responses slower than 30 s call for an emergency rollback.
 */
export interface VerifyThresholds {
  /** Largest share of 5xx answers among all requests in the window, 0..1. */
  readonly maxErrorShare: number;
  /** Largest 95th-percentile response time in the window, in milliseconds. */
  readonly maxP95Ms: number;
  /** Health failures in a row that end the verification at once. */
  readonly healthFailuresInARow: number;
  /** Requests the window must hold before the 5xx share or p95 is judged: a handful proves nothing. */
  readonly minRequests: number;
}

export interface VerifySettings extends VerifyThresholds {
  /** How long the app is watched after NCP reported success. */
  readonly windowMs: number;
  /** Time between two looks at health and metrics. */
  readonly intervalMs: number;
  /** Limit of one health or metrics request. */
  readonly probeTimeoutMs: number;
}

export const defaultVerifySettings: VerifySettings = Object.freeze({
  maxErrorShare: 0.05,
  maxP95Ms: 30_000,
  healthFailuresInARow: 3,
  minRequests: 20,
  windowMs: 5 * 60_000,
  intervalMs: 15_000,
  probeTimeoutMs: 5_000,
});
