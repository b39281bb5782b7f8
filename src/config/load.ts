import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { z } from 'zod';
import { type Env, envSchema } from './schema.ts';

/** Raised when the environment cannot run the bot; `problems` holds one line per variable. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface Config {
  readonly env: Env['NODE_ENV'];
  readonly log: { readonly level: Env['LOG_LEVEL']; readonly format: Env['LOG_FORMAT'] };
  readonly timeZone: string;
  readonly databasePath: string;
  readonly llm: {
    readonly apiKey: string;
    readonly baseURL: string | undefined;
    readonly model: string;
    readonly timeoutMs: number;
  } | null;
  /** null means no NCP credentials: the built-in simulator stands in for NCP. */
  readonly ncp: {
    readonly accessKey: string;
    readonly secretKey: string;
    readonly sourceBuildUrl: string;
    readonly sourceDeployUrl: string;
    readonly sourceCommitGitUrl: string;
    readonly gitUsername: string;
    readonly gitPassword: string;
    readonly ncrInsecureHttp: boolean;
  } | null;
  readonly ncpTimeoutMs: number;
  /** Sockets per NCP host (NCP_CONNECTIONS), and the poll ticks that may run at once. */
  readonly ncpConnections: number;
  readonly manifestPath: string;
  readonly simulator: {
    readonly phaseMs: number;
    readonly buildFailRate: number;
    readonly deployFailRate: number;
    readonly errorRate: number;
    readonly latencyMs: number;
    readonly port: number;
  };
  readonly redisUrl: string | undefined;
  /** Who may confirm anyone's rollback or deploy, and how long a confirmation stays valid (any front end). */
  readonly confirmations: { readonly approvers: readonly string[]; readonly ttlMs: number };
  readonly pinTtlMs: number;
  /** The simulator demo's verification window (0: off). */
  readonly demoVerifyWindowMs: number;
  readonly poll: {
    readonly intervalMs: number;
    readonly deployTimeoutMs: number;
    readonly buildTimeoutMs: number;
    /** How long a deploy may wait for an approver (SourceDeploy `pending`). */
    readonly approvalTimeoutMs: number;
  };
  /** When a start in doubt is settled against NCP's history, and how often every record is looked at. */
  readonly reconcile: { readonly graceMs: number; readonly intervalMs: number };
  /** Fault testing: the start step where the process stops (HALT_AT); null in normal use. */
  readonly haltAt: string | null;
  /** null means no Slack credentials: `npm start` opens the console chat. */
  readonly slack: {
    readonly botToken: string;
    readonly signingSecret: string | undefined;
    readonly appToken: string | undefined;
    readonly apiUrl: string;
    readonly port: number;
    readonly allowedChannels: readonly string[];
  } | null;
}

const hints: Partial<Record<keyof Env, string>> = {
  DISPLAY_TIMEZONE: 'set it to an IANA zone such as Asia/Seoul',
  OPENAI_BASE_URL:
    'set it to an OpenAI-compatible base URL such as https://api.openai.com/v1, or leave it empty',
  REDIS_URL: 'set it to redis://host:6379, or leave it empty for the in-process poller',
  SLACK_API_URL: 'leave it empty to use https://slack.com/api/',
};

function describe(issue: z.core.$ZodIssue): string {
  const name = String(issue.path[0] ?? 'environment') as keyof Env;
  const hint = hints[name];
  return `${name}: ${issue.message}${hint ? ` (${hint})` : ''}`;
}

/** The variables the rules across fields read; parsed on their own so one bad field elsewhere hides none. */
const crossFieldSchema = envSchema.pick({
  NCP_ACCESS_KEY: true,
  NCP_SECRET_KEY: true,
  NCP_GIT_USERNAME: true,
  NCP_GIT_PASSWORD: true,
  SLACK_BOT_TOKEN: true,
  SLACK_APP_TOKEN: true,
  SLACK_SIGNING_SECRET: true,
});

