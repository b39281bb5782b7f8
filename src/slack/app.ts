import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  App,
  type Logger as BoltLogger,
  HTTPReceiver,
  LogLevel,
  type Receiver,
  type ReceiverEvent,
  SocketModeReceiver,
} from '@slack/bolt';
import { z } from 'zod';
import type { Dispatcher } from '../bot/types.ts';
import type { Config } from '../config/load.ts';
import type { Logger } from '../log/logger.ts';
import { createReadiness } from '../ops/readiness.ts';
import { type OpsRoute, opsRoutes, serveOps } from '../ops/routes.ts';
import type { EventLog } from '../services/ports.ts';
import { formatTime } from './blocks/format.ts';
import { register as registerActions } from './listeners/actions.ts';
import type { ListenerDeps, WebClient } from './listeners/context.ts';
import { register as registerMessages } from './listeners/messages.ts';
import { register as registerCommands } from './listeners/slash-commands.ts';
import { createWorkQueue, type WorkQueue } from './listeners/work-queue.ts';
import { createPoster, type PaceOptions, type Poster } from './web-api.ts';

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
  /** /healthz (readiness), /livez and /metrics, answered on the bot's HTTP port in either mode. */
  readonly routes?: readonly OpsRoute[];
  /** Each Slack Web API call the bot makes, for /metrics. */
  readonly onSlackCall?: (method: string, result: string, seconds: number) => void;
  /** Per-channel pacing of posts; Slack's ~1 message per second per channel unless a test says otherwise. */
  readonly pace?: PaceOptions;
  /** Limits of the HTTP server (/slack/events and /healthz); tests shorten them. */
  readonly httpLimits?: Partial<HttpLimits>;
  /**
   * The bot's identity from auth.test, when the caller already asked Slack for it: Bolt then makes no call
   * of its own at construction (whose failure nothing could catch).
   */
  readonly identity?: { readonly botId: string; readonly botUserId: string };
}

/**
 * What one HTTP client may hold of the server. Slack sends small bodies and wants an answer in 3 s, so a
 * request whose headers have not arrived in 5 s is not Slack's; idle and half-open connections are dropped, and past
 * the cap new connections are refused at once instead of exhausting file descriptors.
 */
export interface HttpLimits {
  /** Time to receive a request's headers, counted from its first byte or the connection's opening. */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request. */
  readonly requestTimeoutMs: number;
  /** How long a kept-alive connection may wait for its next request. */
  readonly keepAliveTimeoutMs: number;
  /** A socket with no traffic at all for this long is destroyed. */
  readonly idleTimeoutMs: number;
  readonly maxConnections: number;
  readonly bodyLimitBytes: number;
}

export const defaultHttpLimits: HttpLimits = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  maxConnections: 4096,
  // Slack's largest payloads (view submissions, blocks) are far below this.
  bodyLimitBytes: 1024 * 1024,
};

/** Options for http.createServer: the timeouts, checked often enough to matter. */
export function httpServerOptions(limits: HttpLimits) {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Expired headers/requests are found by a sweep; Node's default sweep runs every 30 s.
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    maxHeaderSize: 16 * 1024,
  };
}

/**
 * Connections the kernel queues before the bot accepts them. Node's default (511) dropped SYNs past ~512
 * simultaneous requests, and each dropped SYN costs its client a 1 s retransmit; the kernel caps this at
 * net.core.somaxconn.
 */
export const LISTEN_BACKLOG = 4096;

/** What can only be set on a created server: the connection cap and the idle-socket timeout. */
export function capHttpServer(server: Server, limits: HttpLimits): void {
  server.maxConnections = limits.maxConnections;
  // Without a 'timeout' listener Node destroys the idle socket itself.
  server.setTimeout(limits.idleTimeoutMs);
}

