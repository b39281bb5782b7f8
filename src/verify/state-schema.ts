import { z } from 'zod';
import type { VerifyState } from './step.ts';

// The running verification is stored with the record between looks; what comes back from the database
// is parsed, so a record written by another version resumes or starts over, never crashes the poller.
const bucket = z.object({
  leMs: z.union([z.number(), z.null().transform(() => Number.POSITIVE_INFINITY)]),
  count: z.number(),
});
const sample = z.object({ requests: z.number(), errors5xx: z.number(), latency: z.array(bucket).nullable() });
const windowFigures = z.object({
  requests: z.number(),
  errors5xx: z.number(),
  errorShare: z.number().nullable(),
  p95Ms: z.number().nullable(),
});
const failure = z.discriminatedUnion('check', [
  z.object({ check: z.literal('health'), detail: z.string(), failures: z.number() }),
  z.object({ check: z.literal('error_share'), value: z.number(), threshold: z.number() }),
  z.object({ check: z.literal('p95'), value: z.number(), threshold: z.number() }),
]);

export const verifyStateSchema = z.object({
  startedAt: z.number(),
  baseline: sample.nullable(),
  metrics: z.enum(['not_configured', 'ok', 'unavailable']),
  metricsProblem: z.string().nullable(),
  checks: z.number(),
  healthFailuresInARow: z.number(),
  lastHealthStatus: z.number().nullable(),
  lastHealthProblem: z.string().nullable(),
  window: windowFigures.nullable(),
}) satisfies z.ZodType<VerifyState, unknown>;

/** What is stored: the looks so far, and the verdict once reached (its follow-up may still be owed). */
export const storedVerifySchema = z.object({
  look: verifyStateSchema,
  verdict: z
    .object({
      outcome: z.enum(['verified', 'verification_failed']),
      failed: failure.nullable(),
      elapsedMs: z.number(),
    })
    .nullable()
    .default(null),
});
export interface StoredVerify {
  readonly look: VerifyState;
  readonly verdict: z.infer<typeof storedVerifySchema>['verdict'];
}
