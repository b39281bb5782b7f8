import { randomUUID } from 'node:crypto';
import { createDispatcher } from '../bot/dispatcher.ts';
import type { Dispatcher } from '../bot/types.ts';
import type { Config } from '../config/load.ts';
import { openDatabase } from '../db/open.ts';
import { createStores, type Stores } from '../db/stores.ts';
import type { VerifyFailure } from '../domain/verification.ts';
import { createIntentParser } from '../intent/parse.ts';
import type { Logger } from '../log/logger.ts';
import type { BotMetrics } from '../ops/metrics.ts';
import { createReadiness } from '../ops/readiness.ts';
import type { OpsEndpoints } from '../ops/routes.ts';
import type { PollerDriver } from '../poller/driver.ts';
import { createPollerEvents, type PollerEvents } from '../poller/events.ts';
import { createInProcessPoller } from '../poller/in-process.ts';
import { eventLogOnceGuard } from '../poller/once.ts';
import { startPinSweeper } from '../poller/pin-sweep.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { type Clock, systemClock } from '../services/ports.ts';
import {
  type ReconcileOptions,
  type ReconcileResult,
  reconcileAll,
  reconcileRecord,
} from '../services/reconcile.ts';
import { lookAtApp } from '../verify/probe.ts';
import { defaultVerifySettings } from '../verify/thresholds.ts';
import { openNcp } from './compose.ts';
import { createServices, type Services } from './services.ts';

export interface Runtime {
  readonly dispatcher: Dispatcher;
  readonly events: PollerEvents;
  readonly stores: Stores;
  readonly services: Services;
  readonly poller: PollerDriver;
  /** Set when the simulator stands in for NCP: said once at start so nobody mistakes it for production. */
  readonly simulatorNotice: string | null;
  /** Readiness (database, Redis) and, in Slack mode, the metrics: what /healthz and /metrics answer. */
  readonly ops: OpsEndpoints;
  close(): Promise<void>;
}

export type RuntimePoll = 'all' | 'own' | 'none';

export interface RuntimeOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  /**
   * Which deployments this process polls. `all` (default, the bot): start the poller and resume every
   * deployment in flight. `own`: start it but follow only what this process tracks, so a short-lived
   * command waiting on its own deployment never takes over the others (nor claims their notices); meant
   * for the in-process driver, since a BullMQ worker takes any job of its queue. `none`: never start it;
   * `track` still enqueues (BullMQ) for the bot's workers.
   */
  readonly poll?: RuntimePoll;
  /** How long to wait for REDIS_URL to answer at start (REDIS_CONNECT_WAIT_MS by default). */
  readonly redisWaitMs?: number;
  /** Redis key prefix of the BullMQ queue (tests on a shared Redis pass a random one). */
  readonly queuePrefix?: string;
  /** Counters for /metrics (the Slack app creates them; the console and CLI have no scrape endpoint). */
  readonly metrics?: BotMetrics;
}

/**
 * Builds the whole bot behind the front ends: database, NCP (or the simulator), poller (BullMQ with
 * REDIS_URL, else in-process), services, parser and dispatcher. The front end is the caller's choice.
 */
