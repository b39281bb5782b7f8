import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type Logger as BoltLogger, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { Dispatcher } from '../bot/types.ts';
import type { Config } from '../config/load.ts';
import type { Logger } from '../log/logger.ts';
import type { EventLog } from '../services/ports.ts';
import { register as registerActions } from './listeners/actions.ts';
import type { ListenerDeps, WebClient } from './listeners/context.ts';
import { register as registerMessages } from './listeners/messages.ts';
import { register as registerCommands } from './listeners/slash-commands.ts';

export type SlackConfig = NonNullable<Config['slack']>;

export interface SlackAppOptions {
  readonly config: SlackConfig;
  readonly dispatcher: Dispatcher;
  readonly eventLog: EventLog;
  readonly logger: Logger;
  /** Zone times are shown in; Config.timeZone (Asia/Seoul unless DISPLAY_TIMEZONE says otherwise). */
  readonly timeZone?: string;
  readonly clock?: () => Date;
  /** Set when the Slack notifier posts progress in the request's thread (startSlackFrontEnd does). */
  readonly noticesInThread?: boolean;
}

export interface SlackApp {
  readonly app: App;
  /** The Web API client the app uses (bot token, SLACK_API_URL), for notifiers that post outside a request. */
  readonly client: WebClient;
  readonly mode: 'socket' | 'http';
  /** Starts receiving; resolves with the bound HTTP port (the /healthz port in Socket Mode), or null. */
  start(): Promise<{ port: number | null }>;
  stop(): Promise<void>;
}

/** Bolt's logger interface over pino, so Bolt's own lines carry the same fields and redaction. */
function boltLogger(log: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  const join = (m: unknown[]) => m.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
  // Bolt logs a debug line or two per request; skip building the text when the level drops it.
  const at =
    (lvl: 'debug' | 'info' | 'warn' | 'error') =>
    (...m: unknown[]) => {
      if (log.isLevelEnabled(lvl)) log[lvl](join(m));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

const healthRoute = {
  path: '/healthz',
  method: ['GET'],
  handler: (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
  },
};

/**
 * Builds the Slack front end. Socket Mode when an app token is set (no public URL needed), otherwise HTTP
 * with events, commands and interactivity at /slack/events and GET /healthz on `config.port`.
 */
export function createSlackApp(opts: SlackAppOptions): SlackApp {
  const { config } = opts;
  const log = opts.logger.child({ module: 'slack' });
  const logger = boltLogger(log.child({ module: 'bolt' }));
  const clientOptions = {
    slackApiUrl: config.apiUrl,
    // The SDK honours Retry-After on 429; a few quick retries keep a reply from hanging for minutes.
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 3000 },
  };
  const socket = Boolean(config.appToken);
  let receiver: HTTPReceiver | SocketModeReceiver;
  if (config.appToken) {
    receiver = new SocketModeReceiver({
      appToken: config.appToken,
      logger,
      customRoutes: [healthRoute],
      installerOptions: { port: config.port },
    });
  } else {
    if (!config.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for the HTTP receiver');
    receiver = new HTTPReceiver({
      signingSecret: config.signingSecret,
      endpoints: '/slack/events',
      port: config.port,
      customRoutes: [healthRoute],
      logger,
      // Ack first, work after: the HTTP response goes out as soon as a listener calls ack().
      processBeforeResponse: false,
    });
  }
  // No conversation store: nothing reads context.conversation, and its middleware runs on every request
  // before the listener reaches ack().
  const app = new App({ token: config.botToken, receiver, logger, clientOptions, convoStore: false });

  const deps: ListenerDeps = {
    dispatcher: opts.dispatcher,
    eventLog: opts.eventLog,
    logger: log,
    timeZone: opts.timeZone ?? 'Asia/Seoul',
    clock: opts.clock ?? (() => new Date()),
    allowedChannels: config.allowedChannels,
    noticesInThread: opts.noticesInThread ?? false,
  };
  registerMessages(app, deps);
  registerCommands(app, deps);
  registerActions(app, deps);
  app.error(async (err) => {
    log.error({ err }, 'unhandled error in a Slack listener');
  });

  let server: Server | null = null;
  return {
    app,
    client: app.client,
    mode: socket ? 'socket' : 'http',
    async start() {
      if (socket) {
        await app.start();
        log.info({ mode: 'socket' }, 'Slack app connected');
        return { port: config.port };
      }
      server = (await app.start(config.port)) as Server;
      const port = (server.address() as AddressInfo).port;
      log.info({ mode: 'http', port }, 'Slack app listening');
      return { port };
    },
    async stop() {
      server?.closeAllConnections();
      await app.stop();
      server = null;
    },
  };
}
