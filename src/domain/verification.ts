/**
 * What the record says about the checks after a deploy or rollback reached success. Plain data: the
 * figures are stored with the deployment so the next person (and the next rollback) sees them.
 */
export const verifyStatuses = ['verifying', 'verified', 'verification_failed', 'superseded'] as const;
export type VerifyStatus = (typeof verifyStatuses)[number];

export type VerifyFailure =
  | { readonly check: 'health'; readonly detail: string; readonly failures: number }
  | { readonly check: 'error_share'; readonly value: number; readonly threshold: number }
  | { readonly check: 'p95'; readonly value: number; readonly threshold: number };

export interface VerificationFigures {
  readonly status: VerifyStatus;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** The window the settings asked for, and how long was watched so far. */
  readonly windowMs: number;
  readonly elapsedMs: number;
  readonly checks: number;
  readonly healthStatus: number | null;
  readonly healthProblem: string | null;
  readonly metrics: 'not_configured' | 'ok' | 'unavailable';
  readonly metricsProblem: string | null;
  readonly requests: number | null;
  readonly errorShare: number | null;
  readonly p95Ms: number | null;
  readonly maxErrorShare: number;
  readonly maxP95Ms: number;
  readonly failed: VerifyFailure | null;
  /** The rollback the bot started on its own after this verification failed. */
  readonly autoRollbackId: number | null;
  /** The commit "1 back" would return to, for a person's rollback button; null when there is none. */
  readonly rollbackTargetSha: string | null;
}

/** The bot itself as requester, for what it starts on its own. */
export const BOT_ACTOR = 'klepaas-bot';