export async function startRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  const { logger } = opts;
  const clock = opts.clock ?? systemClock;
  const poll = opts.poll ?? 'all';
  // Before anything else, so an unreachable Redis stops the start before any NCP run is begun.
  // openai, bullmq and ioredis are loaded only when configured: together they cost ~60 MB of RSS and a
  // few hundred modules a bot without an LLM key or Redis never uses.
  const redisUrl = config.redisUrl;
  const redisCheck = redisUrl ? await import('../poller/redis-check.ts') : null;
  if (redisUrl) await redisCheck?.checkRedis(redisUrl, opts.redisWaitMs);
  const database = openDatabase(config.databasePath, { logger });
  const stores = createStores(database.db, clock);
  const ncp = await openNcp(
    config,
    { stores, sqlite: database.sqlite, path: config.databasePath },
    logger,
    opts.metrics ? { onRequest: opts.metrics.ncpCall } : {},
  ).catch((err: unknown) => {
    database.close();
    throw err;
  });
  const events = createPollerEvents((err, event) =>
    logger.error({ err, deploymentId: event.deployment.id, event: event.kind }, 'notice listener failed'),
  );

  // The poller continues a rebuild through the services, and the services hand new work to the poller:
  // the services are bound after the poller exists, through this late reference.
  let services: Services | null = null;
  const continuation = {
    continueAfterBuild: (id: number) => {
      if (!services) throw new Error('services not ready');
      return services.continueAfterBuild(id);
    },
    afterSuccess: async (id: number) => services?.afterSuccess(id),
  };
  const bound = (): Services => {
    if (!services) throw new Error('services not ready');
    return services;
  };
  const verify = {
    look: lookAtApp,
    defaults: defaultVerifySettings,
    followUp: {
      afterFailure: (id: number, failed: VerifyFailure) => bound().afterVerificationFailure(id, failed),
      afterSuccess: (id: number) => bound().afterVerificationSuccess(id),
    },
  };
  // Bound with the services below; the poller asks it about records without a run id.
  let serviceDeps: ServiceDeps | null = null;
  const reconcileOpts: ReconcileOptions = { graceMs: config.reconcile.graceMs };
  // Every path into the reconciler (start, timer, the poller's missing job) reports its adoptions here.
  const countAdopted = (results: readonly ReconcileResult[]): void => {
    for (const r of results) if (r.kind === 'adopted') opts.metrics?.reconcilerAdopted();
  };
  const reconciler = {
    reconcile: async (id: number) => {
      if (!serviceDeps) throw new Error('services not ready');
      countAdopted([await reconcileRecord(serviceDeps, id, reconcileOpts)]);
    },
  };
  const jobDeps = {
    verify,
    store: stores.deployments,
    integrations: stores.integrations,
    ncp: ncp.port,
    continuation,
    // A command following only its own deployment leaves other records' doubts to the bot.
    ...(poll === 'all' ? { reconciler } : {}),
    events,
    clock,
    limits: {
      intervalMs: config.poll.intervalMs,
      deployTimeoutMs: config.poll.deployTimeoutMs,
      buildTimeoutMs: config.poll.buildTimeoutMs,
      approvalTimeoutMs: config.poll.approvalTimeoutMs,
    },
    log: logger,
  };
  const resumable = poll === 'all' ? stores.deployments : { allInFlight: () => [], allVerifying: () => [] };
  // Notices are claimed in the database for both drivers: it outlives a restart of the bot and of Redis
  // (a Redis restarted empty forgot its claims, and the "started" notice went out again), and every
  // process polling these records shares it.
  const once = eventLogOnceGuard(stores.events, clock);
  const poller: PollerDriver = config.redisUrl
    ? (await import('../poller/bullmq.ts')).createBullmqPoller({
        redisUrl: config.redisUrl,
        deps: { ...jobDeps, once },
        store: resumable,
        ...(poll === 'all'
          ? { rescanMs: config.poll.intervalMs, onMissingJob: (id: number) => reconciler.reconcile(id) }
          : {}),
        // As many ticks at once as there are sockets to NCP: fewer leave sockets idle while 10,000
        // deployments wait their turn, more only queue inside the pool.
        concurrency: config.ncpConnections,
        ...(opts.queuePrefix ? { prefix: opts.queuePrefix } : {}),
      })
    : createInProcessPoller({
        deps: { ...jobDeps, once },
        store: resumable,
        concurrency: config.ncpConnections,
        // Without Redis there is no shared queue: records started elsewhere are found by looking.
        ...(poll === 'all' ? { rescanMs: config.poll.intervalMs } : {}),
      });

  serviceDeps = {
    integrations: stores.integrations,
    deployments: stores.deployments,
    ncp: ncp.port,
    clock,
    tracker: poller,
    logger,
    audit: stores.audit,
    locks: stores.locks,
    pins: stores.pins,
    pinTtlMs: config.pinTtlMs,
    confirmations: stores.confirmations,
    manifestPath: config.manifestPath,
    ...(config.haltAt ? { halt: haltAtStep(config.haltAt) } : {}),
  };
  services = createServices(serviceDeps);

  const llm = config.llm ? (await import('../llm/intent-llm.ts')).createIntentLlm(config.llm, logger) : null;
  const parser = createIntentParser({ llm, logger });
  const dispatcher = createDispatcher({
    parser,
    services,
    integrations: stores.integrations,
    pending: stores.pendingActions,
    deployments: stores.deployments,
    audit: stores.audit,
    clock,
    logger,
    newId: randomUUID,
    confirmTtlMs: config.confirmations.ttlMs,
    approvers: config.confirmations.approvers,
    conversations: stores.conversations,
    timeZone: config.timeZone,
  });

  const redisProbe = redisUrl ? (redisCheck?.openRedisProbe(redisUrl) ?? null) : null;
  const readiness = createReadiness({
    database: () => database.sqlite.prepare('SELECT 1').get(),
    ...(redisProbe ? { redis: () => redisProbe.ping() } : {}),
  });
  const metrics = opts.metrics ?? null;
  if (metrics) {
    metrics.observe(events);
    metrics.gauges({
      inFlight: () => stores.deployments.allInFlight().length,
      queueDepth: () => poller.pending(),
    });
  }

  if (poll !== 'none') await poller.start();
  const boundDeps = serviceDeps;
  // At start and then periodically: every record in doubt is settled against NCP, whoever started it.
  // A command that does not poll everything settles what it can but follows nothing it did not start.
  let reconciling: Promise<unknown> = reconcileAll(boundDeps, {
    ...reconcileOpts,
    follow: poll === 'all',
  }).then(countAdopted);
  const reconcileTimer =
    poll === 'all'
      ? setInterval(() => {
          reconciling = reconciling
            .then(() => reconcileAll(boundDeps, reconcileOpts))
            .then(countAdopted)
            .catch(() => {});
        }, config.reconcile.intervalMs)
      : null;
  reconcileTimer?.unref();
  await reconciling.catch((err: unknown) => logger.error({ err }, 'reconciling at start failed'));
  // Pin reminders are claimed in the database, so any number of bot processes send each one once.
  const stopSweeper =
    poll === 'all'
      ? startPinSweeper(
          { claim: () => ready.claimPinReminders(), store: stores.deployments, events, clock, log: logger },
          Math.max(1000, config.poll.intervalMs),
        )
      : () => {};
  const ready = services;
  return {
    dispatcher,
    events,
    stores,
    services: ready,
    poller,
    simulatorNotice: ncp.simulatorNotice,
    ops: { readiness, metrics },
    async close() {
      if (reconcileTimer) clearInterval(reconcileTimer);
      await reconciling.catch(() => {});
      stopSweeper();
      await poller.stop();
      await ncp.close();
      redisProbe?.disconnect();
      database.close();
    },
  };
}

/**
 * HALT_AT: at the named step the process says so on stderr and stops there for good (a timer keeps it
 * alive), so a fault test can SIGKILL it exactly between two writes of a start.
 */
function haltAtStep(point: string): (at: string) => Promise<void> {
  return (at) => {
    if (at !== point) return Promise.resolve();
    process.stderr.write(`HALTED at ${at}\n`);
    return new Promise<void>(() => {
      setInterval(() => {}, 60_000);
    });
  };
}
