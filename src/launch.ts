import { userInfo } from 'node:os';
import { stderr, stdin, stdout } from 'node:process';
import { type Config, ConfigError, loadConfig, loadDotEnv } from './config/load.ts';
import { KlepaasError } from './domain/errors.ts';
import { createLogger, type Logger } from './log/logger.ts';

export type LaunchMode = 'auto' | 'console' | 'slack';

/**
 * The one place that reads the configuration and picks the concrete drivers: Slack or the console chat,
 * NCP or the simulator (in startRuntime), BullMQ or the in-process poller. `auto` is the Slack app when
 * Slack credentials are set, the console chat otherwise. Resolves with the exit code.
 */
export async function launch(mode: LaunchMode): Promise<number> {
  loadDotEnv();
  try {
    const config = loadConfig(process.env);
    if (mode === 'slack' && !config.slack) {
      stderr.write(
        'klepaas-bot cannot start the Slack app: SLACK_BOT_TOKEN is not set (see README, "Connect a Slack workspace").\n',
      );
      return 1;
    }
    return await (mode === 'console' || !config.slack ? runConsole(config) : runSlack(config));
  } catch (err) {
    const text = startFailure(err);
    if (text === null) throw err;
    stderr.write(text);
    return 1;
  }
}

/**
 * The lines for a start that cannot go on because of a setting (a bad value, REDIS_URL not answering,
 * DATABASE_PATH unusable): each names the variable, without a stack trace. null for anything else.
 */
export function startFailure(err: unknown): string | null {
  if (err instanceof ConfigError)
    return `klepaas-bot cannot start:\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`;
  if (err instanceof KlepaasError && (err.code === 'STORAGE_FAILED' || err.code === 'CONFIG_INVALID'))
    return `klepaas-bot cannot start:\n  ${err.text('en').replace(/\n/g, '\n  ')}\n`;
  return null;
}

function consoleLogger(config: Config): Logger {
  // In the chat, log lines would interleave with the conversation: only warnings unless asked for more.
  const level = process.env.LOG_LEVEL ? config.log.level : 'warn';
  return createLogger({ level, format: config.log.format, destination: stderr });
}

// Drivers load after the configuration is known good, so a bad setting fails at once.
const loadRuntime = () => import('./runtime/app.ts');

async function runConsole(config: Config): Promise<number> {
  const logger = consoleLogger(config);
  const [{ startRuntime }, { runConsoleChat }, { noticeKindOf }, { renderNotice }, { systemClock }] =
    await Promise.all([
      loadRuntime(),
      import('./console/chat.ts'),
      import('./notify/fan-out.ts'),
      import('./notify/render.ts'),
      import('./services/ports.ts'),
    ]);
  const runtime = await startRuntime(config, { logger });
  const interactive = stdin.isTTY === true && stdout.isTTY === true;
  const lines = [
    'klepaas-bot console — type a request in Korean or English; "help" for examples, "exit" to leave.',
  ];
  if (runtime.simulatorNotice) lines.push(`⚠ ${runtime.simulatorNotice}`);
  if (interactive) lines.push('Try: K-Le-PaaS/test01 롤백 해줘');
  try {
    return await runConsoleChat({
      dispatcher: runtime.dispatcher,
      events: runtime.events,
      renderNotice: (event) => renderNotice(noticeKindOf(event.kind), event).text,
      input: stdin,
      output: stdout,
      interactive,
      user: safeUserName(),
      timeZone: config.timeZone,
      clock: systemClock,
      banner: lines.join('\n'),
    });
  } finally {
    await runtime.close();
  }
}

async function runSlack(config: Config): Promise<number> {
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  const [{ startRuntime }, { createBotMetrics }] = await Promise.all([
    loadRuntime(),
    import('./ops/metrics.ts'),
  ]);
  const runtime = await startRuntime(config, { logger, metrics: createBotMetrics() });
  if (runtime.simulatorNotice) logger.warn(runtime.simulatorNotice);
  // Loaded only in Slack mode, so the console chat starts without Bolt.
  const { startSlackWithRetry } = await import('./runtime/slack-start.ts');
  const slack = startSlackWithRetry(config, runtime, logger);
  return new Promise<number>((resolve, reject) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      slack
        .stop()
        .then(() => runtime.close())
        .then(
          () => resolve(0),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            resolve(1);
          },
        );
    };
    // A refusal no retry can fix (a bad token) ends the bot with the line that names the variable.
    slack.started.catch((err: unknown) => {
      if (stopping) return;
      stopping = true;
      runtime.close().then(
        () => reject(err),
        () => reject(err),
      );
    });
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'console';
  }
}