/** Settings that are each valid but wrong together: half a key pair, a token of the wrong kind. */
function crossFieldProblems(e: z.infer<typeof crossFieldSchema>): string[] {
  const problems: string[] = [];
  if (Boolean(e.NCP_ACCESS_KEY) !== Boolean(e.NCP_SECRET_KEY)) {
    const missing = e.NCP_ACCESS_KEY ? 'NCP_SECRET_KEY' : 'NCP_ACCESS_KEY';
    problems.push(
      `${missing}: missing (set both NCP_ACCESS_KEY and NCP_SECRET_KEY from the NCP console's API key page, or neither to use the simulator)`,
    );
  }
  if (e.NCP_ACCESS_KEY && e.NCP_SECRET_KEY) {
    for (const name of ['NCP_GIT_USERNAME', 'NCP_GIT_PASSWORD'] as const) {
      if (!e[name]) {
        problems.push(
          `${name}: missing (SourceCommit git needs a Sub Account's git credentials: NCP console > Sub Account > the user > Git credentials; the API keys are not accepted by git)`,
        );
      }
    }
  }
  if (e.SLACK_BOT_TOKEN && !e.SLACK_BOT_TOKEN.startsWith('xoxb-')) {
    problems.push(
      'SLACK_BOT_TOKEN: must be a bot token starting with xoxb- (OAuth & Permissions page of the app)',
    );
  }
  if (e.SLACK_APP_TOKEN && !e.SLACK_APP_TOKEN.startsWith('xapp-')) {
    problems.push(
      'SLACK_APP_TOKEN: must be an app-level token starting with xapp- (Basic Information > App-Level Tokens)',
    );
  }
  if ((e.SLACK_APP_TOKEN || e.SLACK_SIGNING_SECRET) && !e.SLACK_BOT_TOKEN) {
    problems.push(
      'SLACK_BOT_TOKEN: missing (Slack is half configured; set the xoxb- token or unset the other SLACK_ values)',
    );
  }
  if (e.SLACK_BOT_TOKEN && !e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET) {
    problems.push(
      'SLACK_SIGNING_SECRET: missing (needed to verify requests over HTTP; or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  return problems;
}

/**
 * Parses the environment once, at start. Never called at import time so tests can pass their own env.
 * Every problem is reported at once: each bad field and each broken rule across fields.
 */
export function loadConfig(source: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(source);
  const fields = crossFieldSchema.safeParse(source);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map(describe)),
    ...(fields.success ? crossFieldProblems(fields.data) : []),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;

  return Object.freeze({
    env: e.NODE_ENV,
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    timeZone: e.DISPLAY_TIMEZONE,
    databasePath: e.DATABASE_PATH,
    llm: e.OPENAI_API_KEY
      ? {
          apiKey: e.OPENAI_API_KEY,
          baseURL: e.OPENAI_BASE_URL,
          model: e.OPENAI_MODEL,
          timeoutMs: e.LLM_TIMEOUT_MS,
        }
      : null,
    ncp:
      e.NCP_ACCESS_KEY && e.NCP_SECRET_KEY && e.NCP_GIT_USERNAME && e.NCP_GIT_PASSWORD
        ? {
            accessKey: e.NCP_ACCESS_KEY,
            secretKey: e.NCP_SECRET_KEY,
            sourceBuildUrl: e.NCP_SOURCEBUILD_URL,
            sourceDeployUrl: e.NCP_SOURCEDEPLOY_URL,
            sourceCommitGitUrl: e.NCP_SOURCECOMMIT_GIT_URL,
            gitUsername: e.NCP_GIT_USERNAME,
            gitPassword: e.NCP_GIT_PASSWORD,
            ncrInsecureHttp: e.NCR_INSECURE_HTTP ?? false,
          }
        : null,
    ncpTimeoutMs: e.NCP_TIMEOUT_MS,
    ncpConnections: e.NCP_CONNECTIONS,
    manifestPath: e.MANIFEST_PATH,
    simulator: {
      phaseMs: e.SIM_PHASE_MS,
      buildFailRate: e.SIM_BUILD_FAIL_RATE,
      deployFailRate: e.SIM_DEPLOY_FAIL_RATE,
      errorRate: e.SIM_ERROR_RATE,
      latencyMs: e.SIM_LATENCY_MS,
      port: e.SIM_PORT,
    },
    redisUrl: e.REDIS_URL,
    confirmations: { approvers: e.APPROVERS, ttlMs: e.CONFIRM_TTL_MS },
    pinTtlMs: e.PIN_TTL_MS,
    demoVerifyWindowMs: e.SIM_VERIFY_WINDOW_MS,
    poll: {
      intervalMs: e.POLL_INTERVAL_MS,
      deployTimeoutMs: e.POLL_TIMEOUT_MS,
      buildTimeoutMs: e.BUILD_TIMEOUT_MS,
      approvalTimeoutMs: e.APPROVAL_TIMEOUT_MS,
    },
    reconcile: {
      graceMs: e.RECONCILE_GRACE_MS ?? Math.max(3 * e.NCP_TIMEOUT_MS, 30_000) + 5_000,
      intervalMs: e.RECONCILE_INTERVAL_MS,
    },
    haltAt: e.HALT_AT ?? null,
    slack: e.SLACK_BOT_TOKEN
      ? {
          botToken: e.SLACK_BOT_TOKEN,
          signingSecret: e.SLACK_SIGNING_SECRET,
          appToken: e.SLACK_APP_TOKEN,
          apiUrl: e.SLACK_API_URL,
          port: e.PORT,
          allowedChannels: e.ALLOWED_CHANNELS,
        }
      : null,
  });
}

/** The settings in `.env` in the working directory, or none when there is no such file. */
export function readDotEnv(path = '.env'): NodeJS.Dict<string> {
  try {
    return parseEnv(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return {};
  }
}

/** Loads `.env` from the working directory when there is one; real environment variables win. */
export function loadDotEnv(path = '.env'): void {
  try {
    process.loadEnvFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
