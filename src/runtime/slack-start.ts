import { createServer, type Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { type Config, ConfigError } from '../config/load.ts';
import type { Logger } from '../log/logger.ts';
import { capHttpServer, defaultHttpLimits, httpServerOptions } from '../slack/app.ts';
import { type SlackFrontEnd, startSlackFrontEnd } from '../slack/main.ts';
import type { Runtime } from './app.ts';

type SlackConfig = NonNullable<Config['slack']>;

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 30_000 };
const AUTH_TEST_TIMEOUT_MS = 5000;

export interface SlackStarter {
  /** Resolves once the Slack app runs; rejects only for a refusal that no retry can fix (a bad token). */
  readonly started: Promise<SlackFrontEnd>;
  /** Stops retrying (or the running app) and closes the degraded /healthz server. */
  stop(): Promise<void>;
}

const authTestSchema = z.object({
  ok: z.boolean(),
  error: z.string().optional(),
  user_id: z.string().optional(),
  bot_id: z.string().optional(),
});

/** Slack answers for a token that will never work: retrying only hides the mistake. */
const TOKEN_REFUSALS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
]);

class Unreachable extends Error {}

/**
 * Asks Slack who the bot is. A network failure, a timeout, 429 or 5xx means Slack is unreachable for now
 * (Unreachable); a token Slack refuses is a ConfigError naming SLACK_BOT_TOKEN.
 */
async function authTest(slack: SlackConfig): Promise<{ botId: string; botUserId: string }> {
  const url = new URL('auth.test', slack.apiUrl.endsWith('/') ? slack.apiUrl : `${slack.apiUrl}/`);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${slack.botToken}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      signal: AbortSignal.timeout(AUTH_TEST_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause?.code;
    throw new Unreachable(
      typeof cause === 'string' ? cause : err instanceof Error ? err.message : String(err),
    );
  }
  if (res.status === 429 || res.status >= 500) throw new Unreachable(`HTTP ${res.status}`);
  const parsed = authTestSchema.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new Unreachable(`unexpected answer (HTTP ${res.status})`);
  const body = parsed.data;
  if (body.ok && body.user_id && body.bot_id) return { botId: body.bot_id, botUserId: body.user_id };
  if (body.error && TOKEN_REFUSALS.has(body.error)) {
    throw new ConfigError([
      `SLACK_BOT_TOKEN: Slack refused the token (${body.error}); copy the Bot User OAuth Token (xoxb-…) from the app's Install App page`,
    ]);
  }
  throw new Unreachable(body.error ?? 'auth.test gave no bot identity');
}

/** Whether a failure of the app's own start (Socket Mode connect) is worth retrying. */
function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (code === 'slack_webapi_request_error' || code === 'slack_webapi_http_error') return true;
  if (code === 'slack_webapi_rate_limited_error') return true;
  const data = (err as { data?: { error?: unknown } }).data;
  if (code === 'slack_webapi_platform_error' && typeof data?.error === 'string') {
    if (TOKEN_REFUSALS.has(data.error)) return false;
    return (
      data.error === 'internal_error' || data.error === 'fatal_error' || data.error === 'service_unavailable'
    );
  }
  return false;
}

function fatal(err: unknown, port: number): Error {
  const code = (err as { code?: unknown }).code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    return new ConfigError([
      `PORT=${port}: the HTTP server cannot listen there (${code}); choose a free port${code === 'EACCES' ? ' above 1023' : ''}`,
    ]);
  }
  const data = (err as { data?: { error?: unknown } }).data;
  if (
    code === 'slack_webapi_platform_error' &&
    typeof data?.error === 'string' &&
    TOKEN_REFUSALS.has(data.error)
  ) {
    return new ConfigError([
      `SLACK_APP_TOKEN: Slack refused the app-level token (${data.error}); generate one with connections:write under Basic Information → App-Level Tokens`,
    ]);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * While Slack cannot be reached, /healthz answers 503 "degraded" (so a load balancer keeps traffic away and
 * an operator sees why), /livez 200 and /slack/events 503, which Slack retries. Same limits as the app's server.
 */
async function openDegradedServer(port: number, reason: () => string): Promise<Server> {
  const limits = defaultHttpLimits;
  const server = createServer(httpServerOptions(limits), (req, res) => {
    const path = req.method === 'GET' ? req.url?.split('?')[0] : undefined;
    // Alive, only not ready: a liveness probe must not restart a replica that is waiting for Slack.
    if (path === '/livez') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    const healthz = path === '/healthz';
    res
      .writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' })
      .end(JSON.stringify(healthz ? { ok: false, status: 'degraded', reason: reason() } : { ok: false }));
  });
  capHttpServer(server, limits);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

const closeServer = async (server: Server | null): Promise<void> => {
  if (!server?.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
};

/**
 * Starts the Slack front end, retrying with exponential backoff while Slack is unreachable instead of
 * crashing: one warning per attempt (no stack trace), /healthz degraded meanwhile. The bot's identity
 * comes from our own auth.test, handed to Bolt, whose constructor would otherwise call auth.test itself
 * and crash the process on an unhandled rejection when Slack is down.
 */
export function startSlackWithRetry(
  config: Config,
  runtime: Pick<Runtime, 'dispatcher' | 'stores' | 'events'> & Partial<Pick<Runtime, 'ops'>>,
  logger: Logger,
  backoff: Backoff = DEFAULT_BACKOFF,
): SlackStarter {
  const slack = config.slack;
  if (!slack) throw new Error('Slack is not configured (SLACK_BOT_TOKEN is empty)');
  const log = logger.child({ module: 'slack-start' });
  const abort = new AbortController();
  let degraded: Server | null = null;
  let lastReason = 'connecting to Slack';
  let frontEnd: SlackFrontEnd | null = null;

  const started = (async (): Promise<SlackFrontEnd> => {
    let waitMs = backoff.initialMs;
    for (let attempt = 1; ; attempt++) {
      if (abort.signal.aborted) throw new Error('stopped before Slack was reached');
      try {
        const identity = await authTest(slack);
        await closeServer(degraded);
        degraded = null;
        frontEnd = await startSlackFrontEnd(config, runtime, logger, { identity });
        if (attempt > 1) log.info({ attempt }, 'Slack reached; the app is running');
        return frontEnd;
      } catch (err) {
        if (err instanceof ConfigError) throw err;
        if (!(err instanceof Unreachable) && !isTransient(err)) throw fatal(err, slack.port);
        lastReason = `Slack unreachable at ${slack.apiUrl} (${err instanceof Error ? err.message : String(err)})`;
        degraded ??= await openDegradedServer(slack.port, () => lastReason).catch((e: unknown) => {
          throw fatal(e, slack.port);
        });
        const address = degraded.address();
        const healthzPort = typeof address === 'object' && address ? address.port : null;
        log.warn(
          { attempt, retryInMs: waitMs, reason: lastReason, healthzPort },
          'Slack unreachable; retrying',
        );
        await delay(waitMs, undefined, { signal: abort.signal }).catch(() => {});
        waitMs = Math.min(waitMs * 2, backoff.maxMs);
      }
    }
  })();
  // stop() may come while retrying; the rejection then is expected and handled there.
  started.catch(() => {});

  return {
    started,
    async stop() {
      abort.abort();
      await started.catch(() => {});
      await closeServer(degraded);
      degraded = null;
      if (frontEnd) await frontEnd.stop();
    },
  };
}
