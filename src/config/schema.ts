import { z } from 'zod';

// Environment values are strings; these helpers turn them into typed values with a message that tells
// the operator what a good value looks like.
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());

const positiveInt = (fallback: number) =>
  z
    .preprocess(
      blankToUndefined,
      z.coerce
        .number({ error: 'must be a whole number' })
        .int('must be a whole number')
        .positive('must be > 0'),
    )
    .default(fallback);

const ratio = z
  .preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a number between 0 and 1' })
      .min(0, 'must be >= 0')
      .max(1, 'must be <= 1'),
  )
  .default(0);

const urlMessage = { error: 'must be a URL such as https://example.com' };
const optionalUrl = z.preprocess(blankToUndefined, z.url(urlMessage).optional());
const urlOr = (fallback: string) => z.preprocess(blankToUndefined, z.url(urlMessage).default(fallback));

const csv = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  z.array(z.string()),
);

const boolFlag = z.preprocess((v) => {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  return ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase());
}, z.boolean().optional());

/**
 * Every environment variable the bot reads, in one flat schema. `.env.example` documents each one;
 * keep the two in step (a test compares them).
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  DISPLAY_TIMEZONE: z
    .string()
    .default('Asia/Seoul')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Asia/Seoul'),

  DATABASE_PATH: z.string().min(1).default('./data/klepaas.db'),

  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  LLM_TIMEOUT_MS: positiveInt(4000),

  NCP_ACCESS_KEY: optionalText,
  NCP_SECRET_KEY: optionalText,
  NCP_SOURCEBUILD_URL: urlOr('https://sourcebuild.apigw.ntruss.com'),
  NCP_SOURCEDEPLOY_URL: urlOr('https://vpcsourcedeploy.apigw.ntruss.com'),
  NCP_SOURCECOMMIT_GIT_URL: urlOr('https://devtools.ncloud.com'),
  NCP_GIT_USERNAME: optionalText,
  NCP_GIT_PASSWORD: optionalText,
  NCP_TIMEOUT_MS: positiveInt(10_000),
  NCP_CONNECTIONS: positiveInt(128),
  NCR_INSECURE_HTTP: boolFlag,
  MANIFEST_PATH: z.string().min(1).default('k8s/deployment.yaml'),

  SIM_PHASE_MS: positiveInt(3000),
  SIM_BUILD_FAIL_RATE: ratio,
  SIM_DEPLOY_FAIL_RATE: ratio,
  SIM_ERROR_RATE: ratio,
  SIM_LATENCY_MS: z.preprocess(blankToUndefined, z.coerce.number().int().min(0)).default(0),
  /** Verification window of the simulator's demo project; 0 turns the demo's verification off. */
  SIM_VERIFY_WINDOW_MS: z.preprocess(blankToUndefined, z.coerce.number().int().min(0)).default(10_000),
  SIM_PORT: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(65535)).default(0),

  REDIS_URL: optionalUrl,
  POLL_INTERVAL_MS: positiveInt(10_000),
  POLL_TIMEOUT_MS: positiveInt(300_000),
  BUILD_TIMEOUT_MS: positiveInt(900_000),
  APPROVAL_TIMEOUT_MS: positiveInt(86_400_000),
  /** Unset: the longest call of a start step (git push: 3 x NCP_TIMEOUT_MS, at least 30 s) plus 5 s. */
  RECONCILE_GRACE_MS: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
  RECONCILE_INTERVAL_MS: positiveInt(30_000),
  /** Fault testing only: a named start step (`deploy_start:before`) where the process stops for a SIGKILL. */
  HALT_AT: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[a-z_]+:(before|after)$/, 'must be a step and a side, e.g. deploy_start:before')
      .optional(),
  ),

  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_API_URL: urlOr('https://slack.com/api/'),
  PORT: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(65535)).default(3000),
  ALLOWED_CHANNELS: csv,
  APPROVERS: csv,
  CONFIRM_TTL_MS: positiveInt(600_000),
  /** How long a rollback pins its repo (deploys bringing the rolled-away-from code back are refused). */
  PIN_TTL_MS: positiveInt(24 * 3600_000),
});

export type Env = z.infer<typeof envSchema>;