export interface SlackApp {
  readonly app: App;
  /** The Web API client the app uses (bot token, SLACK_API_URL), for notifiers that post outside a request. */
  readonly client: WebClient;
  /** The paced sender every reply and notice goes through (one per app, so pacing is shared). */
  readonly poster: Poster;
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

// Requests whose post-ack work runs at once; more wait in the queue (their acks are already sent).
const POST_ACK_CONCURRENCY = 8;
// In a burst, post-ack work waits until requests stop arriving for 5 ms, but never delays a reply by more
// than 300 ms: people do not notice that, and Slack drops requests not acked in 3 s.
const POST_ACK_BURST = { quietMs: 5, maxHoldMs: 300 };
// On stop, work already acknowledged gets this long to post its replies.
const POST_ACK_DRAIN_MS = 5000;

const threadOfSchema = z
  .object({
    event: z
      .object({ channel: z.string(), ts: z.string(), thread_ts: z.string().optional() })
      .loose()
      .optional(),
    channel: z.object({ id: z.string() }).loose().optional(),
    message: z.object({ ts: z.string(), thread_ts: z.string().optional() }).loose().optional(),
  })
  .loose();

/** The Slack thread a request belongs to (mentions, DMs, button presses); slash commands have none. */
function threadOf(body: unknown): string | undefined {
  const parsed = threadOfSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { event, channel, message } = parsed.data;
  if (event) return `${event.channel}:${event.thread_ts ?? event.ts}`;
  if (channel && message) return `${channel.id}:${message.thread_ts ?? message.ts}`;
  return undefined;
}

/**
 * Pays first-use costs at start rather than in the first burst: zod compiles a schema on its first parse,
 * and the zone's time formatter loads ICU data (tens of ms, in one go, while acks wait).
 */
function warmUp(timeZone: string): void {
  threadOf({ event: { channel: 'C0', ts: '0.0', thread_ts: '0.0' } });
  threadOf({ channel: { id: 'C0' }, message: { ts: '0.0' } });
  formatTime(new Date(0), { now: new Date(0), timeZone });
}

const alreadyAcked = async (): Promise<void> => {};

/**
 * Acks each request as soon as the receiver has verified its signature and parsed it, then runs Bolt's
 * processing (authorize, middleware, our listeners) as a queued job. Under a burst, every request's ack then
 * costs only the receiver's own work, not the middleware of the requests before it nor their replies. Our
 * listeners never answer with an ack body (no modals or options menus), so the ack they call is a no-op.
 */
function ackFirst(receiver: Receiver, queue: WorkQueue): Receiver {
  const init = receiver.init.bind(receiver);
  receiver.init = (app: App) => {
    // The receiver only calls processEvent; everything else is the real app's.
    const front: App = Object.create(app);
    front.processEvent = async (event: ReceiverEvent) => {
      await event.ack();
      queue.push(() => app.processEvent({ ...event, ack: alreadyAcked }), threadOf(event.body));
    };
    init(front);
  };
  return receiver;
}

/** Slack signs each request with its send time; Bolt refuses only those older than five minutes. */
const MAX_CLOCK_SKEW_SEC = 5 * 60;

/**
 * Also refuses requests dated more than five minutes ahead: a signed request replayed from a clock set in
 * the future would otherwise stay valid for as long as that clock is ahead. Checked before Bolt reads the
 * body, with the same 401 Bolt gives a stale one.
 */
function rejectFutureTimestamps(receiver: HTTPReceiver, log: Logger): HTTPReceiver {
  const listener = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    const raw = req.headers['x-slack-request-timestamp'];
    const ts = typeof raw === 'string' ? Number(raw) : Number.NaN;
    if (Number.isFinite(ts) && ts - Date.now() / 1000 > MAX_CLOCK_SKEW_SEC) {
      log.warn({ skewSec: Math.round(ts - Date.now() / 1000) }, 'Slack request dated in the future refused');
      req.resume();
      res.writeHead(401).end();
      return;
    }
    listener(req, res);
  };
  return receiver;
}

/** How long stop() waits for Slack to answer the WebSocket close frame before letting go. */
const SOCKET_CLOSE_WAIT_MS = 3000;

/** Without the runtime's checks (tests of the Slack app alone), the bot is ready once it answers. */
const alwaysReady = opsRoutes({ readiness: createReadiness({}), metrics: null });

/**
 * Builds the Slack front end. Socket Mode when an app token is set (no public URL needed), otherwise HTTP
 * with events, commands and interactivity at /slack/events and GET /healthz on `config.port`.
 */
