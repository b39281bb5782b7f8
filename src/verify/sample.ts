/** What one read of an app's Prometheus endpoint says about its HTTP traffic so far (counters since start). */
export interface RequestSample {
  /** Requests counted so far, every status. */
  readonly requests: number;
  /** Of those, answers with a 5xx status. */
  readonly errors5xx: number;
  /** Cumulative latency histogram in milliseconds (`le` ascending, last +Infinity), or null without one. */
  readonly latency: readonly LatencyBucket[] | null;
}

export interface LatencyBucket {
  readonly leMs: number;
  readonly count: number;
}