export function createSlackApp(opts: SlackAppOptions): SlackApp {
  const { config } = opts;
  const limits: HttpLimits = { ...defaultHttpLimits, ...opts.httpLimits };
  const routes = [...(opts.routes ?? alwaysReady)];
  const log = opts.logger.child({ module: 'slack' });
  const logger = boltLogger(log.child({ module: 'bolt' }));
  const clientOptions = {
    slackApiUrl: config.apiUrl,
    // A few quick retries for network errors and 5xx. 429s come back to us at once (rejectRateLimitedCalls):
    // the SDK would otherwise pause its whole queue, holding every channel for one channel's Retry-After; the
    // poster waits them out per channel instead.
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 3000 },
    rejectRateLimitedCalls: true,
  };
  const socket = Boolean(config.appToken);
  let receiver: HTTPReceiver | SocketModeReceiver;
  if (config.appToken) {
    receiver = new SocketModeReceiver({
      appToken: config.appToken,
      logger,
      // Without clientOptions, apps.connections.open goes to slack.com whatever SLACK_API_URL says.
      installerOptions: { port: config.port, clientOptions: { slackApiUrl: config.apiUrl } },
    });
  } else {
    if (!config.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for the HTTP receiver');
    receiver = rejectFutureTimestamps(
      new HTTPReceiver({
        signingSecret: config.signingSecret,
        endpoints: '/slack/events',
        port: config.port,
        customRoutes: routes,
        logger,
        // Ack first, work after: the HTTP response goes out as soon as a listener calls ack().
        processBeforeResponse: false,
        bodyLimit: limits.bodyLimitBytes,
      }),
      log,
    );
  }
  const queue = createWorkQueue({
    concurrency: POST_ACK_CONCURRENCY,
    burst: POST_ACK_BURST,
    onError: (err) => log.error({ err }, 'Slack request failed after its ack'),
  });
  // No conversation store: nothing reads context.conversation, and its middleware would run on every request.
  const app = new App({
    token: config.botToken,
    receiver: ackFirst(receiver, queue),
    logger,
    clientOptions,
    convoStore: false,
    ...(opts.identity ? { botId: opts.identity.botId, botUserId: opts.identity.botUserId } : {}),
  });

  const poster = createPoster(app.client, {
    ...(opts.pace ? { pace: opts.pace } : {}),
    ...(opts.onSlackCall ? { onCall: opts.onSlackCall } : {}),
  });
  const deps: ListenerDeps = {
    poster,
    botDms: new Map(),
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
  // Our own /healthz server in Socket Mode: Bolt's keeps its port private (so port 0 cannot be reported) and
  // its stop() neither waits for the server to close nor for the socket to say goodbye.
  const health = socket
    ? createServer(httpServerOptions(limits), (req, res) => {
        if (!serveOps(routes, req, res)) res.writeHead(404).end();
      })
    : null;
  if (health) capHttpServer(health, limits);
  warmUp(deps.timeZone);
  return {
    app,
    client: app.client,
    poster,
    mode: socket ? 'socket' : 'http',
    async start() {
      if (health) {
        await new Promise<void>((resolve, reject) => {
          health.once('error', reject);
          health.listen({ port: config.port, backlog: LISTEN_BACKLOG }, () => resolve());
        });
        const port = (health.address() as AddressInfo).port;
        try {
          await app.start();
        } catch (err) {
          // A refused app token must not leave /healthz answering 200 for a bot that never connected.
          await new Promise<void>((resolve) => health.close(() => resolve()));
          throw err;
        }
        log.info({ mode: 'socket', port }, 'Slack app connected');
        return { port };
      }
      server = (await app.start(
        { port: config.port, backlog: LISTEN_BACKLOG },
        httpServerOptions(limits),
      )) as Server;
      capHttpServer(server, limits);
      const port = (server.address() as AddressInfo).port;
      log.info({ mode: 'http', port }, 'Slack app listening');
      return { port };
    },
    async stop() {
      server?.closeAllConnections();
      // The Socket Mode client reconnects on any close it did not start; wait until it has let go for good.
      const socketClosed =
        receiver instanceof SocketModeReceiver
          ? new Promise<void>((resolve) => receiver.client.once('disconnected', () => resolve()))
          : Promise.resolve();
      await app.stop();
      server = null;
      let closeTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        socketClosed,
        new Promise<void>((resolve) => {
          closeTimer = setTimeout(resolve, SOCKET_CLOSE_WAIT_MS);
          closeTimer.unref();
        }),
      ]);
      clearTimeout(closeTimer);
      if (health?.listening) {
        health.closeAllConnections();
        await new Promise<void>((resolve) => health.close(() => resolve()));
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        // Replies a job let go of (a channel in a 429 storm) are still on their way in the poster.
        queue.idle().then(() => poster.idle()),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, POST_ACK_DRAIN_MS);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
